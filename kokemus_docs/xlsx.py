"""Small helpers for the workbooks this package writes: typed cells, header style, widths, safe text.

Every text that came from a person (names, notes, travel references) goes through `text_value`, so a
value like '=HYPERLINK(...)' or '+358…' is stored as a string cell and never becomes a formula, and
characters that XML cannot hold are dropped instead of breaking the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from copy import copy
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter

EURO_FORMAT = '#,##0.00 "€"'
DATE_FORMAT = "d.m.yyyy"
DATETIME_FORMAT = "d.m.yyyy h:mm"
HOURS_FORMAT = "0.00"
PERCENT_FORMAT = "0.0 %"

# Characters that make a spreadsheet program treat typed text as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@")

HEADER = "kk_header"
EURO = "kk_euro"
DAY = "kk_date"
STAMP = "kk_datetime"
HOURS = "kk_hours"
PERCENT = "kk_percent"
TEXT = "kk_text"
BOLD_EURO = "kk_euro_bold"
BOLD = "kk_bold"


def add_styles(wb: Workbook) -> None:
    """Register the named styles used by `cell` on a new workbook (once, before writing cells)."""
    header = NamedStyle(HEADER, font=Font(bold=True, color="FFFFFF"),
                        fill=PatternFill("solid", fgColor="1F4E78"),
                        alignment=Alignment(vertical="top", wrap_text=True))
    styles = [
        header,
        NamedStyle(EURO, number_format=EURO_FORMAT),
        NamedStyle(BOLD_EURO, number_format=EURO_FORMAT, font=Font(bold=True)),
        NamedStyle(DAY, number_format=DATE_FORMAT, alignment=Alignment(horizontal="left")),
        NamedStyle(STAMP, number_format=DATETIME_FORMAT, alignment=Alignment(horizontal="left")),
        NamedStyle(HOURS, number_format=HOURS_FORMAT),
        NamedStyle(PERCENT, number_format=PERCENT_FORMAT),
        NamedStyle(TEXT, number_format="@"),
        NamedStyle(BOLD, font=Font(bold=True)),
    ]
    for style in styles:
        wb.add_named_style(style)


def text_value(value: object) -> str:
    """A value as text that XML can hold (control characters removed)."""
    return ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))


def plain_or_cell(ws, value: object, style: str | None = None) -> object:
    """Like `cell`, but hands back the bare value when it needs no style and cannot become a formula.

    Bare values are much cheaper to stream in write-only mode than cell objects.
    """
    if style is None:
        if value is None or isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            text = text_value(value)
            if not text.startswith(FORMULA_TRIGGERS):
                return text
    return cell(ws, value, style)


def _apply_style(c: WriteOnlyCell, style: str) -> None:
    """Give `c` a named style; the resolved style is cached per workbook (looking names up is slow)."""
    wb = c.parent.parent
    cache = wb.__dict__.setdefault("_kokemus_style_cache", {})
    resolved = cache.get(style)
    if resolved is None:
        c.style = style
        cache[style] = copy(c._style)
    else:
        c._style = copy(resolved)


def cell(ws, value: object, style: str | None = None) -> WriteOnlyCell:
    """A typed cell for `ws.append` (works for write-only and normal worksheets).

    str -> string cell, never a formula; Decimal/int -> number; date -> date with d.m.yyyy; None -> empty.
    `style` names one of the styles of `add_styles` (e.g. EURO); a sensible default is chosen by type.
    """
    if isinstance(value, str):
        text = text_value(value)
        c = WriteOnlyCell(ws, text)
        c.data_type = "s"  # openpyxl would otherwise turn '=…' into a formula
        if text.startswith(FORMULA_TRIGGERS):
            _apply_style(c, style or TEXT)
            c.quotePrefix = True  # spreadsheet programs keep it text when the cell is edited
        elif style:
            _apply_style(c, style)
        return c
    c = WriteOnlyCell(ws, value)
    if style:
        _apply_style(c, style)
    elif isinstance(value, datetime):
        _apply_style(c, STAMP)
    elif isinstance(value, date):
        _apply_style(c, DAY)
    return c


def header_row(ws, labels: Sequence[str]) -> list[WriteOnlyCell]:
    return [cell(ws, label, HEADER) for label in labels]


def set_widths(ws, widths: Iterable[float]) -> None:
    """Column widths in characters, from column A on (before the first row in write-only mode)."""
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def table_sheet(wb: Workbook, title: str, headers: Sequence[str], widths: Sequence[float],
                rows: Iterable[Sequence[object]], styles: Sequence[str | None]) -> int:
    """A sheet with a frozen, filterable header row and typed rows; returns the number of data rows.

    `styles[i]` applies to column i of every row (None = by value type).
    """
    ws = wb.create_sheet(title)
    set_widths(ws, widths)
    ws.freeze_panes = "A2"
    ws.append(header_row(ws, headers))
    count = 0
    for values in rows:
        ws.append([plain_or_cell(ws, value, style) for value, style in zip(values, styles, strict=True)])
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    return count


def money_number(amount: Decimal) -> Decimal:
    """Money for a numeric cell: Decimal rounded to cents (openpyxl writes it exactly)."""
    return amount.quantize(Decimal("0.01"))
