"""The month's hour form filled in on the expert's own web page, for those who find a PDF on a phone hard.

The page posts the same fields as the PDF form (`rowNN_date`, ..., `confirm`, `signed_on`). `read_posted` takes
them (bounded by the form's row count), `check_web_form` applies the fee rules of intake.rules to them at once,
and `web_form_pdf` issues the contract's sealed form and fills it with exactly those values, so that the PDF goes
through the same ingest as an upload: the same ledger rows, seal check, duplicate/replace and feedback, and the
filled PDF archived as the record.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kokemus_docs.bookings.hourforms import booked_rows, recorded_cancellations
from kokemus_docs.core.formatting import ParseError, fi_date, fi_time, parse_date, parse_datetime, parse_time
from kokemus_docs.core.ledger import open_ledger
from kokemus_docs.core.model import Contract, Register
from kokemus_docs.core.month import Month
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.forms.fields import (
    CONFIRM_FIELD,
    ROW_FIELDS,
    SIGNED_ON_FIELD,
    ReturnedForm,
    form_id_for,
    row_field,
)
from kokemus_docs.forms.fill import fill_form
from kokemus_docs.forms.issue import form_spec
from kokemus_docs.forms.pdfwriter import build_form_pdf
from kokemus_docs.intake.formread import read_form
from kokemus_docs.intake.rules import FormCheck, validate_form
from kokemus_docs.pdfsafe.limits import FormUnreadable

# The browsers' own date and time pickers send ISO values; the form shows them as people write them here.
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$")


@dataclass
class WebForm:
    """What the expert entered on the page for one contract's form of one month: rows of raw strings."""

    contract_id: str
    month: Month
    rows: list[dict[str, str]] = field(default_factory=list)
    confirmed: bool = False
    signed_on: str = ""

    @property
    def form_id(self) -> str:
        return form_id_for(self.contract_id, self.month)

    def entered(self) -> dict:
        """What was entered, to keep with a page's result and show again (see `restored`)."""
        return {"rows": self.rows, "confirmed": self.confirmed, "signed_on": self.signed_on}

    @classmethod
    def restored(cls, entered: dict, contract_id: str, month: Month, max_rows: int) -> WebForm:
        """The web form `entered` kept, for `contract_id` and `month` (never more than `max_rows` rows)."""
        rows = [{name: str(row.get(name, "")) for name in ROW_FIELDS} for row in entered.get("rows", [])[:max_rows]]
        return cls(contract_id, month, rows=rows, confirmed=bool(entered.get("confirmed")),
                   signed_on=str(entered.get("signed_on", "")))

    def field_values(self) -> dict[str, str]:
        """The values to fill into the PDF form (field name -> text), empty fields left out."""
        values = {row_field(number, name): value for number, row in enumerate(self.rows, start=1)
                  for name, value in row.items() if value}
        if self.signed_on:
            values[SIGNED_ON_FIELD] = self.signed_on
        return values


def input_value(name: str, value: str, month: Month) -> str:
    """A row's value as the page's input for `name` takes it: ISO for the date, time and date-time pickers
    ('14.10.' -> '2026-10-14', '9.30' -> '09:30'); anything that does not parse is given back as typed."""
    period = month.period
    try:
        if name == "date":
            return parse_date(value, period=period).isoformat()
        if name in ("start", "end"):
            return f"{parse_time(value):%H:%M}"
        if name == "cancelled_at":
            return f"{parse_datetime(value, period=period):%Y-%m-%dT%H:%M}"
    except ParseError:
        return value
    return value


def web_form_contracts(register: Register, expert_id: str, month: Month) -> list[Contract]:
    """The expert's signed contracts valid in `month`: one web form each, as `forms issue` gives one PDF each."""
    return sorted((c for c in register.contracts.values()
                   if c.expert_id == expert_id and c.signed_on is not None and c.overlaps_month(month)),
                  key=lambda c: c.contract_id)


def _typed(value: str) -> str:
    """A posted value as the PDF form would hold it: ISO dates from a date picker written as 14.10.2026."""
    value = value.strip()
    if match := _ISO_DATE.fullmatch(value):
        year, month, day = match.groups()
        return f"{int(day)}.{int(month)}.{year}"
    if match := _ISO_DATETIME.fullmatch(value):
        year, month, day, hour, minute = match.groups()
        return f"{int(day)}.{int(month)}.{year} {hour}.{minute}"
    return value


def read_posted(posted: Mapping[str, str], contract_id: str, month: Month, max_rows: int) -> WebForm:
    """The web form from posted fields: `rows` (how many rows the page showed, 1..max_rows), the row fields,
    `confirm` and `signed_on`. Rows beyond `max_rows` are never read; a row left wholly empty is dropped."""
    try:
        shown = int(posted.get("rows", "1"))
    except ValueError:
        shown = 1
    shown = max(1, min(shown, max_rows))
    rows = []
    for number in range(1, shown + 1):
        row = {name: _typed(posted.get(row_field(number, name), "") or "") for name in ROW_FIELDS}
        if any(row.values()):
            rows.append(row)
    return WebForm(contract_id=contract_id, month=month, rows=rows,
                   confirmed=posted.get(CONFIRM_FIELD, "") in ("on", "yes", "1"),
                   signed_on=_typed(posted.get(SIGNED_ON_FIELD, "") or ""))


def check_web_form(ws: Workspace, register: Register, web_form: WebForm) -> FormCheck:
    """The fee rules on the entered rows, exactly as ingest applies them to a returned PDF of this form (booked
    sessions' recorded cancellation times included)."""
    spec = form_spec(ws, register, web_form.contract_id, web_form.month)
    returned = ReturnedForm(path="web", identity=dict(spec.identity), seal=spec.seal,
                            rows={n: row for n, row in enumerate(web_form.rows, start=1)},
                            confirmed=web_form.confirmed, signed_on=web_form.signed_on, source="web")
    with open_ledger(ws.ledger_path) as ledger:
        booked = recorded_cancellations(ws, ledger, web_form.contract_id, web_form.month)
    return validate_form(returned, register, cutoff=ws.cancellation_cutoff, max_travel=ws.max_travel_eur,
                         booked=booked)


def findings_shown(check: FormCheck) -> list[dict]:
    """The rules' findings as the page shows them, in Finnish and Swedish (the page's language may switch):
    [{"field", "error": bool, "where": {"fi", "sv"}, "text": {"fi", "sv"}}]."""
    return [{"field": f.field, "error": f.is_error, "where": {lang: f.where(lang) for lang in ("fi", "sv")},
             "text": {lang: f.text(lang) for lang in ("fi", "sv")}} for f in check.findings]


def web_form_pdf(ws: Workspace, register: Register, web_form: WebForm) -> bytes:
    """The contract's sealed hour form for the month, issued afresh and filled with the entered values."""
    spec = form_spec(ws, register, web_form.contract_id, web_form.month)
    if len(web_form.rows) > spec.rows:
        raise ValueError(f"{len(web_form.rows)} rows do not fit the form's {spec.rows}")
    with tempfile.TemporaryDirectory(prefix="webform-", dir=ws.state_dir) as work:
        blank = Path(work) / "blank.pdf"
        blank.write_bytes(build_form_pdf(spec))
        filled = fill_form(blank, web_form.field_values(), Path(work) / "filled.pdf", confirm=web_form.confirmed)
        return filled.read_bytes()


def starting_rows(ws: Workspace, register: Register, contract_id: str, month: Month) -> list[dict[str, str]]:
    """The rows the page starts with: the form as last accepted (read back from its archived PDF), then each
    booked session of the contract in the month not on it yet (date, start, end, task; status and cancellation
    time for a cancelled one), in date order."""
    period = month.period
    rows = _accepted_rows(ws, contract_id, month)
    listed = set()
    for row in rows:
        try:
            listed.add((parse_date(row["date"], period=period), parse_time(row["start"])))
        except ParseError:
            continue
    for booked in booked_rows(ws, [contract_id], month).get(contract_id, []):
        if (booked.day, booked.start) in listed:
            continue
        rows.append({**dict.fromkeys(ROW_FIELDS, ""), "date": fi_date(booked.day), "start": fi_time(booked.start),
                     "end": fi_time(booked.end), "task": booked.task, "status": booked.status or "",
                     "cancelled_at": (f"{fi_date(booked.cancelled_at.date())} {fi_time(booked.cancelled_at.time())}"
                                      if booked.cancelled_at else "")})
    return rows


def _accepted_rows(ws: Workspace, contract_id: str, month: Month) -> list[dict[str, str]]:
    """The rows of the form as last accepted, read back from its archived PDF; [] when none can be read."""
    with open_ledger(ws.ledger_path) as ledger:
        archived = ledger.accepted_copy(form_id_for(contract_id, month))
    if not archived:
        return []
    try:
        form = read_form(ws.root / archived)
    except (FormUnreadable, OSError):
        return []
    return [{name: form.rows[n].get(name, "") for name in ROW_FIELDS} for n in sorted(form.rows)]
