"""The client feedback sheets of the indicators workbook, and the `feedback` figures of its JSON.

Per respondent group, for all units and per unit: the number of answers, NPS (% answering 9–10 minus %
answering 0–6, in points with one decimal) and per statement the mean and the share agreeing (4–5); by quarter
too; and the comments, for the coordinator to read before sharing. A breakdown with fewer than
`MIN_ANSWERS` answers shows "< 5" and no figures, and stays out of the charts: too few to stay anonymous. So that
its figures cannot be worked out by subtracting the other breakdowns from their shown total (all units minus the
other units, the year minus the other quarters), the smallest other breakdowns are hidden with it (`HIDDEN`).
The same holds for each statement: its mean and share are shown only where at least `MIN_ANSWERS` answered that
statement, with the same complementary hiding per statement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter

from kokemus_docs.core import xlsx
from kokemus_docs.core.ledger import open_ledger
from kokemus_docs.core.model import Register
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.feedback.answers import Answer
from kokemus_docs.feedback.ledger import answers_for_year
from kokemus_docs.feedback.questions import QUESTIONS, RESPONDENT_LABELS, RESPONDENTS, STATEMENTS

MIN_ANSWERS = 5
TOO_FEW = "< 5"
HIDDEN = "piilotettu / dold"
SMALL_GROUP = "alle 5 vastausta: yksikköä ei näytetä / färre än 5 svar: enheten visas inte"
ALL_UNITS = "Kaikki yksiköt / Alla enheter"
CHANNEL_LABELS = {"pdf": "PDF / paperi", "csv": "kysely / enkät (CSV)", "xlsx": "kysely / enkät (XLSX)",
                  "web": "puhelin / telefon"}
QUARTERS = ("1. neljännes / kvartal", "2. neljännes / kvartal", "3. neljännes / kvartal", "4. neljännes / kvartal")


@dataclass
class Figures:
    """The figures of one breakdown. `nps`, `means` and `agree` are None when n < MIN_ANSWERS or `hidden`."""

    n: int
    nps: Decimal | None = None
    means: dict[str, Decimal | None] = field(default_factory=dict)
    agree: dict[str, Decimal | None] = field(default_factory=dict)  # share answering 4 or 5, 0..1
    hidden: bool = False  # enough answers, hidden so that a smaller breakdown cannot be worked out from the total
    answered: dict[str, int] = field(default_factory=dict)  # how many answered each statement
    hidden_statements: set[str] = field(default_factory=set)  # enough answered, hidden to protect a smaller part

    @property
    def shown(self) -> bool:
        return self.n >= MIN_ANSWERS and not self.hidden

    def statement_shown(self, name: str) -> bool:
        """Whether the statement's mean and share are shown (at least MIN_ANSWERS answered it, not hidden)."""
        return self.shown and self.answered.get(name, 0) >= MIN_ANSWERS and name not in self.hidden_statements

    def hide_statement(self, name: str) -> None:
        self.hidden_statements.add(name)
        self.means[name] = self.agree[name] = None

    def hide(self) -> None:
        self.hidden = True
        self.nps = None
        self.means = dict.fromkeys(STATEMENTS)
        self.agree = dict.fromkeys(STATEMENTS)


def protect(total: Figures, parts: Sequence[Figures]) -> None:
    """Hide the smallest shown `parts` until the parts without figures hold no answers or at least MIN_ANSWERS
    together, so that total minus the shown parts never gives the figures of fewer than MIN_ANSWERS answers."""
    if not total.shown:
        return
    while 0 < sum(p.n for p in parts if not p.shown) < MIN_ANSWERS:
        min((p for p in parts if p.shown), key=lambda p: p.n).hide()
    for name in STATEMENTS:  # the same for each statement's answers
        if not total.statement_shown(name):
            continue
        while 0 < sum(p.answered.get(name, 0) for p in parts if not p.statement_shown(name)) < MIN_ANSWERS:
            min((p for p in parts if p.statement_shown(name)), key=lambda p: p.answered[name]).hide_statement(name)


def figures_of(answers: Sequence[Answer]) -> Figures:
    """n, NPS, and per statement the mean (two decimals) and share agreeing, of `answers`.

    A statement left without an answer is left out of that statement's mean and share; a statement that fewer
    than MIN_ANSWERS answered has neither.
    """
    figures = Figures(n=len(answers))
    for index, name in enumerate(STATEMENTS):
        figures.answered[name] = sum(a.statements[index] is not None for a in answers)
    if not figures.shown:
        figures.means = dict.fromkeys(STATEMENTS)
        figures.agree = dict.fromkeys(STATEMENTS)
        return figures
    promoters = sum(a.recommend >= 9 for a in answers)
    detractors = sum(a.recommend <= 6 for a in answers)
    figures.nps = (Decimal(100 * (promoters - detractors)) / len(answers)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    for index, name in enumerate(STATEMENTS):
        given = [v for v in (a.statements[index] for a in answers) if v is not None]
        if len(given) < MIN_ANSWERS:
            figures.means[name] = figures.agree[name] = None
            continue
        figures.means[name] = (Decimal(sum(given)) / len(given)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        figures.agree[name] = (Decimal(sum(v >= 4 for v in given)) / len(given)).quantize(Decimal("0.0001"),
                                                                                        ROUND_HALF_UP)
    return figures


def breakdowns(answers: Sequence[Answer]) -> list[tuple[str, str | None, Figures]]:
    """(respondent, unit_id or None for all units, figures): each group for all units, then its units by id."""
    result: list[tuple[str, str | None, Figures]] = []
    for respondent in RESPONDENTS:
        mine = [a for a in answers if a.respondent == respondent]
        total = figures_of(mine)
        units = [(unit_id, figures_of([a for a in mine if a.unit_id == unit_id]))
                 for unit_id in sorted({a.unit_id for a in mine})]
        protect(total, [figures for _, figures in units])
        result.append((respondent, None, total))
        result += [(respondent, unit_id, figures) for unit_id, figures in units]
    return result


def feedback_json(rows: Sequence[tuple[str, str | None, Figures]]) -> list[dict]:
    return [{"respondent": respondent, "unit_id": unit_id, "n": figures.n,
             "nps": float(figures.nps) if figures.nps is not None else None,
             "means": {k: float(v) if v is not None else None for k, v in figures.means.items()}}
            for respondent, unit_id, figures in rows]


# --- the sheets -------------------------------------------------------------------------------------------------

def add_feedback_sheets(wb: Workbook, ws: Workspace, register: Register, year: int) -> list[dict]:
    """Add the feedback sheets for `year` to the indicators workbook `wb` (which has the xlsx styles);
    returns the figures as the indicators JSON's "feedback" list."""
    with open_ledger(ws.ledger_path) as ledger:
        answers = answers_for_year(ledger, year)
    rows = breakdowns(answers)
    _summary_sheet(wb, register, year, rows)
    _quarter_sheet(wb, year, answers, {r: f for r, u, f in rows if u is None})
    _comments_sheet(wb, register, year, answers)
    return feedback_json(rows)


def _put(sheet, row: int, column: int, value: object, style: str | None = None) -> None:
    xlsx.set_cell(sheet.cell(row=row, column=column), value, style)


def _finish(sheet, charts: list, *, title_rows: int, freeze: str) -> None:
    """The workbook's common print settings (A4 landscape, one page wide, header rows repeated), rows as high
    as their wrapped text, and the charts below the tables, each on a page of its own."""
    xlsx.print_setup(sheet, title_rows=title_rows, freeze=freeze)
    xlsx.fit_row_heights(sheet)
    xlsx.place_charts(sheet, charts, sheet.max_row + 2)


def _wide_text(sheet, row: int, column: int, text: str, last_column: int) -> None:
    """A note across the table's width (xlsx.fit_row_heights wraps it), so it prints inside the page."""
    _put(sheet, row, column, text)
    sheet.merge_cells(start_row=row, start_column=column, end_row=row, end_column=last_column)


def _header(sheet, row: int, labels: Sequence[str]) -> None:
    for column, label in enumerate(labels, start=1):
        _put(sheet, row, column, label, xlsx.HEADER)


def _unit_name(register: Register, unit_id: str | None) -> str:
    if unit_id is None:
        return ALL_UNITS
    unit = register.units.get(unit_id)
    return unit.name_fi if unit else unit_id


def _figures_cells(figures: Figures, with_agree: bool) -> list[tuple[object, str | None]]:
    if figures.n == 0:
        return [(0, None)]  # nobody answered: nothing to protect, and "< 5" would suggest someone did
    if not figures.shown:
        return [(HIDDEN if figures.hidden else TOO_FEW, None)]
    cells: list[tuple[object, str | None]] = [(figures.n, None), (figures.nps, "kk_nps")]
    for name in STATEMENTS:
        if figures.statement_shown(name):
            cells.append((figures.means[name], "kk_mean"))
            if with_agree:
                cells.append((figures.agree[name], xlsx.PERCENT))
            continue
        # Nobody answered it: empty; fewer than MIN_ANSWERS: "< 5"; hidden to protect a smaller part: HIDDEN.
        mark = None if not figures.answered.get(name) else HIDDEN if name in figures.hidden_statements else TOO_FEW
        cells += [(mark, None)] * (2 if with_agree else 1)
    return cells


def _ensure_styles(wb: Workbook) -> None:
    from openpyxl.styles import NamedStyle

    for name, number_format in (("kk_nps", "0.0"), ("kk_mean", "0.00")):
        if name not in wb.named_styles:
            wb.add_named_style(NamedStyle(name, number_format=number_format))


def _summary_sheet(wb: Workbook, register: Register, year: int, rows) -> None:
    _ensure_styles(wb)
    sheet = wb.create_sheet("Palaute")
    headers = ["Vastaajat / Svarande", "Yksikkö / Enhet", "Vastauksia / Svar", "NPS"]
    for number in range(1, 6):
        headers += [f"Väittämä {number}: keskiarvo / Påstående {number}: medelvärde",
                    f"Väittämä {number}: samaa mieltä (4–5) / instämmer (4–5)"]
    xlsx.set_widths(sheet, xlsx.header_widths(headers, [30, 36, 11, 8] + [12] * 10))
    _header(sheet, 1, headers)
    line = 1
    for respondent, unit_id, figures in rows:
        line += 1
        _put(sheet, line, 1, RESPONDENT_LABELS[respondent], xlsx.BOLD if unit_id is None else None)
        _put(sheet, line, 2, _unit_name(register, unit_id), xlsx.BOLD if unit_id is None else None)
        for column, (value, style) in enumerate(_figures_cells(figures, with_agree=True), start=3):
            _put(sheet, line, column, value, style)

    line += 2
    notes = [
        f"Vuosi / År {year}. NPS = % vastanneista 9–10 miinus % vastanneista 0–6 (prosenttiyksikköä). / "
        "NPS = % som svarat 9–10 minus % som svarat 0–6 (procentenheter).",
        f"{TOO_FEW}: alle {MIN_ANSWERS} vastausta ryhmältä tai väittämään; lukuja ei näytetä nimettömyyden "
        f"suojaamiseksi eikä niitä ole kaavioissa. / färre än {MIN_ANSWERS} svar från gruppen eller på påståendet; "
        "siffrorna visas inte för att skydda anonymiteten och ingår inte i diagrammen.",
        f"{HIDDEN}: lukuja ei näytetä, jotta pienemmän ryhmän luvut eivät olisi laskettavissa yhteissummasta. / "
        "siffrorna visas inte, så att en mindre grupps siffror inte kan räknas ut ur totalen.",
        "Keskiarvo asteikolla 1–5; tyhjä tai 'en osaa sanoa' ei ole mukana. / Medelvärde på skalan 1–5; tomt eller "
        "'vet inte' räknas inte med.",
    ]
    for note in notes:
        _wide_text(sheet, line, 1, note, len(headers))
        line += 1
    line += 1
    for respondent in RESPONDENTS:
        _put(sheet, line, 1, RESPONDENT_LABELS[respondent], xlsx.BOLD)
        line += 1
        for number, (fi, sv) in enumerate(zip(QUESTIONS[respondent]["fi"][1], QUESTIONS[respondent]["sv"][1],
                                              strict=True), start=1):
            _put(sheet, line, 1, f"Väittämä / Påstående {number}")
            _wide_text(sheet, line, 2, f"{fi} / {sv}", len(headers))
            line += 1

    # The chart reads a table of the groups with enough answers only.
    shown = [(r, f) for r, u, f in rows if u is None and f.shown]
    line += 1
    chart_top = line
    _header(sheet, chart_top, ["NPS (vähintään 5 vastausta / minst 5 svar)", "NPS"])
    for offset, (respondent, figures) in enumerate(shown, start=1):
        _put(sheet, chart_top + offset, 1, RESPONDENT_LABELS[respondent])
        _put(sheet, chart_top + offset, 2, figures.nps, "kk_nps")
    if shown:
        chart = BarChart()
        chart.type = "bar"
        chart.title = f"NPS vastaajaryhmittäin / per svarandegrupp {year}"
        chart.y_axis.title = "NPS"
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = -100, 100
        chart.x_axis.delete = chart.y_axis.delete = False
        chart.add_data(Reference(sheet, min_col=2, min_row=chart_top, max_row=chart_top + len(shown)),
                       titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=chart_top + 1, max_row=chart_top + len(shown)))
        chart.y_axis.number_format = "0"
        chart.x_axis.tickLblPos = "low"
        charts = [chart]
    else:
        charts = []
    _finish(sheet, charts, title_rows=1, freeze="C2")


def _quarter_sheet(wb: Workbook, year: int, answers: Sequence[Answer], totals: dict[str, Figures]) -> None:
    sheet = wb.create_sheet("Palaute neljännesvuosittain")
    headers = ["Vastaajat / Svarande", "Neljännes / Kvartal", "Vastauksia / Svar", "NPS"] + [
        f"Väittämä {n}: keskiarvo / Påstående {n}: medelvärde" for n in range(1, 6)]
    xlsx.set_widths(sheet, xlsx.header_widths(headers, [30, 24, 11, 8] + [14] * 5))
    _header(sheet, 1, headers)
    by_quarter: dict[tuple[str, int], Figures] = {}
    for respondent in RESPONDENTS:
        for quarter in range(1, 5):
            mine = [a for a in answers if a.respondent == respondent and (a.answered_on.month - 1) // 3 + 1 == quarter]
            by_quarter[(respondent, quarter)] = figures_of(mine)
        protect(totals[respondent], [by_quarter[(respondent, quarter)] for quarter in range(1, 5)])
    line = 1
    for respondent in RESPONDENTS:
        for quarter in range(1, 5):
            figures = by_quarter[(respondent, quarter)]
            line += 1
            _put(sheet, line, 1, RESPONDENT_LABELS[respondent])
            _put(sheet, line, 2, f"{QUARTERS[quarter - 1]} {year}")
            for column, (value, style) in enumerate(_figures_cells(figures, with_agree=False), start=3):
                _put(sheet, line, column, value, style)

    # NPS by quarter for the chart: a breakdown with fewer than 5 answers is an empty cell (a gap in the line).
    line += 2
    chart_top = line
    _header(sheet, chart_top,
            ["NPS (vähintään 5 vastausta / minst 5 svar)"] + [RESPONDENT_LABELS[r] for r in RESPONDENTS])
    for quarter in range(1, 5):
        _put(sheet, chart_top + quarter, 1, QUARTERS[quarter - 1])
        for column, respondent in enumerate(RESPONDENTS, start=2):
            figures = by_quarter[(respondent, quarter)]
            if figures.shown:
                _put(sheet, chart_top + quarter, column, figures.nps, "kk_nps")
    if any(f.shown for f in by_quarter.values()):
        chart = BarChart()
        chart.type = "col"
        chart.title = f"NPS neljännesvuosittain / per kvartal {year}"
        chart.y_axis.number_format = "0"
        chart.x_axis.tickLblPos = "low"
        chart.y_axis.title = "NPS"
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = -100, 100
        chart.x_axis.delete = chart.y_axis.delete = False
        chart.add_data(Reference(sheet, min_col=2, max_col=1 + len(RESPONDENTS), min_row=chart_top,
                                 max_row=chart_top + 4), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=chart_top + 1, max_row=chart_top + 4))
        charts = [chart]
    else:
        charts = []
    _finish(sheet, charts, title_rows=1, freeze="C2")


def _comments_sheet(wb: Workbook, register: Register, year: int, answers: Sequence[Answer]) -> None:
    sheet = wb.create_sheet("Palautteen kommentit")
    xlsx.set_widths(sheet, [11, 30, 40, 20, 80])
    _put(sheet, 1, 1, "Vain koordinaattorille: lue kommentit ennen kuin jaat niitä. Vastaaja on voinut kirjoittaa "
                      "niihin nimiä tai muita henkilötietoja; poista ne ennen jakamista. / Endast för koordinatorn: "
                      "läs kommentarerna innan du delar dem. De kan innehålla namn eller andra personuppgifter; ta "
                      "bort dem innan du delar.", xlsx.BOLD)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
    _header(sheet, 2, ["Päivä / Datum", "Vastaajat / Svarande", "Yksikkö / Enhet", "Kanava / Kanal",
                       "Kommentti / Kommentar"])
    line = 2
    # A comment of a group with fewer than MIN_ANSWERS answers in its unit shows neither the unit nor the day
    # (nor is it ordered by them): in a unit with one expert or two employees, those would name the writer.
    answers_in = Counter((a.respondent, a.unit_id) for a in answers)

    def small(answer: Answer) -> bool:
        return answers_in[(answer.respondent, answer.unit_id)] < MIN_ANSWERS

    with_comment = sorted((a for a in answers if a.comment),
                          key=lambda a: (RESPONDENTS.index(a.respondent), small(a),
                                         "" if small(a) else _unit_name(register, a.unit_id).casefold(),
                                         date.min if small(a) else a.answered_on,
                                         a.comment.casefold() if small(a) else ""))
    for answer in with_comment:
        line += 1
        _put(sheet, line, 1, None if small(answer) else answer.answered_on, xlsx.DAY)
        _put(sheet, line, 2, RESPONDENT_LABELS[answer.respondent])
        _put(sheet, line, 3, SMALL_GROUP if small(answer) else _unit_name(register, answer.unit_id))
        _put(sheet, line, 4, CHANNEL_LABELS.get(answer.channel, answer.channel))
        _put(sheet, line, 5, answer.comment)
    if not with_comment:
        _put(sheet, 3, 1, f"Ei kommentteja vuodelta {year}. / Inga kommentarer för {year}.")
    sheet.auto_filter.ref = f"A2:{get_column_letter(5)}{max(line, 3)}"
    _finish(sheet, [], title_rows=2, freeze="A3")
