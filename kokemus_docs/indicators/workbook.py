"""The service indicators of one year as a workbook with charts: demand, fees, topic areas, service areas.

Every figure counts the hour-form lines of work done in the year (by the month of the work, not the
month it was paid). A line is one ordered task: held, cancelled, a no-show, and so on. Charts are
native spreadsheet charts that read the sheet's own cells, so they open in Excel and LibreOffice Calc
and follow any correction made in the cells.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, PieChart, Reference

from kokemus_docs.core import xlsx
from kokemus_docs.core.errors import Problem
from kokemus_docs.core.fileio import PRIVATE, atomic_path
from kokemus_docs.core.formatting import money, money_json
from kokemus_docs.core.ledger import Ledger, open_ledger
from kokemus_docs.core.model import Register
from kokemus_docs.core.month import check_year
from kokemus_docs.core.report import Outcome, Progress, no_progress
from kokemus_docs.core.topics import topic_names
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.indicators.feedback_sheets import add_feedback_sheets
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

ZERO = Decimal("0")
CANCELLED = ("cancelled_in_time", "cancelled_late")


@dataclass
class Tally:
    """Counts and money of a group of lines (a month, a unit, a task type, a service area)."""

    tasks: int = 0
    held: int = 0
    cancelled: int = 0
    cancelled_late: int = 0
    no_show: int = 0
    other: int = 0
    hours: Decimal = ZERO
    fees: Decimal = ZERO
    travel: Decimal = ZERO

    def add(self, status: str, hours: Decimal, fee: Decimal, travel: Decimal) -> None:
        self.tasks += 1
        if status == "held":
            self.held += 1
        elif status in CANCELLED:
            self.cancelled += 1
            self.cancelled_late += status == "cancelled_late"
        elif status == "no_show":
            self.no_show += 1
        else:
            self.other += 1
        self.hours += hours
        self.fees += fee
        self.travel += travel

    def share(self, count: int) -> Decimal | None:
        """`count` as a share of the tasks; None (an empty cell, no point on a chart) when there were none."""
        return (Decimal(count) / Decimal(self.tasks)).quantize(Decimal("0.0001")) if self.tasks else None


@dataclass
class YearFigures:
    year: int
    by_month: dict[int, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_unit: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_task: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_area: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    fees_unit_month: dict[tuple[str, int], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    experts_working: set[str] = field(default_factory=set)
    total: Tally = field(default_factory=Tally)


def year_figures(ledger: Ledger, register: Register, year: int) -> YearFigures:
    """Tally every line of work done in `year` by month, unit, task type and service area."""
    figures = YearFigures(year)
    forms = ledger.forms_for_year(year)
    lines = ledger.lines_of([f.form_id for f in forms])
    for form in forms:
        unit = register.units.get(form.unit_id)
        area = (unit.service_area if unit else "") or "—"
        for line in lines[form.form_id]:
            if line.work_date.year != year:
                continue
            fee = line.fee_eur if line.payable else ZERO
            args = (line.status, line.hours, fee, line.travel_eur)
            for tally in (figures.by_month[line.work_date.month], figures.by_unit[form.unit_id],
                          figures.by_task[line.task], figures.by_area[area], figures.total):
                tally.add(*args)
            figures.fees_unit_month[(form.unit_id, line.work_date.month)] += fee
            figures.experts_working.add(form.expert_id)
    return figures


DEMAND_HEADERS = ["Kuukausi / Månad", "Tehtäviä / Uppdrag", "Toteutui / Genomförda", "Peruttu / Avbokade",
                  "joista myöhässä / varav för sent", "Asiakas ei saapunut / Kunden kom inte", "Muu / Annat",
                  "Peruutusosuus / Andel avbokade", "Poisjääntiosuus / Andel uteblivna", "Tunnit / Timmar",
                  "Palkkiot / Arvoden"]
DEMAND_STYLES = [None, None, None, None, None, None, None, xlsx.PERCENT, xlsx.PERCENT, xlsx.HOURS, xlsx.EURO]
DEMAND_WIDTHS = [24, 11, 12, 11, 12, 14, 9, 13, 13, 10, 13]


def _demand_row(label: str, tally: Tally) -> list[object]:
    return [label, tally.tasks, tally.held, tally.cancelled, tally.cancelled_late, tally.no_show, tally.other,
            tally.share(tally.cancelled), tally.share(tally.no_show), tally.hours, xlsx.money_number(tally.fees)]


def _demand_by_month(wb: Workbook, figures: YearFigures) -> None:
    sheet = new_sheet(wb, "Kysyntä kuukausittain", DEMAND_WIDTHS, DEMAND_HEADERS)
    rows = [_demand_row(label, figures.by_month.get(month, Tally()))
            for month, label in enumerate(month_labels(), start=1)]
    last = write_table(sheet, 1, DEMAND_HEADERS, rows, DEMAND_STYLES)
    write_totals(sheet, last + 1, _demand_row(TOTAL_LABEL, figures.total), DEMAND_STYLES)
    months = Reference(sheet, min_col=1, min_row=2, max_row=13)
    bars = titled_chart(BarChart(), f"Tehtävät kuukausittain / Uppdrag per månad {figures.year}", "tehtäviä / uppdrag")
    bars.type, bars.grouping, bars.overlap = "col", "stacked", 100
    for column in (3, 4, 6, 7):  # held, cancelled, no-show, other: together all tasks
        bars.add_data(Reference(sheet, min_col=column, min_row=1, max_row=13), titles_from_data=True)
    bars.set_categories(months)
    count_axis(bars, max((t.tasks for t in figures.by_month.values()), default=0))
    shares = titled_chart(LineChart(), "Peruutus- ja poisjääntiosuus / Andel avbokade och uteblivna", "osuus / andel")
    shares.add_data(Reference(sheet, min_col=8, max_col=9, min_row=1, max_row=13), titles_from_data=True)
    shares.set_categories(months)
    shares.y_axis.number_format = "0 %"
    shares.y_axis.scaling.min = 0
    shares.display_blanks = "gap"  # a month without tasks (a future month too) has no point
    finish(sheet, len(DEMAND_HEADERS), last, [bars, shares])


def _demand_by_unit(wb: Workbook, register: Register, figures: YearFigures) -> None:
    headers = ["Yksikkö / Enhet"] + DEMAND_HEADERS[1:]
    sheet = new_sheet(wb, "Kysyntä yksiköittäin", [40] + DEMAND_WIDTHS[1:], headers)
    units = sorted(figures.by_unit, key=lambda u: _unit_name(register, u).casefold())
    rows = [_demand_row(_unit_name(register, u), figures.by_unit[u]) for u in units]
    last = write_table(sheet, 1, headers, rows, DEMAND_STYLES)
    write_totals(sheet, last + 1, _demand_row(TOTAL_LABEL, figures.total), DEMAND_STYLES)
    charts = []
    if rows:
        bars = titled_chart(BarChart(), f"Tehtävät yksiköittäin / Uppdrag per enhet {figures.year}",
                            "tehtäviä / uppdrag")
        bars.type, bars.grouping, bars.overlap = "bar", "stacked", 100
        bars.x_axis.scaling.orientation = "maxMin"  # in the order of the table
        for column in (3, 4, 6, 7):
            bars.add_data(Reference(sheet, min_col=column, min_row=1, max_row=last), titles_from_data=True)
        bars.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
        count_axis(bars, max(t.tasks for t in figures.by_unit.values()))
        bars.height = max(xlsx.CHART_HEIGHT_CM, 1.2 * len(rows))
        charts.append(bars)
    finish(sheet, len(headers), last, charts)


def _task_types(wb: Workbook, register: Register, figures: YearFigures) -> None:
    # held + cancelled + no-show + other (expert ill, a group ended or without participants) = tasks
    headers = ["Tehtävä / Uppdrag", "Tehtäviä / Uppdrag", "Toteutui / Genomförda", "Peruttu / Avbokade",
               "Asiakas ei saapunut / Kunden kom inte", "Muu / Annat", "Tunnit / Timmar", "Palkkiot / Arvoden"]
    sheet = new_sheet(wb, "Tehtävätyypit", [40, 12, 12, 11, 14, 9, 12, 14], headers)
    tasks = sorted(figures.by_task, key=lambda t: -figures.by_task[t].tasks)
    rows = [[f"{register.task_label(t, 'fi')} / {register.task_label(t, 'sv')}", figures.by_task[t].tasks,
             figures.by_task[t].held, figures.by_task[t].cancelled, figures.by_task[t].no_show,
             figures.by_task[t].other, figures.by_task[t].hours, xlsx.money_number(figures.by_task[t].fees)]
            for t in tasks]
    styles = [None] * 6 + [xlsx.HOURS, xlsx.EURO]
    last = write_table(sheet, 1, headers, rows, styles)
    total = figures.total
    write_totals(sheet, last + 1, [TOTAL_LABEL, total.tasks, total.held, total.cancelled, total.no_show,
                                   total.other, total.hours, xlsx.money_number(total.fees)], styles)
    charts = []
    if rows:
        pie = titled_chart(PieChart(), f"Tehtävät tyypeittäin / Uppdrag per typ {figures.year}", "")
        pie.add_data(Reference(sheet, min_col=2, min_row=1, max_row=last), titles_from_data=True)
        pie.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
        charts.append(pie)
    finish(sheet, len(headers), last, charts)


def _fees(wb: Workbook, register: Register, figures: YearFigures) -> None:
    units = sorted({u for u, _ in figures.fees_unit_month} | set(figures.by_unit),
                   key=lambda u: _unit_name(register, u).casefold())
    headers = ["Kuukausi / Månad"] + [_unit_name(register, u) for u in units] + [TOTAL_LABEL]
    sheet = new_sheet(wb, "Palkkiot", [24] + [16] * len(units) + [16], headers)
    rows = []
    for month, label in enumerate(month_labels(), start=1):
        amounts = [figures.fees_unit_month.get((u, month), ZERO) for u in units]
        rows.append([label] + [xlsx.money_number(a) for a in amounts] + [xlsx.money_number(sum(amounts, ZERO))])
    totals = [sum((figures.fees_unit_month.get((u, m), ZERO) for m in range(1, 13)), ZERO) for u in units]
    styles = [None] + [xlsx.EURO] * (len(units) + 1)
    last = write_table(sheet, 1, headers, rows, styles)
    write_totals(sheet, last + 1, [TOTAL_LABEL] + [xlsx.money_number(t) for t in totals]
                 + [xlsx.money_number(sum(totals, ZERO))], styles)
    charts = []
    if units:
        bars = titled_chart(BarChart(), f"Palkkiot yksiköittäin ja kuukausittain / Arvoden per enhet och månad "
                                        f"{figures.year}", "€")
        bars.type, bars.grouping, bars.overlap = "col", "stacked", 100
        bars.add_data(Reference(sheet, min_col=2, max_col=1 + len(units), min_row=1, max_row=13),
                      titles_from_data=True)
        bars.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=13))
        bars.y_axis.number_format = '#,##0 "€"'
        bars.y_axis.scaling.min = 0
        charts.append(bars)
    finish(sheet, len(headers), last, charts)


def topic_counts(register: Register, working: set[str]) -> list[tuple[str, int, int]]:
    """(topic 'fi / sv', active experts, of whom working in the year) per topic area, most common first.

    A topic typed in Finnish, Swedish or with other case or spacing counts once per expert.
    """
    names: dict[str, str] = {}
    registered: Counter[str] = Counter()
    in_work: Counter[str] = Counter()
    for expert in register.experts.values():
        if not expert.active:
            continue
        seen = set()
        for typed in expert.topics:
            if not typed.strip():
                continue
            key, fi, sv = topic_names(typed)
            if key in seen:
                continue
            seen.add(key)
            names.setdefault(key, fi if fi == sv else f"{fi} / {sv}")
            registered[key] += 1
            in_work[key] += expert.expert_id in working
    order = sorted(registered, key=lambda k: (-registered[k], names[k].casefold()))
    return [(names[k], registered[k], in_work[k]) for k in order]


def _topics(wb: Workbook, register: Register, figures: YearFigures) -> None:
    headers = ["Aihealue / Temaområde", "Asiantuntijoita / Experter",
               f"joista työssä {figures.year} / varav i uppdrag {figures.year}"]
    sheet = new_sheet(wb, "Aihealueet", [40, 16, 22], headers)
    counted = topic_counts(register, figures.experts_working)
    last = write_table(sheet, 1, headers, [list(row) for row in counted], [None] * 3)
    active = [e for e in register.experts.values() if e.active]
    write_totals(sheet, last + 1, ["Aktiivisia asiantuntijoita / Aktiva experter", len(active),
                                   sum(e.expert_id in figures.experts_working for e in active)], [None] * 3)
    charts = []
    if counted:
        bars = titled_chart(BarChart(), "Asiantuntijat aihealueittain / Experter per temaområde",
                            "asiantuntijoita / experter")
        bars.type = "bar"
        bars.x_axis.scaling.orientation = "maxMin"  # the most common first, as in the table
        bars.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=last), titles_from_data=True)
        bars.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
        count_axis(bars, max(row[1] for row in counted))
        bars.height = max(xlsx.CHART_HEIGHT_CM, 0.7 * len(counted))
        charts.append(bars)
    finish(sheet, len(headers), last, charts)


def _service_areas(wb: Workbook, register: Register, figures: YearFigures) -> None:
    headers = ["Palvelualue / Serviceområde", "Yksiköitä / Enheter", f"joissa työtä {figures.year} / med uppdrag",
               "Tehtäviä / Uppdrag", "Palkkiot / Arvoden"]
    sheet = new_sheet(wb, "Palvelualueet", [44, 14, 22, 12, 14], headers)
    labels: dict[str, str] = {}
    for unit in register.units.values():
        area = unit.service_area or "—"
        sv = unit.localized("service_area", "sv") or area
        labels.setdefault(area, area if sv == area else f"{area} / {sv}")
    units_in_area: Counter[str] = Counter(u.service_area or "—" for u in register.units.values())
    active_units: Counter[str] = Counter()
    for unit_id in figures.by_unit:
        known = register.units.get(unit_id)
        active_units[(known.service_area if known else "") or "—"] += 1
    areas = sorted(set(units_in_area) | set(figures.by_area), key=lambda a: (-figures.by_area.get(a, Tally()).tasks, a))
    rows = [[labels.get(a, a), units_in_area.get(a, 0), active_units.get(a, 0), figures.by_area.get(a, Tally()).tasks,
             xlsx.money_number(figures.by_area.get(a, Tally()).fees)] for a in areas]
    styles = [None] * 4 + [xlsx.EURO]
    last = write_table(sheet, 1, headers, rows, styles)
    write_totals(sheet, last + 1, [TOTAL_LABEL, len(register.units), len(figures.by_unit), figures.total.tasks,
                                   xlsx.money_number(figures.total.fees)], styles)
    reached = [a for a in areas if figures.by_area.get(a, Tally()).tasks]
    charts = []
    if reached:
        pie = titled_chart(PieChart(), f"Tehtävät palvelualueittain / Uppdrag per serviceområde {figures.year}", "")
        pie.add_data(Reference(sheet, min_col=4, min_row=1, max_row=1 + len(reached)), titles_from_data=True)
        pie.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=1 + len(reached)))
        charts.append(pie)
    finish(sheet, len(headers), last, charts)


def _about(wb: Workbook, ws: Workspace, figures: YearFigures, generated_at: datetime) -> None:
    sheet = wb.create_sheet("Tiedot", 0)
    xlsx.set_widths(sheet, [46, 70])
    total = figures.total
    rows: list[tuple[str, object, str | None]] = [
        ("Kokemusasiantuntijatoiminnan tunnusluvut / Nyckeltal för erfarenhetsexpertverksamheten",
         ws.org_name("fi"), None),
        ("Vuosi / År", figures.year, None),
        ("Luotu / Skapad", generated_at, xlsx.STAMP),
        ("Tehtäviä / Uppdrag", total.tasks, None),
        ("Toteutui / Genomförda", total.held, None),
        ("Peruutusosuus / Andel avbokade", total.share(total.cancelled), xlsx.PERCENT),
        ("Poisjääntiosuus / Andel uteblivna", total.share(total.no_show), xlsx.PERCENT),
        ("Palkkiot / Arvoden", xlsx.money_number(total.fees), xlsx.EURO),
        ("Matkakorvaukset / Resekostnader", xlsx.money_number(total.travel), xlsx.EURO),
        ("Asiantuntijoita työssä / Experter i uppdrag", len(figures.experts_working), None),
        ("Yksiköitä, joissa työtä / Enheter med uppdrag", len(figures.by_unit), None),
        ("Laskentaperuste / Beräkningsgrund",
         "Tuntilomakkeiden rivit työn tekemisen kuukauden mukaan (ei maksukuukauden); palaute vastauspäivän "
         "mukaan (välilehdet Palaute). / Timblanketternas rader enligt månaden då arbetet utfördes (inte "
         "betalningsmånaden); responsen enligt svarsdagen (flikarna Palaute).", None),
    ]
    for number, (label, value, style) in enumerate(rows, start=1):
        xlsx.set_cell(sheet.cell(row=number, column=1), label, xlsx.BOLD)
        xlsx.set_cell(sheet.cell(row=number, column=2), value, style)
    xlsx.print_setup(sheet)
    xlsx.fit_row_heights(sheet)


def _unit_name(register: Register, unit_id: str) -> str:
    unit = register.units.get(unit_id)
    return unit.name_fi if unit else unit_id


def indicators_path(ws: Workspace, year: int) -> Path:
    return ws.output("indicators", f"indicators_{year}.xlsx")


def write_indicators(ws: Workspace, register: Register, year: int, progress: Progress | None = None) -> Outcome:
    """Write outputs/indicators/indicators_<year>.xlsx: demand by month, unit and task type, fees by unit and
    month, experts by topic area and service areas reached, each with a native chart."""
    year = check_year(year)
    progress = progress or no_progress
    from kokemus_docs.bookings.demand import demand_figures
    from kokemus_docs.indicators.requests import add_request_sheets

    with open_ledger(ws.ledger_path) as ledger:
        figures = year_figures(ledger, register, year)
    demand = demand_figures(ws, year)
    outcome = Outcome()
    unknown = sorted(u for u in figures.by_unit if u not in register.units)
    for unit_id in unknown:
        outcome.warnings.append(Problem(f"Unit {unit_id} has work in {year} but is no longer in the register; it "
                                        "is shown by its id without a service area.", sheet="units",
                                        field="unit_id", code="unknown-unit"))
    wb = Workbook()
    wb.remove(wb.active)
    xlsx.add_styles(wb)
    # One step per sheet, in the order of the tabs (the facts sheet puts itself first). A sheet added here
    # finishes with xlsx.finish_sheet (or xlsx.table_sheet), so that it prints like the others.
    steps = [
        lambda: _demand_by_month(wb, figures),
        lambda: _demand_by_unit(wb, register, figures),
        lambda: add_request_sheets(wb, register, demand),
        lambda: _task_types(wb, register, figures),
        lambda: _fees(wb, register, figures),
        lambda: _topics(wb, register, figures),
        lambda: _service_areas(wb, register, figures),
        lambda: _about(wb, ws, figures, datetime.now().replace(microsecond=0)),
    ]
    for done, step in enumerate(steps, start=1):
        step()
        progress(done, len(steps), "indicators")
    feedback = add_feedback_sheets(wb, ws, register, year)
    target = indicators_path(ws, year)
    with atomic_path(target, mode=PRIVATE) as tmp:  # client comments
        wb.save(tmp)
    outcome.written.append(target)
    outcome.extra = {"year": year, "tasks": figures.total.tasks, "held": figures.total.held,
                     "fees_eur": money_json(figures.total.fees),
                     "units": len(figures.by_unit), "experts": len(figures.experts_working), "feedback": feedback,
                     "demand": demand.as_json()}
    outcome.summary = [
        f"Indicators {year}: {figures.total.tasks} tasks ({figures.total.held} held) in {len(figures.by_unit)} "
        f"units by {len(figures.experts_working)} experts; fees {money(figures.total.fees)}.",
        f"Written to {ws.rel(target)} (charts on each sheet).",
    ]
    if not figures.total.tasks:
        outcome.summary.append(f"No hour-form lines for {year} in the ledger yet; the sheets are empty.")
    return outcome
