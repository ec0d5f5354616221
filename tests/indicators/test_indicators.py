from __future__ import annotations

import dataclasses
import re
import subprocess

import pypdfium2 as pdfium
import pytest
from ledgerfill import fill_sample_ledger
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart, PieChart

from kokemus_docs.core.errors import KokemusError
from kokemus_docs.indicators.sheets import count_axis
from kokemus_docs.indicators.workbook import topic_counts, write_indicators

# The indicators' own sheets; the client feedback sheets follow them.
OWN_SHEETS = ["Tiedot", "Kysyntä kuukausittain", "Kysyntä yksiköittäin", "Pyynnöt kuukausittain",
              "Pyynnöt ryhmittäin", "Tehtävätyypit", "Palkkiot", "Aihealueet", "Palvelualueet"]
SHEETS = OWN_SHEETS + ["Palaute", "Palaute neljännesvuosittain", "Palautteen kommentit"]


@pytest.fixture
def indicators(workspace, register):
    fill_sample_ledger(workspace.ledger_path)
    outcome = write_indicators(workspace, register, 2026)
    assert outcome.ok
    return outcome


def rows_by_first(sheet):
    return {r[0]: r[1:] for r in sheet.iter_rows(values_only=True) if r and r[0] is not None}


def test_sheets_and_native_charts(indicators, workspace):
    path = indicators.written[0]
    assert path == workspace.output("indicators", "indicators_2026.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == SHEETS
    kinds = {name: [type(c) for c in wb[name]._charts] for name in SHEETS}
    assert kinds["Kysyntä kuukausittain"] == [BarChart, LineChart]
    assert kinds["Kysyntä yksiköittäin"] == [BarChart]
    assert kinds["Tehtävätyypit"] == [PieChart]
    assert kinds["Palkkiot"] == [BarChart]
    assert kinds["Aihealueet"] == [BarChart]
    assert kinds["Palvelualueet"] == [PieChart]
    # the fee chart reads one series per unit from the sheet's own cells
    fee_chart = wb["Palkkiot"]._charts[0]
    assert len(fee_chart.series) == 3
    assert fee_chart.series[0].val.numRef.f == "'Palkkiot'!$B$2:$B$13"


def test_demand_values(indicators):
    wb = load_workbook(indicators.written[0])
    months = rows_by_first(wb["Kysyntä kuukausittain"])
    # October: 10 lines; 6 held, 2 cancelled (1 late), 1 no-show, 1 expert ill
    assert months["lokakuu / oktober"][:6] == (10, 6, 2, 1, 1, 1)
    assert months["lokakuu / oktober"][6:8] == (pytest.approx(0.2), pytest.approx(0.1))
    assert months["lokakuu / oktober"][9] == pytest.approx(842.50)
    assert months["syyskuu / september"][0] == 1 and months["marraskuu / november"][0] == 1
    assert months["Yhteensä / Totalt"][0] == 12
    assert wb["Kysyntä kuukausittain"]["H11"].number_format == "0.0 %"

    units = rows_by_first(wb["Kysyntä yksiköittäin"])
    assert units["Ikääntyneiden palvelut, Porvoo"][:5] == (2, 1, 0, 0, 1)
    assert units["Ikääntyneiden palvelut, Porvoo"][7] == pytest.approx(0.5)

    tasks = rows_by_first(wb["Tehtävätyypit"])
    assert tasks["Yksilötyö / Individuellt arbete"][0] == 5
    assert tasks["Ryhmänohjaus / Grupphandledning"][5] == pytest.approx(3.5)
    # every task-type row adds up: held + cancelled + no-show + other (the expert ill, a group ended) = tasks
    assert tasks["Tehtävä / Uppdrag"][4] == "Muu / Annat"
    for name, row in tasks.items():
        if name != "Tehtävä / Uppdrag":
            assert row[0] == sum(row[1:5]), name
    assert tasks["Yhteensä / Totalt"][:5] == (12, 8, 2, 1, 1)


def test_a_month_without_tasks_has_no_cancellation_share(indicators):
    """An empty cell, not 0 %: the share chart draws no point for a month without work (future ones too)."""
    wb = load_workbook(indicators.written[0])
    sheet = wb["Kysyntä kuukausittain"]
    months = rows_by_first(sheet)
    assert months["tammikuu / januari"][0] == 0 and months["tammikuu / januari"][6:8] == (None, None)
    assert months["joulukuu / december"][6:8] == (None, None)
    assert months["lokakuu / oktober"][6] == pytest.approx(0.2)
    [_, shares] = sheet._charts
    assert shares.display_blanks == "gap"


def test_fees_topics_and_areas(indicators, register):
    wb = load_workbook(indicators.written[0])
    fees = rows_by_first(wb["Palkkiot"])
    header = fees["Kuukausi / Månad"]
    mtp = header.index(register.units["MTP-PORVOO"].name_fi)  # the tricky & < > " ' name, exactly
    assert fees["lokakuu / oktober"][mtp] == pytest.approx(642.50)
    assert fees["Yhteensä / Totalt"][-1] == pytest.approx(942.50)
    assert wb["Palkkiot"]["B11"].number_format == '#,##0.00 "€"'
    assert indicators.extra["fees_eur"] == "942.50"

    topics = rows_by_first(wb["Aihealueet"])
    # each topic once, in Finnish and Swedish, however it was typed: mielenterveys (KA-001, KA-008) and
    # psykisk hälsa (KA-003, KA-012) are one topic area
    assert topics["mielenterveys / psykisk hälsa"] == (4, 3)  # KA-008 did no work in 2026
    assert "psykisk hälsa" not in topics and "mielenterveys" not in topics
    assert topics["päihteet / missbruk"] == (3, 1)  # KA-002, KA-007 (missbruk), KA-013
    assert topics["Aktiivisia asiantuntijoita / Aktiva experter"] == (14, 5)

    areas = rows_by_first(wb["Palvelualueet"])
    mental = next(a for a in areas if a.startswith("mielenterveys- ja päihdepalvelut / "))
    assert areas[mental] == (1, 1, 9, pytest.approx(692.50))
    assert next(v for a, v in areas.items() if a.startswith("vammaispalvelut")) == (1, 0, 0, 0)
    assert areas["Yhteensä / Totalt"][2:] == (12, pytest.approx(942.50))


def test_topic_vocabulary_counts_once_without_case_or_spacing(workspace, register):
    register.experts["KA-001"] = dataclasses.replace(register.experts["KA-001"],
                                                     topics=("Mielenterveys", "PSYKISK  hälsa", "Omat runot"))
    register.experts["KA-002"] = dataclasses.replace(register.experts["KA-002"], topics=("omat  RUNOT",))
    counts = {name: (count, working) for name, count, working in topic_counts(register, set())}
    assert counts["mielenterveys / psykisk hälsa"][0] == 4  # KA-001 once, though typed in both languages
    assert counts["Omat runot"] == (2, 0)  # unknown topics kept as first typed, compared without case/spacing


def test_print_settings_integer_axes_and_charts_below_the_tables(indicators):
    wb = load_workbook(indicators.written[0])
    for sheet in (wb[title] for title in OWN_SHEETS):
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        # a table on one page with charts after it repeats no header on the chart pages; a longer one does
        repeat = not sheet._charts or sheet.max_row > 25
        assert sheet.print_title_rows == ("$1:$1" if repeat else None), sheet.title
        assert sheet.freeze_panes == "A2", sheet.title
        breaks = [b.id for b in sheet.row_breaks.brk]
        assert len(breaks) == len(sheet._charts), sheet.title
        for chart, brk in zip(sheet._charts, breaks, strict=True):
            # each chart starts right after its own page break, below the table, and fits a landscape page
            assert chart.anchor._from.row == brk, sheet.title
            assert brk > sheet.max_row, sheet.title  # below the table and its totals row
            assert chart.width <= 25 and chart.height <= 17, sheet.title
    for title in ("Kysyntä kuukausittain", "Kysyntä yksiköittäin", "Aihealueet"):
        axis = wb[title]._charts[0].y_axis
        assert axis.majorUnit == 1 and axis.number_format.formatCode == "0", title  # whole tasks and persons
    header = wb["Kysyntä kuukausittain"]
    assert header.row_dimensions[1].height >= 30
    assert wb["Tiedot"].column_dimensions["A"].width >= 40


def test_empty_year_still_opens(workspace, register):
    outcome = write_indicators(workspace, register, 2025)
    wb = load_workbook(outcome.written[0])
    assert rows_by_first(wb["Kysyntä kuukausittain"])["Yhteensä / Totalt"][0] == 0
    assert any("No hour-form lines" in s for s in outcome.summary)


def test_bad_year(workspace, register):
    with pytest.raises(KokemusError):
        write_indicators(workspace, register, 26)


@pytest.mark.libreoffice
def test_opens_in_libreoffice_calc(indicators, tmp_path):
    path = indicators.written[0]
    out = tmp_path / "lo"
    for target in ("xlsx", "pdf"):
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                        "--convert-to", target, "--outdir", str(out), str(path)],
                       check=True, capture_output=True, timeout=180)
    wb = load_workbook(out / path.name)
    assert rows_by_first(wb["Kysyntä kuukausittain"])["lokakuu / oktober"][0] == 10
    assert rows_by_first(wb["Palkkiot"])["Yhteensä / Totalt"][-1] == pytest.approx(942.50)
    assert wb["Palkkiot"]._charts, "LibreOffice dropped the chart"
    import pdfplumber

    with pdfplumber.open(out / "indicators_2026.pdf") as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        assert all(page.width > page.height for page in pdf.pages)
    # one page per sheet's table and one per chart: no table or chart is cut over two pages. The footer names
    # each page's sheet; pdfium reads text in drawing order, so chart labels never mix into it.
    document = pdfium.PdfDocument(out / "indicators_2026.pdf")
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    footers = [" ".join(re.findall(r"(\S[^\r\n]*) – \d+ / \d+", page)) for page in pages]
    document.close()
    # a chart page shows the chart, not the table's header with no table under it
    demand = [page for page, footer in zip(pages, footers, strict=True) if footer == "Kysyntä kuukausittain"]
    assert len(demand) == 3 and "Kuukausi / Månad" in demand[0]
    assert not any("Kuukausi / Månad" in page for page in demand[1:])
    workbook = load_workbook(path)
    for title in OWN_SHEETS:
        assert footers.count(title) == 1 + len(workbook[title]._charts), (title, footers)
    assert "lokakuu / oktober" in text and "Perhekeskus & neuvola, Loviisa" in text


@pytest.mark.parametrize("largest,step", [(0, 1), (5, 1), (12, 1), (13, 2), (24, 2), (37, 5), (100, 10), (250, 50)])
def test_count_axis_steps_by_whole_numbers(largest, step):
    chart = BarChart()
    count_axis(chart, largest)
    assert chart.y_axis.majorUnit == step and chart.y_axis.number_format.formatCode == "0"
    assert chart.y_axis.scaling.min == 0


def test_styled_text_cell_that_looks_like_a_formula_stays_text_when_edited(tmp_path):
    from openpyxl import Workbook

    from kokemus_docs.core import xlsx

    wb = Workbook()
    xlsx.add_styles(wb)
    xlsx.set_cell(wb.active["A1"], '=HYPERLINK("http://x")', xlsx.BOLD)
    xlsx.set_cell(wb.active["A2"], "+358 40 123", None)
    wb.save(tmp_path / "t.xlsx")
    sheet = load_workbook(tmp_path / "t.xlsx").active
    for ref in ("A1", "A2"):
        assert sheet[ref].data_type == "s" and sheet[ref].quotePrefix, ref
    assert sheet["A1"].font.bold and sheet["A1"].value == '=HYPERLINK("http://x")'
