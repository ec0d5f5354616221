"""The building blocks of the indicators workbook's sheets: a sheet with its column widths, a table under its header,
a bold totals row, the sheet's filter and print settings, and charts titled and sized alike."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook

from kokemus_docs.core import xlsx
from kokemus_docs.core.month import MONTH_NAMES_FI, MONTH_NAMES_SV

TOTAL_LABEL = "Yhteensä / Totalt"


def month_labels() -> list[str]:
    """The twelve months as "tammikuu / januari" column labels."""
    return [f"{fi} / {sv}" for fi, sv in zip(MONTH_NAMES_FI, MONTH_NAMES_SV, strict=True)]


def write_table(sheet, top: int, headers: Sequence[str], rows: Sequence[Sequence[object]],
                 styles: Sequence[str | None]) -> int:
    """Header at row `top`, rows below it; returns the last row used."""
    for column, label in enumerate(headers, start=1):
        xlsx.set_cell(sheet.cell(row=top, column=column), label, xlsx.HEADER)  # unit names are typed text
    for offset, values in enumerate(rows, start=1):
        for column, (value, style) in enumerate(zip(values, styles, strict=True), start=1):
            target = sheet.cell(row=top + offset, column=column)
            xlsx.set_cell(target, value, style)
    return top + len(rows)


def new_sheet(wb: Workbook, title: str, widths: Sequence[float], headers: Sequence[str] = ()):
    """A new sheet of `wb` with its columns wide enough for `widths` and the `headers`."""
    sheet = wb.create_sheet(title)
    xlsx.set_widths(sheet, xlsx.header_widths(headers, widths) if headers else widths)
    return sheet


def finish(sheet, columns: int, last_row: int, charts: Sequence = ()) -> None:
    """The filter over the table's `columns` down to `last_row`, the charts placed, the print settings."""
    xlsx.finish_sheet(sheet, filter_columns=columns, filter_last_row=last_row, charts=charts)


def titled_chart(chart, title: str, y_title: str, x_title: str = ""):
    """`chart` with its title, axis titles (axes shown) and the workbook's chart size."""
    chart.title = title
    if hasattr(chart, "y_axis"):
        chart.y_axis.title = y_title
        chart.x_axis.title = x_title
        chart.y_axis.delete = False
        chart.x_axis.delete = False
    chart.width, chart.height = xlsx.CHART_WIDTH_CM, xlsx.CHART_HEIGHT_CM
    return chart


def count_axis(chart, largest: int) -> None:
    """A value axis that counts whole tasks or persons: integer steps from 0, no decimals."""
    step = 1
    while largest / step > 12:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2  # 1, 2, 5, 10, 20, 50, …
    chart.y_axis.scaling.min = 0
    chart.y_axis.majorUnit = step
    chart.y_axis.number_format = "0"
    chart.y_axis.numFmt.sourceLinked = False


def _total_styles(styles: Sequence[str | None]) -> list[str]:
    return [{xlsx.EURO: xlsx.TOTAL_EURO, xlsx.HOURS: xlsx.TOTAL_HOURS}.get(style or "", xlsx.TOTAL)
            for style in styles]


def write_totals(sheet, row: int, values: Sequence[object], styles: Sequence[str | None]) -> None:
    """A bold totals row at `row`, below the rows the filter and the charts read."""
    for column, (value, style, total_style) in enumerate(zip(values, styles, _total_styles(styles), strict=True),
                                                         start=1):
        target = sheet.cell(row=row, column=column)
        xlsx.set_cell(target, value, total_style)
        if style == xlsx.PERCENT:
            target.number_format = xlsx.PERCENT_FORMAT
