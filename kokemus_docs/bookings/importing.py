"""Requests from an .xlsx sheet (`kokemus bookings import`): one row per booking, the same columns as
`bookings add`'s options (unit, task, date, start, end, weekly, topic, language, place, note; several dates or
topics in one cell separated by ;). Each good row becomes a request; each bad row is reported with its sheet,
row and column, and never stops the others."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import load_workbook

from kokemus_docs.bookings.commands import booking_line
from kokemus_docs.bookings.model import Booking, BookingError, BookingRequest, booking_json
from kokemus_docs.bookings.requests import add_booking, session_times
from kokemus_docs.core.errors import KokemusError, Problem
from kokemus_docs.core.formatting import shown
from kokemus_docs.core.model import Register
from kokemus_docs.core.report import Outcome
from kokemus_docs.core.workspace import Workspace, workspace_lock
from kokemus_docs.register.package import PackageLimits, PackageRefused, check_package

MAX_IMPORT_ROWS = 2_000
PACKAGE_LIMITS = PackageLimits("booking sheet", max_bytes=20_000_000, max_unpacked=100_000_000)
MAX_COLUMNS = 40
MAX_CELL_CHARS = 2_000

COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("unit_id", "yksikkö", "enhet"),
    "task": ("tehtävä", "uppgift"),
    "date": ("dates", "päivä", "päivämäärä", "datum"),
    "start": ("alkaa", "börjar"),
    "end": ("päättyy", "slutar"),
    "weekly": ("viikoittain", "veckovis"),
    "topic": ("topics", "aihe", "aiheet", "ämne", "ämnen"),
    "language": ("kieli", "språk"),
    "place": ("paikka", "plats"),
    "note": ("lisätiedot", "tilläggsuppgifter"),
}
REQUIRED = ("unit", "task", "date", "start", "end")


@dataclass(frozen=True)
class RefusedRow:
    """A row of the sheet that made no request: where, and why in Finnish and Swedish (for a web page)."""

    row: int
    field: str | None
    fi: str
    sv: str

    def as_json(self) -> dict:
        return {"row": self.row, "field": self.field, "fi": self.fi, "sv": self.sv}


@dataclass
class ImportOutcome(Outcome):
    """`import_bookings`' outcome: the requests made and the rows refused (each also an error in `errors`)."""

    bookings: list[Booking] = field(default_factory=list)
    refused_rows: list[RefusedRow] = field(default_factory=list)

    def json_fields(self) -> dict:
        fields = {**self.extra, "bookings": [booking_json(b) for b in self.bookings]}
        if self.refused_rows:
            fields["refused_rows"] = [row.as_json() for row in self.refused_rows]
        return fields


class ImportUnreadable(KokemusError):
    """The requests workbook cannot be read at all (not an .xlsx, damaged, beyond the limits)."""


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header(row: tuple) -> dict[str, int]:
    names = {name: name for name in COLUMNS} | {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
    found: dict[str, int] = {}
    for position, cell in enumerate(row):
        name = names.get(_text(cell).casefold().lstrip("-"))
        if name and name not in found:
            found[name] = position
    return found


def _rows(path: Path) -> tuple[str, list[tuple]]:
    try:
        check_package(path, PACKAGE_LIMITS)
    except PackageRefused as refused:
        raise ImportUnreadable(f"The workbook {path.name} {refused.reason}", path=path.name,
                               code=refused.kind) from None
    except OSError as exc:
        raise ImportUnreadable(f"The workbook {path.name} cannot be read ({exc.strerror}).", path=path.name,
                               code="unreadable") from None
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise ImportUnreadable(f"The workbook {path.name} is damaged; save it again as .xlsx.", path=path.name,
                               code="damaged") from None
    try:
        sheet = workbook.worksheets[0]
        rows = list(sheet.iter_rows(max_row=MAX_IMPORT_ROWS + 2, max_col=MAX_COLUMNS, values_only=True))
        title = sheet.title
    except Exception:
        raise ImportUnreadable(f"The workbook {path.name} is damaged; save it again as .xlsx.", path=path.name,
                               code="damaged") from None
    finally:
        workbook.close()
    while rows and all(v is None or v == "" for v in rows[-1]):
        rows.pop()
    if len(rows) > MAX_IMPORT_ROWS + 1:
        raise ImportUnreadable(f"The workbook {path.name} has more than {MAX_IMPORT_ROWS:,} rows; import at most "
                               f"{MAX_IMPORT_ROWS:,} requests at a time.", path=path.name, code="too-many-rows")
    return title, rows


def _cell_list(value: object) -> list[str | date]:
    if isinstance(value, (date, datetime)):
        return [value]
    return [part.strip() for part in _text(value).split(";") if part.strip()]


def _clock(value: object) -> str | time:
    if isinstance(value, datetime):
        return value.time()
    return value if isinstance(value, time) else _text(value)


def _request(values: dict[str, object]) -> BookingRequest:
    for name, value in values.items():
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS and name != "note":
            raise BookingError("too-long", field=name, length=len(value), limit=MAX_CELL_CHARS)
    weekly_text = _text(values.get("weekly"))
    if weekly_text and not weekly_text.isdigit():
        raise BookingError("weekly-range", field="weekly", limit=60)
    dates = [d.date() if isinstance(d, datetime) else d for d in _cell_list(values.get("date"))]
    sessions = session_times(dates, _clock(values.get("start")), _clock(values.get("end")),
                             int(weekly_text) if weekly_text else None)
    return BookingRequest(unit_id=_text(values.get("unit")), task=_text(values.get("task")),
                          sessions=tuple(sessions), topics=tuple(str(t) for t in _cell_list(values.get("topic"))),
                          language=_text(values.get("language")).lower() or "any",
                          place=_text(values.get("place")), note=_text(values.get("note")))


def import_bookings(ws: Workspace, register: Register, path: str | Path, *, actor: str = "coordinator",
                    now: datetime | None = None) -> ImportOutcome:
    """Make a request of each row of the workbook's first sheet; each bad row is an error with its row and
    column (also in Finnish and Swedish for a web page: `refused_rows`). ImportUnreadable if the file cannot be
    read at all."""
    path = Path(path)
    title, rows = _rows(path)
    outcome = ImportOutcome()
    index = _header(rows[0]) if rows else {}
    missing = [name for name in REQUIRED if name not in index]
    if missing:
        raise ImportUnreadable(f"The workbook {path.name} lacks the column(s) {', '.join(missing)} in row 1 of "
                               f"sheet {title}; its columns are those of 'kokemus bookings add': "
                               f"{', '.join(COLUMNS)}.", path=path.name, code="missing-column")
    with workspace_lock(ws, "bookings import"):
        for number, raw in enumerate(rows[1:], start=2):
            values = {name: raw[position] if position < len(raw) else None for name, position in index.items()}
            if all(_text(v) == "" for v in values.values()):
                continue
            try:
                booking = add_booking(ws, register, _request(values), actor=actor, now=now)
            except BookingError as error:
                outcome.errors.append(Problem(error.message, path=path.name, sheet=title, row=number,
                                              field=error.field, code=error.code))
                outcome.refused_rows.append(RefusedRow(number, error.field, error.text("fi"), error.text("sv")))
                continue
            outcome.bookings.append(booking)
            outcome.summary.append(f"requested: {booking_line(booking)}")
    outcome.summary.append(f"{len(outcome.bookings)} requests imported from {shown(path.name, 80)}"
                           + (f", {len(outcome.errors)} rows refused" if outcome.errors else ""))
    return outcome
