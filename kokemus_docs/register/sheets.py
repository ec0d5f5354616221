"""The coordinator's register workbook: reading and checking it (one cell's value: `cells`; writing one: `write`).

`load_register` reads all four sheets, checks every cell and reports every problem at once with sheet, row
and column. Rows with errors are left out of the returned `Register`, so the valid rows can still be used.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from kokemus_docs.core.errors import Problem, RegisterUnreadable
from kokemus_docs.core.formatting import ParseError, shown
from kokemus_docs.core.model import Contract, Expert, FeeRate, Register, Unit
from kokemus_docs.core.report import Outcome
from kokemus_docs.register.cells import CONVERTERS, EMPTY_VALUES, cell_text, hetu_problem
from kokemus_docs.register.package import PackageLimits, PackageRefused, check_package

# Bounds on the workbook file, checked before openpyxl opens it (SPEC.md "Limits").
PACKAGE_LIMITS = PackageLimits("register", max_bytes=20_000_000, max_unpacked=100_000_000)
_PACKAGE_CODES = {"too-large": "register-too-large", "damaged": "register-damaged", "not-xlsx": "register-unreadable"}
# Bounds on what the sheets hold.
MAX_ROWS = 20_000                     # data rows per sheet, below the header row
MAX_COLUMNS = 100                     # columns read per row; columns further right are ignored
MAX_CELL_CHARS = 2_000
# Formats people save a register in by mistake, next to the register.xlsx that is missing.
OTHER_FORMATS = (".xls", ".csv", ".ods", ".xlsm", ".numbers")


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    kind: str = "text"  # text | id | ids | date | int | decimal | yesno | list | language | hetu | iban | basis
    aliases: tuple[str, ...] = ()
    help: str = ""


SHEETS: dict[str, tuple[Column, ...]] = {
    "experts": (
        Column("expert_id", True, "id", ("tunnus", "id"), "Unique id, e.g. KA-001"),
        Column("first_name", True, aliases=("etunimi", "förnamn"), help="First name"),
        Column("last_name", True, aliases=("sukunimi", "efternamn"), help="Last name"),
        Column("hetu", True, "hetu", ("henkilötunnus", "personbeteckning"), "Henkilötunnus, e.g. 131052-308T"),
        Column("iban", True, "iban", ("tilinumero", "kontonummer"), "Bank account (IBAN), e.g. FI21 1234 5600 0007 85"),
        Column("language", True, "language", ("kieli", "språk"), "fi or sv: the language of the expert's documents"),
        Column("email", aliases=("sähköposti", "e-post")),
        Column("phone", aliases=("puhelin", "telefon")),
        Column("street_address", aliases=("lähiosoite", "gatuadress")),
        Column("postal_code", kind="postal_code", aliases=("postinumero", "postnummer"), help="e.g. 06100"),
        Column("city", aliases=("postitoimipaikka", "postanstalt", "ort")),
        Column("education", aliases=("koulutus", "utbildning")),
        Column("expert_experience", aliases=("kokemus", "erfarenhet")),
        Column("topics", kind="list", aliases=("aihealueet", "ämnesområden"), help="Topic areas, separated by ;"),
        Column("wishes", aliases=("toiveet", "önskemål")),
        Column("tax_card_year", kind="year", aliases=("verokortti", "skattekort"),
               help="Year of the latest tax card received, e.g. 2026"),
        Column("active", kind="yesno", aliases=("aktiivinen", "aktiv"), help="yes or no (default yes)"),
        Column("service_areas", kind="list", aliases=("palvelualueet", "serviceområden"),
               help="Where the expert is willing to work, separated by ; (empty = anywhere)"),
        Column("earnings_limit_eur", kind="limit", aliases=("ansioraja", "inkomstgräns"),
               help="Optional: a monthly gross amount in euros the expert asked to be warned before their fees "
                    "paid in one month pass, e.g. 1000,00. Never write why"),
    ),
    "units": (
        Column("unit_id", True, "id", ("yksikkö", "enhet", "id"), "Unique id, e.g. MIELI-PORVOO"),
        Column("name_fi", True, aliases=("nimi", "nimi_fi"), help="Unit name in Finnish"),
        Column("name_sv", True, aliases=("namn", "namn_sv"), help="Unit name in Swedish"),
        Column("cost_center", True, aliases=("kustannuspaikka", "kostnadsställe"), help="Cost centre that pays"),
        Column("contact_name", True, aliases=("yhteyshenkilö", "kontaktperson"), help="The unit's named employee"),
        Column("contact_email"),
        Column("contact_phone"),
        Column("address", aliases=("osoite", "adress")),
        Column("premises", aliases=("tilat", "lokaler"), help="Room reserved for the expert"),
        Column("service_area", aliases=("palvelualue", "serviceområde")),
        Column("address_sv", aliases=("adress_sv",), help="Address in Swedish, for Swedish documents"),
        Column("premises_sv", aliases=("lokaler_sv",), help="Premises in Swedish, for Swedish documents"),
        Column("service_area_sv", aliases=("serviceområde_sv",), help="Service area in Swedish"),
        Column("contact_language", False, "language", ("yhteyskieli", "kontaktspråk"),
               "fi or sv: the language of messages to the contact (default fi)"),
        Column("name_en", aliases=("name_english",),
               help="Optional: the unit's name in English, printed on clients' English feedback questionnaires"),
    ),
    "contracts": (
        Column("contract_id", True, "id", ("sopimus", "avtal", "id"), "Unique id, e.g. S-2026-001"),
        Column("expert_id", True, "id", help="An expert_id from the experts sheet"),
        Column("unit_id", True, "id", help="A unit_id from the units sheet"),
        Column("tasks", True, "ids", ("tehtävät", "uppgifter"), "Task codes separated by ;, e.g. individual; group"),
        Column("valid_from", True, "date", help="First day, e.g. 1.9.2026"),
        Column("valid_to", True, "date", help="Last day, e.g. 31.8.2027"),
        Column("signed_on", kind="date", help="Date both parties signed; forms are issued only for signed contracts"),
    ),
    "fees": (
        Column("task", True, "id", help="Task code, e.g. individual"),
        Column("basis", True, "basis", help="hour, session or event"),
        Column("rate_eur", True, "decimal", help="Fee in euros, e.g. 25,00"),
        Column("valid_from", True, "date"),
        Column("valid_to", kind="date", help="Empty = until further notice"),
        Column("income_type", help="Incomes Register income type, e.g. 210 or 214"),
        Column("label_fi", help="Finnish label (needed for codes without a built-in label)"),
        Column("label_sv", help="Swedish label"),
    ),
}

@dataclass
class RegisterCheck:
    """The parsed register plus every problem found; `register` holds only the rows without errors."""

    register: Register
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # (sheet, id) -> the Excel row it was read from, for problems found after reading (unit_id, contract_id, ...)
    rows: dict[tuple[str, str], int] = field(default_factory=dict)
    path: str = ""

    @property
    def counts(self) -> dict[str, int]:
        r = self.register
        return {"experts": len(r.experts), "units": len(r.units), "contracts": len(r.contracts), "fees": len(r.fees)}


class _SheetReader:
    """Turns one sheet's rows into dicts of typed values, collecting problems with row and column."""

    def __init__(self, check: RegisterCheck, path: Path, sheet: str, rows: list[tuple]):
        self.check, self.path, self.sheet = check, path.name, sheet
        self.columns = SHEETS[sheet]
        self.rows = rows

    def problem(self, row: int, column: str | None, message: str, code: str, warning: bool = False,
                **params) -> None:
        target = self.check.warnings if warning else self.check.errors
        target.append(Problem(message, path=self.path, sheet=self.sheet, row=row, field=column, code=code,
                              params=params))

    def records(self) -> Iterable[tuple[int, dict, bool]]:
        """(excel row, typed values, row has no errors) for each non-empty row."""
        header = self.rows[0] if self.rows else ()
        index = _map_header(header, self.columns)
        missing = [c.name for c in self.columns if c.required and c.name not in index]
        if missing:
            raise RegisterUnreadable(
                f"Sheet '{self.sheet}' lacks the required column(s) {', '.join(missing)} in row 1. "
                "Add them (see the instructions sheet) or start from 'kokemus init'.",
                path=self.path, code="missing-column")
        for offset, raw in enumerate(self.rows[1:], start=2):
            cells = {c.name: _cell(raw, index.get(c.name)) for c in self.columns}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
                continue
            before = len(self.check.errors)
            values = {c.name: self._convert(offset, c, cells[c.name]) for c in self.columns}
            yield offset, values, len(self.check.errors) == before

    def _convert(self, row: int, column: Column, value):
        if isinstance(value, str):
            if len(value) > MAX_CELL_CHARS:
                self.problem(row, column.name, f"the cell holds {len(value):,} characters; a cell may hold at most "
                             f"{MAX_CELL_CHARS:,}. Shorten it", "too-long")
                return EMPTY_VALUES.get(column.kind, "")
            control = next((ch for ch in value if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r"), None)
            if control is not None:
                self.problem(row, column.name, f"the cell contains the control character U+{ord(control):04X}, "
                             "which documents cannot hold; retype the cell", "control-character")
                return EMPTY_VALUES.get(column.kind, "")
            value = value.strip()
        if value is None or value == "":
            if column.required:
                self.problem(row, column.name, f"{column.name} is required but empty. {column.help}".strip(),
                             "required")
            return EMPTY_VALUES.get(column.kind, "")
        try:
            return CONVERTERS[column.kind](value)
        except (ParseError, ValueError) as exc:
            value = "" if column.kind in ("hetu", "iban") else shown(cell_text(value))
            self.problem(row, column.name, f"{exc}. {column.help}".strip(), f"bad-{column.kind}", value=value)
            return EMPTY_VALUES.get(column.kind, "")


def _map_header(header: tuple, columns: tuple[Column, ...]) -> dict[str, int]:
    """Column name -> position, matching names and their Finnish/Swedish aliases case-insensitively."""
    names = {c.name: c.name for c in columns}
    for column in columns:
        for alias in column.aliases:
            names.setdefault(alias, column.name)
    index: dict[str, int] = {}
    for position, title in enumerate(header):
        key = str(title or "").strip().lower().rstrip("*").strip().replace(" ", "_")
        name = names.get(key)
        if name and name not in index:
            index[name] = position
    return index


def _cell(raw: tuple, position: int | None):
    return raw[position] if position is not None and position < len(raw) else None


def load_register(path: str | Path, today: date | None = None) -> RegisterCheck:
    """Read and check the register workbook. Raises RegisterUnreadable if it cannot be read at all: missing,
    not an .xlsx workbook, damaged, beyond the size limits, or without a required sheet or column."""
    path = Path(path)
    if not path.is_file():
        raise _missing_register(path)
    rows = _read_sheets(path)
    check = RegisterCheck(Register(), path=path.name)
    _read_experts(check, _SheetReader(check, path, "experts", rows["experts"]), today)
    _read_units(check, _SheetReader(check, path, "units", rows["units"]))
    fee_reader = _SheetReader(check, path, "fees", rows["fees"])
    _read_fees(check, fee_reader)
    _read_contracts(check, _SheetReader(check, path, "contracts", rows["contracts"]))
    return check


def _missing_register(path: Path) -> RegisterUnreadable:
    others = [path.with_suffix(suffix).name for suffix in OTHER_FORMATS if path.with_suffix(suffix).is_file()]
    if others:
        return RegisterUnreadable(
            f"The register {path.name} was not found in {path.parent}, but {', '.join(others)} is there. Open it "
            f"in Excel or LibreOffice and save it as {path.name} (Excel workbook, .xlsx).",
            path=path.name, code="register-missing")
    return RegisterUnreadable(f"The register {path.name} was not found in {path.parent}. "
                              "Create it with 'kokemus init' or copy it into the workspace.",
                              path=path.name, code="register-missing")


def _unreadable(path: Path, reason: str, code: str = "register-unreadable") -> RegisterUnreadable:
    return RegisterUnreadable(f"The register {path.name} {reason}", path=path.name, code=code)


def _read_sheets(path: Path) -> dict[str, list[tuple]]:
    """The rows of the four sheets (header first), within MAX_ROWS and MAX_COLUMNS."""
    try:
        check_package(path, PACKAGE_LIMITS)
    except PackageRefused as refused:
        raise _unreadable(path, refused.reason, _PACKAGE_CODES[refused.kind]) from None
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file; none of them is for the user to read
        raise _damaged(path) from None
    try:
        sheets = {name.strip().lower(): name for name in workbook.sheetnames}
        missing = [s for s in SHEETS if s not in sheets]
        if missing:
            raise _unreadable(path, f"lacks the sheet(s) {', '.join(missing)}. Each of experts, units, contracts "
                              "and fees needs its own sheet (see 'kokemus init').", "missing-sheet")
        rows: dict[str, list[tuple]] = {}
        for sheet in SHEETS:
            worksheet = workbook[sheets[sheet]]
            try:
                read = list(worksheet.iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS, values_only=True))
            except Exception:
                raise _damaged(path, sheets[sheet]) from None
            while read and all(v is None or v == "" for v in read[-1]):
                read.pop()
            if len(read) > MAX_ROWS + 1:
                raise _unreadable(path, f"has more than {MAX_ROWS:,} rows on sheet {sheet}; a register holds at "
                                  f"most {MAX_ROWS:,} rows per sheet. Delete the rows below the last real one "
                                  "(select them, right-click, Delete) and check again.", "too-many-rows")
            rows[sheet] = read
    finally:
        workbook.close()
    return rows


def _damaged(path: Path, sheet: str | None = None) -> RegisterUnreadable:
    where = f"its sheet {sheet}" if sheet else "its content"
    return _unreadable(path, f"is damaged: {where} cannot be read as Excel data. Open it in Excel or LibreOffice, "
                       "save it as a new .xlsx, and check again (or restore it from a backup).", "register-damaged")


def _read_experts(check: RegisterCheck, reader: _SheetReader, today: date | None) -> None:
    seen: dict[str, int] = {}
    hetus: dict[str, tuple[str, int]] = {}
    ibans: dict[str, tuple[str, int]] = {}
    for row, v, ok in reader.records():
        if v["hetu"]:
            found = hetu_problem(v["hetu"], today)
            if found:
                message, code, is_warning = found
                reader.problem(row, "hetu", message, code, warning=is_warning)
                ok = ok and is_warning
        ok = _same_person_checks(reader, row, v, hetus, ibans) and ok
        if not _unique(reader, seen, row, "expert_id", v["expert_id"]) or not ok:
            continue
        active = True if v["active"] is None else v["active"]
        check.register.experts[v["expert_id"]] = Expert(**{**v, "active": active})
        check.rows["experts", v["expert_id"]] = row


def _same_person_checks(reader: _SheetReader, row: int, v: dict, hetus: dict[str, tuple[str, int]],
                        ibans: dict[str, tuple[str, int]]) -> bool:
    """One henkilötunnus on two experts is an error (one person's pay would go under another's number); one
    IBAN on two experts is a warning (a shared account is possible, a copied one is a mistake). The messages
    name the other expert, never the number."""
    ok = True
    hetu = v["hetu"].replace(" ", "")
    if hetu and hetu in hetus:
        other, other_row = hetus[hetu]
        reader.problem(row, "hetu", f"the henkilötunnus is the same as expert {other}'s in row {other_row}; each "
                       "person has one henkilötunnus: check both rows against the tax cards", "duplicate-hetu")
        ok = False
    elif hetu:
        hetus[hetu] = (v["expert_id"], row)
    iban = v["iban"].replace(" ", "")
    if iban and iban in ibans:
        other, other_row = ibans[iban]
        reader.problem(row, "iban", f"the IBAN is the same as expert {other}'s in row {other_row}; check that "
                       "both are paid to the right account", "shared-iban", warning=True)
    elif iban:
        ibans[iban] = (v["expert_id"], row)
    return ok


def _read_units(check: RegisterCheck, reader: _SheetReader) -> None:
    seen: dict[str, int] = {}
    for row, v, ok in reader.records():
        if _unique(reader, seen, row, "unit_id", v["unit_id"]) and ok:
            check.register.units[v["unit_id"]] = Unit(**v)
            check.rows["units", v["unit_id"]] = row


def _read_fees(check: RegisterCheck, reader: _SheetReader) -> None:
    placed: list[tuple[int, FeeRate]] = []
    for row, v, ok in reader.records():
        if v["valid_from"] and v["valid_to"] and v["valid_to"] < v["valid_from"]:
            reader.problem(row, "valid_to", "valid_to is before valid_from; fix one of the dates", "dates-reversed")
            ok = False
        if not ok:
            continue
        rate = FeeRate(**v)
        for other_row, other in placed:
            if other.task == rate.task and _periods_overlap(other, rate):
                reader.problem(row, "valid_from",
                               f"the rate for task '{rate.task}' overlaps the one in row {other_row}; "
                               "end the older rate (valid_to) the day before the new one starts", "overlapping-rates",
                               task=rate.task, other_row=other_row)
                ok = False
                break
        if ok:
            placed.append((row, rate))
            check.register.fees.append(rate)
    known = set(check.register.task_codes())
    for row, rate in placed:
        if rate.task not in known:
            reader.problem(row, "task", f"task '{rate.task}' is unknown", "unknown-task", task=rate.task)
    for row, rate in placed:
        builtin = rate.task in {"individual", "pair", "group", "lecture", "development", "common_meeting"}
        if not builtin and not (rate.label_fi and rate.label_sv):
            reader.problem(row, "label_fi", f"task '{rate.task}' is not a built-in code; give it label_fi and "
                           "label_sv so documents can name it", "missing-label", warning=True, task=rate.task)


def _read_contracts(check: RegisterCheck, reader: _SheetReader) -> None:
    reg = check.register
    seen: dict[str, int] = {}
    for row, v, ok in reader.records():
        if v["expert_id"] and v["expert_id"] not in reg.experts:
            reader.problem(row, "expert_id", f"expert '{v['expert_id']}' is not on the experts sheet (or that row "
                           "has errors); add the expert or correct the id", "unknown-expert",
                           expert_id=v["expert_id"])
            ok = False
        if v["unit_id"] and v["unit_id"] not in reg.units:
            reader.problem(row, "unit_id", f"unit '{v['unit_id']}' is not on the units sheet (or that row has "
                           "errors); add the unit or correct the id", "unknown-unit", unit_id=v["unit_id"])
            ok = False
        if v["valid_from"] and v["valid_to"] and v["valid_to"] < v["valid_from"]:
            reader.problem(row, "valid_to", "valid_to is before valid_from; fix one of the dates", "dates-reversed")
            ok = False
        for task in v["tasks"]:
            rates = [r for r in reg.fees if r.task == task]
            if task not in reg.task_codes():
                reader.problem(row, "tasks", f"task '{task}' is unknown; use a code from the fees sheet "
                               "(individual, pair, group, lecture, development, common_meeting, ...)", "unknown-task",
                               task=task)
                ok = False
            elif not rates:
                reader.problem(row, "tasks", f"task '{task}' has no rate in the fees sheet; add one", "no-rate",
                               task=task)
                ok = False
            elif v["valid_from"] and not any(r.covers(v["valid_from"]) for r in rates):
                reader.problem(row, "tasks", f"task '{task}' has no rate valid on {v['valid_from']:%d.%m.%Y}, when "
                               "the contract starts; add or extend a rate in the fees sheet", "no-rate", task=task)
                ok = False
        if v["signed_on"] is None and ok:
            reader.problem(row, "signed_on", "not signed yet: contracts can be printed, but hour forms are issued "
                           "only after both parties have signed; fill in signed_on then", "unsigned", warning=True)
        if _unique(reader, seen, row, "contract_id", v["contract_id"]) and ok:
            reg.contracts[v["contract_id"]] = Contract(**v)
            check.rows["contracts", v["contract_id"]] = row


def _unique(reader: _SheetReader, seen: dict[str, int], row: int, column: str, value: str) -> bool:
    """Ids name files, and KA-001 and ka-001 would be one file on Windows and macOS: case does not count."""
    if not value:
        return False
    key = value.casefold()
    if key in seen:
        reader.problem(row, column, f"{column} '{value}' is already used in row {seen[key]}; ids must be unique "
                       "(whatever their upper and lower case)", "duplicate-id", value=value, other_row=seen[key])
        return False
    seen[key] = row
    return True


def _periods_overlap(a: FeeRate, b: FeeRate) -> bool:
    a_end = a.valid_to or date.max
    b_end = b.valid_to or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


def check_register(ws) -> Outcome:
    """`kokemus check`: every problem of the workspace's register, how many rows of each sheet are usable, and
    what is missing for Swedish documents or from kokemus.toml."""
    check = load_register(ws.register_path)
    warnings = register_warnings(ws, check)
    counts = check.counts
    summary = [f"{ws.rel(ws.register_path)}: {counts['experts']} experts, {counts['units']} units, "
               f"{counts['contracts']} contracts, {counts['fees']} fee rates usable"]
    if check.errors:
        summary.append(f"{len(check.errors)} problem(s) to fix; rows with errors are left out until fixed.")
    else:
        summary.append("No errors." + (f" {len(warnings)} warning(s)." if warnings else ""))
    return Outcome(errors=check.errors, warnings=warnings, extra={"counts": counts}, summary=summary)


def register_warnings(ws, check: RegisterCheck) -> list[Problem]:
    """Every warning `kokemus check` gives: the register's own, missing Swedish unit texts, empty settings."""
    return check.warnings + swedish_text_warnings(check) + settings_warnings(ws.config)


# Unit texts that Swedish documents take from their own column when it is filled.
SWEDISH_TEXTS = ("address", "premises", "service_area")


def swedish_text_warnings(check: RegisterCheck) -> list[Problem]:
    """A warning for each unit that works with a Swedish-speaking expert (through a contract) and has a
    Finnish address, premises or service area but not the Swedish one: that expert's documents would show
    the Finnish text."""
    register = check.register
    swedish_contracts: dict[str, list[str]] = {}
    for contract in sorted(register.contracts.values(), key=lambda c: c.contract_id):
        expert = register.experts.get(contract.expert_id)
        if expert is not None and expert.document_language == "sv":
            swedish_contracts.setdefault(contract.unit_id, []).append(f"{contract.contract_id} ({expert.expert_id})")
    warnings = []
    for unit_id, contracts in sorted(swedish_contracts.items()):
        unit = register.units.get(unit_id)
        if unit is None:
            continue
        for attribute in SWEDISH_TEXTS:
            if getattr(unit, attribute) and not getattr(unit, f"{attribute}_sv"):
                warnings.append(Problem(
                    f"unit {unit_id} has {attribute} in Finnish but {attribute}_sv is empty; the Swedish "
                    f"documents of contract(s) {', '.join(contracts)} would show the Finnish text. Fill in "
                    f"{attribute}_sv.", path=check.path or None, sheet="units", row=check.rows.get(("units", unit_id)),
                    field=f"{attribute}_sv", code="swedish-text-missing",
                    params={"unit_id": unit_id, "attribute": attribute}))
    return warnings


# kokemus.toml [organisation] keys that documents print, and what each is.
ORGANISATION_SETTINGS = {
    "business_id": "the county's business ID (Y-tunnus / FO-nummer), printed on contracts",
    "postal_address_fi": "the county's postal address in Finnish, printed on Finnish contracts",
    "postal_address_sv": "the county's postal address in Swedish, printed on Swedish contracts",
    "coordinator_name": "whom experts contact with questions, printed on contracts, hour forms and feedback",
    "coordinator_email": "the coordinator's email address, printed with the name",
    "coordinator_phone": "the coordinator's phone number, printed with the name",
}


def settings_warnings(config: dict) -> list[Problem]:
    """A warning for each empty [organisation] setting in kokemus.toml that documents print."""
    organisation = config.get("organisation", {})
    return [Problem(f"Fill in {key} under [organisation] in kokemus.toml: {what}; it is empty now.",
                    path="kokemus.toml", field=f"organisation.{key}", code="setting-missing", params={"key": key})
            for key, what in ORGANISATION_SETTINGS.items() if not str(organisation.get(key, "") or "").strip()]
