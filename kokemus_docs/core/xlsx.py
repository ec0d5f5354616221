"""Small helpers for the workbooks this package writes: typed cells, header style, widths, safe text, and the
print settings every sheet gets (A4 landscape, one page wide, header rows on every page, rows tall enough for
their wrapped text, charts placed so that no page break cuts them).

Every text that came from a person (names, notes, travel references) goes through `text_value`, so a
value like '=HYPERLINK(...)' or '+358…' is stored as a string cell and never becomes a formula, and
characters that XML cannot hold are dropped instead of breaking the file.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from copy import copy
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties

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
TOTAL = "kk_total"
TOTAL_EURO = "kk_total_euro"
TOTAL_HOURS = "kk_total_hours"
CENTER = "kk_center"  # short text between numbers, so that neither runs into the other on paper

# Points per line of 11-point text, and how many characters of text fit in one unit of column width (a unit is
# the width of a '0'; LibreOffice may draw with a wider font than Calibri, so this errs on the narrow side).
LINE_HEIGHT = 15.0
CHARS_PER_WIDTH = 1.15
BOLD_CHARS_PER_WIDTH = 0.92
DEFAULT_WIDTH = 8.43
MAX_ROW_HEIGHT = 409.0
ROW_CM = 15.0 / 72 * 2.54  # a default row (15 pt) in centimetres
CHART_WIDTH_CM = 24.0
CHART_HEIGHT_CM = 13.0
MAX_CHART_HEIGHT_CM = 15.5  # what a landscape A4 page holds under a repeated header row


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
        NamedStyle(BOLD, font=Font(bold=True), alignment=Alignment(vertical="top", wrap_text=True)),
        NamedStyle(TOTAL, font=Font(bold=True), fill=PatternFill("solid", fgColor="DDEBF7"),
                   alignment=Alignment(vertical="top", wrap_text=True)),
        NamedStyle(TOTAL_EURO, number_format=EURO_FORMAT, font=Font(bold=True),
                   fill=PatternFill("solid", fgColor="DDEBF7")),
        NamedStyle(TOTAL_HOURS, number_format=HOURS_FORMAT, font=Font(bold=True),
                   fill=PatternFill("solid", fgColor="DDEBF7")),
        NamedStyle(CENTER, alignment=Alignment(horizontal="center", vertical="top", wrap_text=True)),
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


def set_cell(target, value: object, style: str | None = None) -> None:
    """Put `value` into a normal (not write-only) cell: text always as text, never as a formula."""
    if style:
        target.style = style  # first: a named style would reset the quote prefix
    if isinstance(value, str):
        target.value = text_value(value)
        target.data_type = "s"
        if target.value.startswith(FORMULA_TRIGGERS):
            target.quotePrefix = True
    else:
        target.value = value


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
                rows: Iterable[Sequence[object]], styles: Sequence[str | None],
                totals: Sequence[object] | None = None, total_styles: Sequence[str | None] | None = None, *,
                pages_wide: int = 1, title_columns: str | None = None) -> int:
    """A sheet with a frozen, filterable header row, typed rows and an optional totals row below the filter;
    printed landscape, `pages_wide` pages wide (see print_setup), the header on every page. Returns the number of
    data rows.

    `styles[i]` applies to column i of every row (None = by value type); `total_styles[i]` to the totals row
    (default: TOTAL, or TOTAL_EURO where the column is EURO).
    """
    ws = wb.create_sheet(title)
    set_widths(ws, header_widths(headers, widths))
    ws.append(header_row(ws, headers))
    count = 0
    for values in rows:
        ws.append([plain_or_cell(ws, value, style) for value, style in zip(values, styles, strict=True)])
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    if totals is not None:
        if total_styles is None:
            total_styles = [_total_style(style) for style in styles]
        ws.append([cell(ws, value, style) for value, style in zip(totals, total_styles, strict=True)])
    print_setup(ws, pages_wide=pages_wide, title_columns=title_columns)
    fit_row_heights(ws)
    return count


def _total_style(style: str | None) -> str:
    return {EURO: TOTAL_EURO, HOURS: TOTAL_HOURS}.get(style or "", TOTAL)


def print_setup(sheet, *, title_rows: int = 1, freeze: str | None = "A2", pages_wide: int = 1,
                title_columns: str | None = None) -> None:
    """The print and view settings every sheet gets: A4 landscape, fit to `pages_wide` pages wide (as many pages
    down as needed; a wide table is two pages wide so its text prints at a readable size, with `title_columns`
    such as "A:B" repeated on each), the first `title_rows` rows repeated on every page and frozen on screen, the
    sheet name and page number in the footer. Works on normal and write-only sheets."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = pages_wide
    sheet.page_setup.fitToHeight = 0
    if sheet.sheet_properties.pageSetUpPr is None:
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    else:
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.3, right=0.3, top=0.5, bottom=0.6, header=0.25, footer=0.25)
    sheet.print_options.gridLines = False
    sheet.oddFooter.center.text = "&A – &P / &N"
    if title_rows:
        sheet.print_title_rows = f"1:{title_rows}"
    if title_columns:
        sheet.print_title_cols = title_columns
    if freeze:
        sheet.freeze_panes = freeze


@functools.lru_cache(maxsize=4096)
def text_lines(text: str, width: float | None, *, bold: bool = False) -> int:
    """How many lines `text` takes when wrapped in a column `width` characters wide (an estimate that errs
    towards more lines)."""
    per_line = max(1, int((width or DEFAULT_WIDTH) * (BOLD_CHARS_PER_WIDTH if bold else CHARS_PER_WIDTH)))
    lines = 0
    for paragraph in str(text).split("\n"):
        used, count = 0, 1
        for word in paragraph.split():
            size = len(word)
            if used and used + 1 + size > per_line:
                count, used = count + 1, 0
            if size > per_line:  # a long word breaks over lines of its own
                count += math.ceil(size / per_line) - 1
                used = size % per_line
            else:
                used += (1 if used else 0) + size
        lines += count
    return max(lines, 1)


def header_widths(headers: Sequence[str], widths: Sequence[float]) -> list[float]:
    """`widths`, widened where a word of the bold header would not fit on one line (no word is cut)."""
    return [max(width, max((len(word) for word in label.split()), default=0) / BOLD_CHARS_PER_WIDTH + 1)
            for label, width in zip(headers, widths, strict=True)]


def fit_row_heights(sheet, first_row: int = 1) -> None:
    """Wrap text wider than its column and give each row the height its wrapped text needs (spreadsheet
    programs do not grow rows for text written by a program, so a wrapped second line would hide). The cells
    of a row that grows are aligned to the top, so that a row reads across on one line."""
    widths = {letter: dim.width for letter, dim in sheet.column_dimensions.items()}
    merged = {}
    for area in sheet.merged_cells.ranges:
        merged[(area.min_row, area.min_col)] = sum(
            widths.get(get_column_letter(col)) or DEFAULT_WIDTH for col in range(area.min_col, area.max_col + 1))
    # Wrapped, top-aligned variants of each alignment in use, registered once: setting `cell.alignment` on
    # every cell of a large sheet would look each one up again.
    alignments = sheet.parent._alignments
    top_wrapped: dict[int, int] = {}

    def top_wrapped_id(current: int) -> int:
        if current not in top_wrapped:
            base = alignments[current]
            top_wrapped[current] = alignments.add(Alignment(
                horizontal=base.horizontal, vertical="top", wrap_text=True, indent=base.indent,
                textRotation=base.textRotation, shrink_to_fit=False))
        return top_wrapped[current]

    fonts = sheet.parent._fonts
    bold_fonts: dict[int, bool] = {}

    def is_bold(cell) -> bool:
        font_id = cell._style.fontId if cell._style is not None else 0
        if font_id not in bold_fonts:
            bold_fonts[font_id] = bool(fonts[font_id].b)
        return bold_fonts[font_id]

    for row in sheet.iter_rows(min_row=first_row):
        lines = 1
        for target in row:
            if not isinstance(target.value, str) or not target.value:
                continue
            width = merged.get((target.row, target.column)) or widths.get(target.column_letter)
            lines = max(lines, text_lines(target.value, width, bold=is_bold(target)))
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines)
            for target in row:
                if target.value is not None:
                    if target._style is None:
                        target._style = StyleArray()
                    target._style.alignmentId = top_wrapped_id(target._style.alignmentId)


def finish_sheet(sheet, *, filter_columns: int = 0, filter_last_row: int = 0, charts: Sequence = ()) -> None:
    """The last step for a sheet written cell by cell: a filter on its table (header row 1 down to
    `filter_last_row`, leaving a totals row below it out), the print settings, row heights, and `charts` below
    the table, each on a page of its own. A table that fits its first page does not repeat its header on the
    chart pages (a header with no table under it)."""
    if filter_columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(filter_columns)}{max(filter_last_row, 1)}"
    print_setup(sheet, title_rows=0 if charts and sheet.max_row <= ROWS_ON_A_PAGE else 1)
    fit_row_heights(sheet)
    place_charts(sheet, charts, sheet.max_row + 1)


ROWS_ON_A_PAGE = 25  # table rows that surely fit a landscape A4 page under a wrapped header


def rows_for(height_cm: float) -> int:
    """Default-height rows a chart `height_cm` tall covers."""
    return math.ceil(height_cm / ROW_CM) + 1


def place_charts(sheet, charts: Sequence, first_row: int, *, width_cm: float = CHART_WIDTH_CM,
                 height_cm: float = CHART_HEIGHT_CM) -> int:
    """Put each chart on a page of its own below the sheet's table: a page break before it, anchored in
    column A, sized to fit a landscape page. A chart keeps a larger height it was given (e.g. for many bars)
    but never more than a page holds. Returns the first row after the last chart."""
    row = first_row
    for chart in charts:
        chart.width = width_cm
        chart.height = min(max(chart.height, height_cm), MAX_CHART_HEIGHT_CM)
        sheet.row_breaks.append(Break(id=row))
        chart.anchor = f"A{row + 1}"
        sheet.add_chart(chart)
        row += rows_for(chart.height) + 1
    return row


def money_number(amount: Decimal) -> Decimal:
    """Money for a numeric cell: Decimal rounded to cents (openpyxl writes it exactly)."""
    return amount.quantize(Decimal("0.01"))
