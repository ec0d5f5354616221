"""A finding about a returned hour form and how it reads: in English for the coordinator, in Finnish or Swedish
for the expert, with its place in the form, and as the ledger keeps it. Its words come from `catalogue`."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, time
from decimal import Decimal

from kokemus_docs.core.errors import Problem
from kokemus_docs.core.formatting import fi_date, fi_month, money
from kokemus_docs.core.model import STATUS_LABELS, Register
from kokemus_docs.core.month import MONTH_NAMES_FI, Month
from kokemus_docs.forms.texts import field_label
from kokemus_docs.intake.catalogue import CATALOGUE, ERROR

# How messages name a form field, per language: in Finnish and Swedish with the words the form itself prints.
_ENGLISH_LABELS = {"date": "date", "start": "start", "end": "end", "task": "task", "status": "status",
                   "cancelled_at": "cancelled at", "participants": "participants", "travel_eur": "travel",
                   "travel_ref": "travel reference", "notes": "notes", "signed_on": "date signed"}
FIELD_LABELS: dict[str, dict[str, str]] = {
    name: {"en": english, **{language: field_label(name, language) for language in ("fi", "sv")}}
    for name, english in _ENGLISH_LABELS.items()
}
FIELD_LABELS["confirm"] = {"en": "confirmation", "fi": "vahvistus", "sv": "bekräftelse"}  # a box without a label
IDENTITY_LABEL = {"en": "identity of the form", "fi": "lomakkeen tunnistetiedot",
                  "sv": "blankettens identifieringsuppgifter"}
ROW_WORD = {"en": "Row", "fi": "Rivi", "sv": "Rad"}


@dataclass(frozen=True)
class Localized:
    """A parameter value that reads differently per language (a status label, a month name)."""

    en: str
    fi: str
    sv: str

    def text(self, language: str) -> str:
        return getattr(self, language, self.en)


@dataclass
class Finding:
    """One error or warning about a form: a catalogue code, where it is, and the values its text needs."""

    code: str
    row: int | None = None
    field: str | None = None
    params: dict[str, object] = dataclass_field(default_factory=dict)

    @property
    def severity(self) -> str:
        return CATALOGUE[self.code].severity

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def text(self, language: str = "en") -> str:
        """The message in 'en', 'fi' or 'sv'."""
        template = getattr(CATALOGUE[self.code], language)
        return template.format(**{k: _localize(v, language) for k, v in self.params.items()})

    def where(self, language: str) -> str:
        """'Rivi 3, päivämäärä' / 'Rad 3, datum' / 'vahvistus': the place in the form, for the feedback file."""
        name = self.field or ""
        if self.row is not None:
            short = name.split("_", 1)[1] if name.startswith("row") and "_" in name else name
            label = FIELD_LABELS.get(short, {}).get(language, short)
            return f"{ROW_WORD[language]} {self.row}" + (f", {label}" if label else "")
        if name in FIELD_LABELS:
            return FIELD_LABELS[name][language]
        return IDENTITY_LABEL[language] if name else ""

    def problem(self, path: str | None = None) -> Problem:
        """The English Problem for the terminal and the JSON output."""
        return Problem(self.text("en"), path=path, row=self.row, field=self.field, code=self.code)

    def stored(self) -> dict:
        """The finding as the ledger keeps it: the English Problem's keys, the Finnish and Swedish texts, and
        the parameter values as each language writes them, so a workbook can word it for its own reader."""
        kept = self.problem().as_dict()
        for language in ("fi", "sv"):
            kept[language] = self.text(language)
            kept[f"params_{language}"] = {name: _localize(value, language) for name, value in self.params.items()}
        return kept


# What a workbook or page says of a stored finding that lacks its reader's language.
WORKBOOK_WARNING_UNKNOWN = (
    "Lomakkeesta on huomautus; katso lomakkeen palaute (outputs/feedback/).",
    "Det finns en anmärkning om blanketten; se återkopplingen (outputs/feedback/).")


def stored_text(stored: dict, language: str) -> str:
    """A finding as the ledger keeps it (Finding.stored), in 'fi' or 'sv' with its place: 'Rivi 3, päivämäärä:
    …'. A finding kept without that language's text is named by its place only, never in English."""
    finding = Finding(str(stored.get("code") or ""), row=stored.get("row"), field=stored.get("field"))
    kept = stored.get(language)
    text: str = kept if isinstance(kept, str) else WORKBOOK_WARNING_UNKNOWN[0 if language == "fi" else 1]
    where = finding.where(language) if isinstance(finding.row, int) or finding.row is None else ""
    return f"{where}: {text}" if where else text


def _localize(value: object, language: str) -> str:
    if isinstance(value, Localized):
        return value.text(language)
    if isinstance(value, datetime):
        return f"{fi_date(value.date())} {time_text(value.time(), language)}"
    if isinstance(value, date):
        return fi_date(value)
    if isinstance(value, time):
        return time_text(value, language)
    if isinstance(value, Decimal):
        return money(value)
    return str(value)


def time_text(value: time, language: str) -> str:
    """9.30 in Finnish and Swedish, 09:30 in English."""
    return f"{value:%H:%M}" if language == "en" else f"{value.hour}.{value.minute:02d}"


def status_text(status: str) -> Localized:
    labels = STATUS_LABELS.get(status, {})
    return Localized(status, labels.get("fi", status), labels.get("sv", status))


def task_text(register: Register, task: str) -> Localized:
    return Localized(task, register.task_label(task, "fi"), register.task_label(task, "sv"))


def choices_text(labels: list[Localized]) -> Localized:
    return Localized(*(", ".join(getattr(item, lang) for item in labels) for lang in ("en", "fi", "sv")))


def month_text(month: Month) -> Localized:
    """2026-10 -> 2026-10 / lokakuu 2026 / oktober 2026."""
    return Localized(month, fi_month(month, "fi"), fi_month(month, "sv"))


def month_genitive_text(month: Month) -> Localized:
    """2026-10 -> Lokakuun 2026 (Finnish genitive, sentence-initial), oktober 2026."""
    fi = f"{MONTH_NAMES_FI[month.number - 1]}n {month.year}"
    return Localized(month, fi[0].upper() + fi[1:], month.name("sv"))


def paid_text(payable: bool) -> Localized:
    if payable:
        return Localized("the fee is paid", "palkkio maksetaan", "arvodet betalas")
    return Localized("no fee is paid", "palkkiota ei makseta", "inget arvode betalas")
