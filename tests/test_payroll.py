from __future__ import annotations

import dataclasses
import os
import stat
import subprocess
from datetime import date, datetime
from decimal import Decimal

import pytest
from ledgerfill import INJECTION, MONTH, add_form, fill_sample_ledger, line
from openpyxl import load_workbook

from kokemus_docs.errors import KokemusError, MonthClosed
from kokemus_docs.ledger import Ledger
from kokemus_docs.payroll import write_payroll


@pytest.fixture
def reg(register):
    """The conftest register, with a first name that a spreadsheet would take for a formula."""
    register.experts["KA-002"] = dataclasses.replace(register.experts["KA-002"], first_name="+358 Matti")
    return register


@pytest.fixture
def filled(workspace):
    """A ledger with October 2026 work, a late September form, and a November form."""
    fill_sample_ledger(workspace.ledger_path)
    return workspace


def sheet_rows(path, title):
    ws = load_workbook(path)[title]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def by_header(path, title):
    rows = sheet_rows(path, title)
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_totals_equal_hand_computation(filled, reg):
    outcome = write_payroll(filled, reg, MONTH)
    assert outcome.ok, outcome.errors
    experts = {(e["expert_id"], e["cost_center"]): e for e in outcome.extra["experts"]}
    assert experts == {
        # 50 + 1.5 h × 25 + 2 h × 27.50 + 50 (meeting); cancelled in time and illness pay nothing
        ("KA-001", "410120"): {"expert_id": "KA-001", "cost_center": "410120", "fee_eur": "192.50",
                               "travel_eur": "12.40", "total_eur": "204.90", "lines": 4},
        ("KA-001", "440110"): {"expert_id": "KA-001", "cost_center": "440110", "fee_eur": "150.00",
                               "travel_eur": "0.00", "total_eur": "150.00", "lines": 1},
        ("KA-002", "410120"): {"expert_id": "KA-002", "cost_center": "410120", "fee_eur": "50.00",
                               "travel_eur": "0.00", "total_eur": "50.00", "lines": 1},
        ("KA-004", "440110"): {"expert_id": "KA-004", "cost_center": "440110", "fee_eur": "50.00",
                               "travel_eur": "0.00", "total_eur": "50.00", "lines": 1},
        ("KA-012", "410120"): {"expert_id": "KA-012", "cost_center": "410120", "fee_eur": "450.00",
                               "travel_eur": "0.00", "total_eur": "450.00", "lines": 2},
    }
    assert outcome.extra["total_eur"] == "904.90"
    assert outcome.extra["month"] == MONTH
    assert outcome.extra["payment_date"] == "2026-11-30"
    assert outcome.extra["notice_deadline"] == "2026-11-09"

    path = filled.output("payroll", f"payroll_{MONTH}.xlsx")
    assert outcome.written == [path]
    summary = {(r["Asiantuntija-ID / Expert-ID"], r["Kustannuspaikka / Kostnadsställe"]): r
               for r in by_header(path, "Yhteenveto")}
    ka001 = summary[("KA-001", "410120")]
    assert ka001["Palkkiot / Arvoden"] == pytest.approx(192.50)
    assert ka001["Matkakorvaukset / Resekostnader"] == pytest.approx(12.40)
    assert ka001["Yhteensä / Totalt"] == pytest.approx(204.90)
    assert ka001["Henkilötunnus / Personbeteckning"] == reg.experts["KA-001"].hetu
    assert ka001["IBAN"] == reg.experts["KA-001"].iban
    assert ka001["Sukunimi / Efternamn"] == reg.experts["KA-001"].last_name  # & < > " ' kept exactly
    assert ka001["Postitoimipaikka / Postanstalt"] == "Porvoo"
    assert summary[("KA-001", "440110")]["Tulolaji / Inkomstslag"] == "214"
    assert summary[("KA-012", "410120")]["Tulolaji / Inkomstslag"] == "214, 210"

    lines = by_header(path, "Rivit")
    assert len(lines) == 9
    assert sum(Decimal(str(r["Palkkio / Arvode"])) for r in lines) == Decimal("892.50")
    assert {r["Tila / Status"] for r in lines} >= {"Peruttu myöhässä", "Asiakas ei saapunut"}
    assert "Peruttu ajoissa" not in {r["Tila / Status"] for r in lines}

    facts = {r[0]: r[1] for r in sheet_rows(path, "Tiedot") if r and r[0]}
    assert facts["Maksupäivä / Betalningsdag"] == datetime(2026, 11, 30)
    assert facts["Kaikki yhteensä / Allt totalt"] == pytest.approx(904.90)
    assert facts["Kuukausi suljettu / Månaden stängd"] == "ei / nej"
    cost_centers = {r[0]: r[5] for r in sheet_rows(path, "Tiedot") if r and r[0] in {"410120", "440110"}}
    assert cost_centers == {"410120": pytest.approx(704.90), "440110": pytest.approx(200.00)}


def test_tax_card_flag_and_checks(filled, reg):
    outcome = write_payroll(filled, reg, MONTH)
    path = outcome.written[0]
    withholding = {r["Asiantuntija-ID / Expert-ID"]: r["Ennakonpidätys 60 % / Förskottsinnehållning 60 %"]
                   for r in by_header(path, "Yhteenveto")}
    # KA-004 has a 2025 card and KA-012 none; the fee is paid in 2026
    assert withholding == {"KA-001": None, "KA-002": None, "KA-004": "60 %", "KA-012": "60 %"}
    assert {w.code for w in outcome.warnings if w.code == "no-tax-card"} == {"no-tax-card"}
    assert sorted(w.message.split()[1] for w in outcome.warnings if w.code == "no-tax-card") == ["KA-004", "KA-012"]

    checks = by_header(path, "Tarkistukset")
    kinds = {}
    for c in checks:
        kinds.setdefault(c["Tarkistus / Kontroll"].split(" /")[0], []).append(c)
    late = kinds["Myöhässä saapunut lomake"]
    assert [(c["Asiantuntija-ID / Expert-ID"], c["Työkuukausi / Arbetsmånad"]) for c in late] == [("KA-002", "2026-09")]
    assert "travel reimbursement agreed by phone" in kinds["Huomautus lomakkeesta"][0]["Selitys / Förklaring"]
    missing = {c["Asiantuntija-ID / Expert-ID"] + "/" + c["Yksikkö-ID / Enhet-ID"] for c in kinds["Lomake puuttuu"]}
    assert "KA-002/MTP-PORVOO" in missing  # only September's form came in
    assert "KA-001/MTP-PORVOO" not in missing and "KA-004/IKÄ-PORVOO" not in missing
    assert len(missing) == len(reg.contracts) - 4


def test_late_form_is_paid_in_the_next_months_run(filled, reg):
    september = write_payroll(filled, reg, "2026-09")
    assert september.extra["experts"] == [] and september.extra["total_eur"] == "0.00"
    october = write_payroll(filled, reg, MONTH)
    assert ("KA-002", "50.00") in {(e["expert_id"], e["fee_eur"]) for e in october.extra["experts"]}
    november = write_payroll(filled, reg, "2026-11")
    assert [e["expert_id"] for e in november.extra["experts"]] == ["KA-003"]
    assert november.extra["payment_date"] == "2026-12-31"
    lines = by_header(october.written[0], "Rivit")
    ka002 = [r for r in lines if r["Asiantuntija-ID / Expert-ID"] == "KA-002"]
    assert ka002[0]["Myöhässä / Försenad"] == "kyllä / ja"
    assert ka002[0]["Päivä / Datum"] == datetime(2026, 9, 28)


def test_close_then_reprint_is_identical(filled, reg):
    first = write_payroll(filled, reg, MONTH, close=True)
    assert first.ok
    path = first.written[0]
    before = {name: sheet_rows(path, name) for name in ("Tiedot", "Yhteenveto", "Rivit", "Tarkistukset")}
    facts = {r[0]: r[1] for r in before["Tiedot"] if r and r[0]}
    assert facts["Kuukausi suljettu / Månaden stängd"].startswith("kyllä / ja")
    assert any("now closed" in s for s in first.summary)

    with Ledger(filled.ledger_path) as ledger:
        assert ledger.is_closed(MONTH)
        with pytest.raises(MonthClosed):
            add_form(ledger, "S-2026-005", "KA-005", "VAMPA-SIPOO", MONTH, [
                line(1, date(2026, 10, 30), "individual", "held", "50.00")])

    again = write_payroll(filled, reg, MONTH, close=True)
    assert any("already closed" in s for s in again.summary)
    after = {name: sheet_rows(path, name) for name in before}
    drop_stamp = lambda rows: [r for r in rows if r[0] != "Luotu / Skapad"]  # noqa: E731
    assert drop_stamp(after["Tiedot"]) == drop_stamp(before["Tiedot"])
    assert {k: v for k, v in after.items() if k != "Tiedot"} == {k: v for k, v in before.items() if k != "Tiedot"}
    assert again.extra == first.extra


def test_close_is_refused_while_a_unit_is_missing(filled, reg):
    del reg.units["IKÄ-PORVOO"]
    outcome = write_payroll(filled, reg, MONTH, close=True)
    assert {e.code for e in outcome.errors} == {"unknown-unit", "not-closed"}
    with Ledger(filled.ledger_path) as ledger:
        assert not ledger.is_closed(MONTH)
    assert outcome.written  # the workbook is still there to look at


def test_formula_like_text_stays_text(filled, reg):
    path = write_payroll(filled, reg, MONTH).written[0]
    wb = load_workbook(path)
    notes = [c for c in wb["Rivit"]["U"] if c.value == INJECTION]
    assert len(notes) == 1 and notes[0].data_type == "s" and notes[0].quotePrefix
    names = [c for c in wb["Yhteenveto"]["C"] if c.value == "+358 Matti"]
    assert len(names) == 1 and names[0].data_type == "s"
    assert not any(c.data_type == "f" for ws in wb for row in ws.iter_rows() for c in row)


def test_typed_cells_frozen_header_and_filter(filled, reg):
    path = write_payroll(filled, reg, MONTH).written[0]
    wb = load_workbook(path)
    assert wb.sheetnames == ["Tiedot", "Yhteenveto", "Rivit", "Tarkistukset"]
    lines = wb["Rivit"]
    assert lines.freeze_panes == "A2"
    assert lines.auto_filter.ref == "A1:U10"
    assert wb["Yhteenveto"].auto_filter.ref == "A1:P6"
    fee, day, hours = lines["N2"], lines["C2"], lines["K2"]
    assert isinstance(fee.value, (int, float)) and fee.number_format == '#,##0.00 "€"'
    assert isinstance(day.value, datetime) and day.number_format == "d.m.yyyy"
    assert isinstance(hours.value, (int, float))
    assert lines.column_dimensions["B"].width > 10


def test_file_mode_and_no_personal_data_in_terminal_output(filled, reg):
    outcome = write_payroll(filled, reg, MONTH)
    path = outcome.written[0]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    printed = "\n".join(outcome.summary + [str(p) for p in outcome.warnings + outcome.errors]) + str(outcome.extra)
    for expert in reg.experts.values():
        for secret in (expert.hetu, expert.iban, expert.street_address):
            assert secret not in printed
    assert any("personal data" in s and "0600" in s for s in outcome.summary)
    assert not list(path.parent.glob(".*tmp"))


def test_bad_month_is_a_usage_error(workspace, register):
    with pytest.raises(KokemusError) as info:
        write_payroll(workspace, register, "10/2026")
    assert info.value.exit_code == 2


@pytest.mark.libreoffice
def test_libreoffice_keeps_formula_like_text_as_text(filled, reg, tmp_path):
    path = write_payroll(filled, reg, MONTH).written[0]
    out = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=180)
    wb = load_workbook(out / path.name)
    notes = [c for c in wb["Rivit"]["U"] if c.value == INJECTION]
    assert len(notes) == 1 and notes[0].data_type == "s"
    assert not any(c.data_type == "f" for ws in wb for row in ws.iter_rows() for c in row)
    totals = {r[0]: r[1] for r in wb["Tiedot"].iter_rows(values_only=True) if r and r[0]}
    assert totals["Kaikki yhteensä / Allt totalt"] == pytest.approx(904.90)
