from __future__ import annotations

import subprocess

import pytest
from ledgerfill import fill_sample_ledger
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart, PieChart

from kokemus_docs.errors import KokemusError
from kokemus_docs.indicators import write_indicators

SHEETS = ["Tiedot", "Kysyntä kuukausittain", "Kysyntä yksiköittäin", "Tehtävätyypit", "Palkkiot", "Aihealueet",
          "Palvelualueet", "Palaute", "Palaute neljännesvuosittain", "Palautteen kommentit"]


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
    assert tasks["Ryhmänohjaus / Grupphandledning"][4] == pytest.approx(3.5)


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
    expected = {}
    for expert in register.experts.values():
        for topic in expert.topics:
            expected[topic] = expected.get(topic, 0) + 1
    assert {t: v[0] for t, v in topics.items() if t != "Aihealue / Temaområde"} == expected
    assert topics["psykisk hälsa"] == (2, 2)  # KA-003 (November) and KA-012 (October) both worked

    areas = rows_by_first(wb["Palvelualueet"])
    assert areas["mielenterveys- ja päihdepalvelut"] == (1, 1, 9, pytest.approx(692.50))
    assert areas["vammaispalvelut"] == (1, 0, 0, 0)


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
    assert "lokakuu / oktober" in text and "Perhekeskus & neuvola, Loviisa" in text
