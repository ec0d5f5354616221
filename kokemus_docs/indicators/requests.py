"""The indicators' request sheets (§8 demand, requests met or not): by month with a chart, and by unit, task,
topic and the reasons requests were left unfilled. Figures from bookings.demand."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from kokemus_docs.bookings.demand import DemandFigures, DemandTally
from kokemus_docs.core import xlsx
from kokemus_docs.core.model import Register
from kokemus_docs.core.month import Month
from kokemus_docs.indicators.sheets import (
    TOTAL_LABEL,
    count_axis,
    finish,
    month_labels,
    new_sheet,
    titled_chart,
    write_table,
    write_totals,
)

HEADERS = ["Pyyntöjä / Förfrågningar", "Varattu / Bokade", "Täyttämättä / Ej tillsatta", "Peruttu / Avbokade",
           "Avoinna / Öppna", "Kieltäytymisiä / Avböjda erbjudanden", "Päiviä varaukseen (mediaani) / Dagar till "
           "bokning (median)"]
STYLES = [None] * 6 + [xlsx.HOURS]
WIDTHS = [13, 11, 13, 11, 10, 16, 18]


def _row(label: str, tally: DemandTally) -> list[object]:
    days = tally.median_days_to_book
    return [label, tally.requested, tally.booked, tally.unfilled, tally.cancelled, tally.open, tally.declined_offers,
            days if days is not None else "–"]


def add_request_sheets(wb: Workbook, register: Register, figures: DemandFigures) -> None:
    """'Pyynnöt kuukausittain' (with a chart) and 'Pyynnöt ryhmittäin'."""
    _by_month(wb, figures)
    _by_group(wb, register, figures)


def _by_month(wb: Workbook, figures: DemandFigures) -> None:
    headers = ["Kuukausi / Månad", *HEADERS]
    sheet = new_sheet(wb, "Pyynnöt kuukausittain", [24, *WIDTHS], headers)
    rows = [_row(label, figures.by_month.get(Month.of(figures.year, month), DemandTally()))
            for month, label in enumerate(month_labels(), start=1)]
    styles = [None, *STYLES]
    last = write_table(sheet, 1, headers, rows, styles)
    write_totals(sheet, last + 1, _row(TOTAL_LABEL, figures.total), styles)
    bars = titled_chart(BarChart(), f"Pyynnöt kuukausittain / Förfrågningar per månad {figures.year}",
                        "pyyntöjä / förfrågningar")
    bars.type, bars.grouping, bars.overlap = "col", "stacked", 100
    for column in (3, 4, 5, 6):  # booked, unfilled, cancelled, open: together all requests
        bars.add_data(Reference(sheet, min_col=column, min_row=1, max_row=13), titles_from_data=True)
    bars.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=13))
    count_axis(bars, max((t.requested for t in figures.by_month.values()), default=0))
    finish(sheet, len(headers), last, [bars])


def _by_group(wb: Workbook, register: Register, figures: DemandFigures) -> None:
    headers = ["Ryhmä / Grupp", *HEADERS]
    sheet = new_sheet(wb, "Pyynnöt ryhmittäin", [40, *WIDTHS], headers)
    rows: list[list[object]] = []
    for unit_id, tally in sorted(figures.by_unit.items()):
        unit = register.units.get(unit_id)
        rows.append(_row(f"{unit.name_fi} / {unit.name_sv}" if unit else unit_id, tally))
    for task, tally in sorted(figures.by_task.items()):
        fi, sv = register.task_label(task, "fi"), register.task_label(task, "sv")
        rows.append(_row(f"{fi} / {sv}" if fi != sv else fi, tally))
    for key, tally in sorted(figures.by_topic.items(), key=lambda item: (-item[1].requested, item[0])):
        rows.append(_row(figures.topic_labels[key], tally))
    last = write_table(sheet, 1, headers, rows, [None, *STYLES])
    write_totals(sheet, last + 1, _row(TOTAL_LABEL, figures.total), [None, *STYLES])
    reasons_top = last + 3
    xlsx.set_cell(sheet.cell(row=reasons_top, column=1), "Täyttämättä jäämisen syy / Orsak till att förfrågan inte "
                  "tillsattes", xlsx.HEADER)
    xlsx.set_cell(sheet.cell(row=reasons_top, column=2), "Pyyntöjä / Förfrågningar", xlsx.HEADER)
    for offset, (reason, count) in enumerate(figures.total.unfilled_reasons.most_common(), start=1):
        xlsx.set_cell(sheet.cell(row=reasons_top + offset, column=1), reason)
        xlsx.set_cell(sheet.cell(row=reasons_top + offset, column=2), count)
    finish(sheet, len(headers), last)
