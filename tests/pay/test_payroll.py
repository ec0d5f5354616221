from __future__ import annotations

import base64
import dataclasses
import json
import os
import stat
import subprocess
from datetime import date, datetime
from decimal import Decimal

import pdfplumber
import pytest
from ledgerfill import INJECTION, MONTH, add_form, fill_sample_ledger, line
from openpyxl import load_workbook

from kokemus_docs.core.errors import KokemusError, MonthClosed
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.month import Month
from kokemus_docs.intake.messages import Finding, paid_text, status_text, task_text
from kokemus_docs.pay.payroll import closed_copy_path, write_payroll
from kokemus_docs.pay.texts import workbook_warning


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


TOTAL = "Yhteensä / Totalt"


def by_header(path, title):
    """The data rows of a table sheet as dicts by header, without its totals row."""
    rows = sheet_rows(path, title)
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:-1]]


def totals_row(path, title):
    rows = sheet_rows(path, title)
    return dict(zip(rows[0], rows[-1], strict=True))


def column_letter(sheet, header):
    return next(c.column_letter for c in sheet[1] if c.value == header)


def test_totals_equal_hand_computation(filled, reg):
    outcome = write_payroll(filled, reg, MONTH)
    assert outcome.ok, outcome.errors
    experts = {(e["expert_id"], e["cost_center"], e["income_type"]): e for e in outcome.extra["experts"]}

    def entry(expert_id, cost_center, income_type, fee, travel, total, lines):
        return {"expert_id": expert_id, "cost_center": cost_center, "income_type": income_type, "fee_eur": fee,
                "travel_eur": travel, "total_eur": total, "lines": lines}

    assert experts == {
        # 50 + 1.5 h × 25 + 2 h × 27.50 + 50 (meeting); cancelled in time and illness pay nothing
        ("KA-001", "410120", "210"): entry("KA-001", "410120", "210", "192.50", "12.40", "204.90", 4),
        ("KA-001", "440110", "214"): entry("KA-001", "440110", "214", "150.00", "0.00", "150.00", 1),
        ("KA-002", "410120", "210"): entry("KA-002", "410120", "210", "50.00", "0.00", "50.00", 1),
        ("KA-004", "440110", "210"): entry("KA-004", "440110", "210", "50.00", "0.00", "50.00", 1),
        # one expert, one cost centre, two income types: two amounts, never one sum
        ("KA-012", "410120", "210"): entry("KA-012", "410120", "210", "300.00", "0.00", "300.00", 1),
        ("KA-012", "410120", "214"): entry("KA-012", "410120", "214", "150.00", "0.00", "150.00", 1),
    }
    assert outcome.extra["total_eur"] == "904.90"
    assert outcome.extra["month"] == MONTH
    assert outcome.extra["payment_date"] == "2026-11-30"
    assert outcome.extra["notice_deadline"] == "2026-11-09"

    path = filled.output("payroll", f"payroll_{MONTH}.xlsx")
    assert outcome.written == [path]
    summary = {(r["Asiantuntija-ID / Expert-ID"], r["Kustannuspaikka / Kostnadsställe"],
                r["Tulolaji / Inkomstslag"]): r for r in by_header(path, "Yhteenveto")}
    ka001 = summary[("KA-001", "410120", "210")]
    assert ka001["Palkkiot / Arvoden"] == pytest.approx(192.50)
    assert ka001["Matkat / Resor"] == pytest.approx(12.40)
    assert ka001["Yhteensä / Totalt"] == pytest.approx(204.90)
    assert ka001["Sukunimi / Efternamn"] == reg.experts["KA-001"].last_name  # & < > " ' kept exactly
    # what the clerk files (personal details) is on its own sheet, one row per expert with the month's total
    payees = {r["Asiantuntija-ID / Expert-ID"]: r for r in by_header(path, "Maksutiedot")}
    assert payees["KA-001"]["Henkilötunnus / Personbeteckning"] == reg.experts["KA-001"].hetu
    assert payees["KA-001"]["IBAN"] == reg.experts["KA-001"].iban
    assert payees["KA-001"]["Postitoimipaikka / Postanstalt"] == "Porvoo"
    assert payees["KA-001"]["Yhteensä / Totalt"] == pytest.approx(204.90 + 150.00)
    assert "Henkilötunnus / Personbeteckning" not in ka001 and "IBAN" not in ka001
    assert summary[("KA-001", "440110", "214")]["Tulolajin nimi / Namn"] == (
        "Luentopalkkio / Föreläsningsarvode")
    assert summary[("KA-012", "410120", "214")]["Palkkiot / Arvoden"] == pytest.approx(150.00)
    assert summary[("KA-012", "410120", "210")]["Palkkiot / Arvoden"] == pytest.approx(300.00)
    assert all(", " not in r["Tulolaji / Inkomstslag"] for r in summary.values())

    lines = by_header(path, "Rivit")
    assert len(lines) == 9
    assert sum(Decimal(str(r["Palkkio / Arvode"])) for r in lines) == Decimal("892.50")
    assert {r["Tila / Status"] for r in lines} >= {"Peruttu myöhässä / Avbokad för sent",
                                                    "Asiakas ei saapunut / Kunden kom inte"}
    assert not any("Peruttu ajoissa" in r["Tila / Status"] for r in lines)

    facts = {r[0]: r[1] for r in sheet_rows(path, "Tiedot") if r and r[0]}
    assert facts["Maksupäivä / Betalningsdag"] == datetime(2026, 11, 30)
    assert facts["Kaikki yhteensä / Allt totalt"] == pytest.approx(904.90)
    assert facts["Kuukausi suljettu / Månaden stängd"] == "ei / nej"
    cost_centers = {r[0]: r[5] for r in sheet_rows(path, "Tiedot") if r and r[0] in {"410120", "440110"}}
    assert cost_centers == {"410120": pytest.approx(704.90), "440110": pytest.approx(200.00)}
    by_type = {r[0]: r[3] for r in sheet_rows(path, "Tiedot") if r and r[0] in {"210", "214"}}
    assert by_type == {"210": pytest.approx(592.50), "214": pytest.approx(300.00)}


def test_income_type_split_sums_equal_the_lines_and_every_sheet_has_totals(filled, reg):
    path = write_payroll(filled, reg, MONTH).written[0]
    from_lines: dict[tuple, Decimal] = {}
    travel_from_lines: dict[tuple, Decimal] = {}
    for r in by_header(path, "Rivit"):
        key = (r["Asiantuntija-ID / Expert-ID"], r["Kustannuspaikka / Kostnadsställe"], r["Tulolaji / Inkomstslag"])
        from_lines[key] = from_lines.get(key, Decimal(0)) + Decimal(str(r["Palkkio / Arvode"]))
        travel_from_lines[key] = travel_from_lines.get(key, Decimal(0)) + Decimal(str(r["Matka / Resa"]))
    summary = by_header(path, "Yhteenveto")
    assert {(r["Asiantuntija-ID / Expert-ID"], r["Kustannuspaikka / Kostnadsställe"], r["Tulolaji / Inkomstslag"]):
            Decimal(str(r["Palkkiot / Arvoden"])) for r in summary} == from_lines
    assert {(r["Asiantuntija-ID / Expert-ID"], r["Kustannuspaikka / Kostnadsställe"], r["Tulolaji / Inkomstslag"]):
            Decimal(str(r["Matkat / Resor"])) for r in summary} == travel_from_lines

    summary_total = totals_row(path, "Yhteenveto")
    assert summary_total["Asiantuntija-ID / Expert-ID"] == TOTAL
    assert summary_total["Palkkiot / Arvoden"] == pytest.approx(892.50)
    assert summary_total["Matkat / Resor"] == pytest.approx(12.40)
    assert summary_total["Yhteensä / Totalt"] == pytest.approx(904.90)
    assert summary_total["Rivejä / Rader"] == 9
    lines_total = totals_row(path, "Rivit")
    assert lines_total["Asiantuntija-ID / Expert-ID"] == TOTAL
    assert lines_total["Palkkio / Arvode"] == pytest.approx(892.50)
    assert lines_total["Matka / Resa"] == pytest.approx(12.40)
    checks = sheet_rows(path, "Tarkistukset")
    assert checks[-1][0] == f"Tarkistuksia / Kontroller: {len(checks) - 2}"
    facts = sheet_rows(path, "Tiedot")
    assert sum(1 for r in facts if r[0] == TOTAL) == 2  # the cost-centre and the income-type tables
    wb = load_workbook(path)
    for sheet in ("Yhteenveto", "Maksutiedot", "Rivit", "Tarkistukset"):
        last = wb[sheet].max_row
        assert wb[sheet]["A" + str(last)].font.b, sheet
        assert wb[sheet].auto_filter.ref.endswith(str(last - 1)), sheet  # the filter leaves the totals alone


def test_tax_card_flag_and_checks(filled, reg):
    outcome = write_payroll(filled, reg, MONTH)
    path = outcome.written[0]
    withholding = {r["Asiantuntija-ID / Expert-ID"]: r["Pidätys / Innehållning"]
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
    assert "syyskuu 2026" in late[0]["Selitys"] and "september 2026" in late[0]["Förklaring"]
    # a warning the ledger kept in its older form (English only) is never shown in English
    old_warning = kinds["Huomautus lomakkeesta"][0]
    assert old_warning["Selitys"].startswith("Rivi 5: ") and old_warning["Förklaring"].startswith("Rad 5: ")
    assert "travel reimbursement" not in old_warning["Selitys"] + old_warning["Förklaring"]
    cards = {c["Asiantuntija-ID / Expert-ID"]: c for c in kinds["Verokortti"]}
    assert "2025" in cards["KA-004"]["Selitys"] and "60 %" in cards["KA-012"]["Förklaring"]
    missing = {c["Asiantuntija-ID / Expert-ID"] + "/" + c["Yksikkö-ID / Enhet-ID"] for c in kinds["Lomake puuttuu"]}
    assert "KA-002/MTP-PORVOO" in missing  # only September's form came in
    assert "KA-001/MTP-PORVOO" not in missing and "KA-004/IKÄ-PORVOO" not in missing
    unsigned = sum(c.signed_on is None for c in reg.contracts.values())
    assert unsigned and len(missing) == len(reg.contracts) - 4 - unsigned  # unsigned contracts get no form


def test_fee_paid_in_january_goes_on_the_previous_years_tax_card(workspace, reg):
    """A tax card is valid for the calendar year; in January the previous year's card may still be used while the
    new one is not at hand: December's fees (paid 29.1.2027) are not withheld at 60 % on a 2026 card."""
    with Ledger(workspace.ledger_path) as ledger:
        add_form(ledger, "S-2026-001", "KA-001", "MTP-PORVOO", "2026-12", [
            line(1, date(2026, 12, 3), "individual", "held", "50.00")])
        add_form(ledger, "S-2026-004", "KA-004", "IKÄ-PORVOO", "2026-12", [
            line(1, date(2026, 12, 4), "individual", "held", "50.00")])
    reg.experts["KA-001"] = dataclasses.replace(reg.experts["KA-001"], tax_card_year=2026)
    reg.experts["KA-004"] = dataclasses.replace(reg.experts["KA-004"], tax_card_year=2025)
    outcome = write_payroll(workspace, reg, Month("2026-12"))
    withholding = {r["Asiantuntija-ID / Expert-ID"]: r["Pidätys / Innehållning"]
                   for r in by_header(outcome.written[0], "Yhteenveto")}
    assert withholding == {"KA-001": None, "KA-004": "60 %"}
    assert [w.message.split()[1] for w in outcome.warnings if w.code == "no-tax-card"] == ["KA-004"]
    cards = [c for c in by_header(outcome.written[0], "Tarkistukset")
             if c["Tarkistus / Kontroll"].startswith("Verokortti")]
    assert len(cards) == 1 and "29.1.2027" in cards[0]["Selitys"] and "2026" in cards[0]["Förklaring"]
    assert "vuoden 2027 verokortti" in cards[0]["Selitys"] and "för år 2027" in cards[0]["Förklaring"]


def test_unsigned_contract_is_never_reported_as_a_missing_form(workspace, reg):
    """A contract without signed_on is issued no hour form, so payroll's checks never call its form missing."""
    reg.contracts["S-2026-003"] = dataclasses.replace(reg.contracts["S-2026-003"], signed_on=None)
    outcome = write_payroll(workspace, reg, MONTH)
    missing = [c for c in by_header(outcome.written[0], "Tarkistukset")
               if c["Tarkistus / Kontroll"].startswith("Lomake puuttuu")]
    assert missing and not any("S-2026-003" in c["Selitys"] for c in missing)
    assert any("S-2026-001" in c["Selitys"] for c in missing)
    messages = [w.message for w in outcome.warnings if w.code == "missing-form"]
    assert messages and not any("S-2026-003" in m for m in messages)


INTERNAL_WORDS = ["cancelled_in_time", "cancelled_late", "no_show", "group_no_participants", "individual",
                  "lecture", "common_meeting", "status-corrected", "travel-no-ref", "form_warning", "missing_form",
                  "tax_card", "Status typed", "Travel ", "has no", "is paid", "makes it", "reference"]


def test_checks_sheet_speaks_finnish_and_swedish(workspace, reg):
    with Ledger(workspace.ledger_path) as ledger:
        corrected = Finding("status-corrected", row=5, field="row05_status", params={
            "typed": status_text("cancelled_in_time"), "rule": status_text("cancelled_late"),
            "cancelled_at": datetime(2026, 10, 22, 16, 20), "cutoff_at": datetime(2026, 10, 22, 15, 0),
            "paid": paid_text(True)})
        no_ref = Finding("travel-no-ref", row=3, field="row03_travel_ref", params={"amount": Decimal("8.60")})
        out_of_area = Finding("travel-out-of-area", row=2, field="row02_travel_ref", params={
            "amount": Decimal("20.00"), "task": task_text(reg, "lecture"), "ref": "RESA-7"})
        add_form(ledger, "S-2026-002", "KA-002", "MTP-PORVOO", MONTH, [
            line(5, date(2026, 10, 22), "individual", "cancelled_late", "50.00", income_type="210")],
            warnings=[corrected.stored(), no_ref.stored(), out_of_area.stored()])
    path = write_payroll(workspace, reg, MONTH).written[0]
    checks = by_header(path, "Tarkistukset")
    warnings = [c for c in checks if c["Tarkistus / Kontroll"].startswith("Huomautus lomakkeesta")]
    assert [w["Selitys"].split(":")[0] for w in warnings] == ["Rivi 5", "Rivi 3", "Rivi 2"]
    assert "'Peruttu ajoissa'" in warnings[0]["Selitys"] and "'Peruttu myöhässä'" in warnings[0]["Selitys"]
    assert "22.10.2026 16.20" in warnings[0]["Selitys"] and "palkkio maksetaan" in warnings[0]["Selitys"]
    assert "'Avbokad i tid'" in warnings[0]["Förklaring"] and "'Avbokad för sent'" in warnings[0]["Förklaring"]
    assert "8,60" in warnings[1]["Selitys"] and warnings[1]["Förklaring"].startswith("Rad 3: Resekostnaden 8,60")
    assert "Luento tai koulutus" in warnings[2]["Selitys"] and "'RESA-7'" in warnings[2]["Förklaring"]
    everything = " ".join(str(v) for row in sheet_rows(path, "Tarkistukset") for v in row if v is not None)
    for word in INTERNAL_WORDS:
        assert word not in everything, word
    assert all(c["Selitys"] and c["Förklaring"] and c["Selitys"] != c["Förklaring"] for c in checks)


def test_late_form_is_paid_in_the_next_months_run(filled, reg):
    september = write_payroll(filled, reg, Month("2026-09"))
    assert september.extra["experts"] == [] and september.extra["total_eur"] == "0.00"
    october = write_payroll(filled, reg, MONTH)
    assert ("KA-002", "50.00") in {(e["expert_id"], e["fee_eur"]) for e in october.extra["experts"]}
    november = write_payroll(filled, reg, Month("2026-11"))
    assert [e["expert_id"] for e in november.extra["experts"]] == ["KA-003"]
    assert november.extra["payment_date"] == "2026-12-31"
    lines = by_header(october.written[0], "Rivit")
    assert lines[0]["Aika / Tid"] == "9.00–10.30"
    ka002 = [r for r in lines if r["Asiantuntija-ID / Expert-ID"] == "KA-002"]
    assert ka002[0]["Myöhässä / Försenad"] == "kyllä / ja"
    assert ka002[0]["Päivä / Datum"] == datetime(2026, 9, 28)


def all_cells(path):
    wb = load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}


def test_close_then_reprint_is_identical(filled, reg):
    first = write_payroll(filled, reg, MONTH, close=True)
    assert first.ok
    path = first.written[0]
    before = all_cells(path)
    facts = {r[0]: r[1] for r in before["Tiedot"] if r and r[0]}
    assert facts["Kuukausi suljettu / Månaden stängd"].startswith("kyllä / ja")
    assert any("now closed" in s for s in first.summary)
    kept = closed_copy_path(filled, MONTH)
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(kept.parent).st_mode) == 0o700

    with Ledger(filled.ledger_path) as ledger:
        assert ledger.is_closed(MONTH)
        with pytest.raises(MonthClosed):
            add_form(ledger, "S-2026-005", "KA-005", "VAMPA-SIPOO", MONTH, [
                line(1, date(2026, 10, 30), "individual", "held", "50.00")])
        # a late form for October arrives after closing: it is paid in November, and October's
        # "form missing" check must not disappear from October's print
        add_form(ledger, "S-2026-005", "KA-005", "VAMPA-SIPOO", MONTH, [
            line(1, date(2026, 10, 30), "individual", "held", "50.00")],
            pay_month="2026-11", late=True, received_on=date(2026, 11, 12))
    # the register changes after closing: bank account, name, address, tax card, cost centre
    reg.experts["KA-001"] = dataclasses.replace(reg.experts["KA-001"], iban="FI21 1234 5600 0007 85",
                                                last_name="Uusinimi", street_address="Uusi katu 9",
                                                tax_card_year=2027)
    reg.experts["KA-004"] = dataclasses.replace(reg.experts["KA-004"], tax_card_year=2026)
    reg.units["IKÄ-PORVOO"] = dataclasses.replace(reg.units["IKÄ-PORVOO"], cost_center="999999")

    again = write_payroll(filled, reg, MONTH, close=True)
    assert any("already closed" in s for s in again.summary)
    assert again.extra == first.extra
    assert all_cells(path) == before
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    november = write_payroll(filled, reg, Month("2026-11"))
    assert "KA-005" in {e["expert_id"] for e in november.extra["experts"]}


def test_month_closed_without_a_kept_copy_is_rebuilt_with_a_warning(filled, reg):
    with Ledger(filled.ledger_path) as ledger, ledger.transaction():
        ledger.close_month(MONTH)
    outcome = write_payroll(filled, reg, MONTH)
    assert outcome.written and "no-closed-copy" in {w.code for w in outcome.warnings}
    assert not closed_copy_path(filled, MONTH).exists()
    # a damaged copy is not trusted either
    closed_copy_path(filled, MONTH).parent.mkdir(parents=True, exist_ok=True)
    closed_copy_path(filled, MONTH).write_text('{"month": "2026-10", "workbook": "not base64!"}')
    again = write_payroll(filled, reg, MONTH)
    assert "no-closed-copy" in {w.code for w in again.warnings}
    assert load_workbook(again.written[0]).sheetnames == ["Tiedot", "Yhteenveto", "Maksutiedot", "Rivit",
                                                          "Tarkistukset"]


def test_closed_copy_changed_after_closing_is_not_reprinted_as_the_closed_workbook(filled, reg):
    first = write_payroll(filled, reg, MONTH, close=True)
    kept = closed_copy_path(filled, MONTH)
    snapshot = json.loads(kept.read_text(encoding="utf-8"))
    snapshot["extra"]["total_eur"] = "99999.99"
    snapshot["summary"] = ["Payroll total 99999.99"]
    kept.write_text(json.dumps(snapshot), encoding="utf-8")
    again = write_payroll(filled, reg, MONTH)
    assert "no-closed-copy" in {w.code for w in again.warnings}
    assert again.extra["total_eur"] == first.extra["total_eur"] != "99999.99"
    assert not any("already closed" in s and "as it was at closing" in s for s in again.summary)


def test_a_copy_kept_before_copies_recorded_their_closing_time_is_still_the_closed_workbook(filled, reg):
    """Copies kept by earlier versions have no closed_at (and the ledger no checksum): still the closed month."""
    first = write_payroll(filled, reg, MONTH, close=True)
    kept = closed_copy_path(filled, MONTH)
    snapshot = json.loads(kept.read_text(encoding="utf-8"))
    del snapshot["closed_at"], snapshot["format"]
    kept.write_text(json.dumps(snapshot), encoding="utf-8")
    with Ledger(filled.ledger_path) as ledger, ledger.transaction():
        ledger.db.execute("DELETE FROM meta WHERE key = ?", (f"closed_copy_sha256:{MONTH}",))
    again = write_payroll(filled, reg, MONTH)
    assert again.ok and again.extra == first.extra and again.summary[:2] == first.summary[:2]
    assert any("as it was at closing" in s for s in again.summary)
    assert again.written[0].read_bytes() == base64.b64decode(snapshot["workbook"])


def test_adjustment_lines_and_withdrawn_rows_are_shown(filled, reg, monkeypatch):
    from kokemus_docs.pay import paymonth, payroll

    collect = payroll.collect_pay_month

    def with_corrections(*args, **kwargs):
        pay = collect(*args, **kwargs)
        first = pay.lines[0]
        pay.lines[0] = dataclasses.replace(first, adjustment=True)
        pay.withdrawn.append(first.line)
        pay.checks.append(paymonth.withdrawn_check(reg, first.form, first.line, Month("2026-09"), date(2026, 10, 20)))
        return pay

    monkeypatch.setattr(payroll, "collect_pay_month", with_corrections)
    path = write_payroll(filled, reg, MONTH).written[0]
    flags = [r["Oikaisu / Rättelse"] for r in by_header(path, "Rivit")]
    assert flags[0] == "kyllä / ja" and set(flags[1:]) == {"ei / nej"}
    withdrawn = [c for c in by_header(path, "Tarkistukset") if c["Tarkistus / Kontroll"].startswith("Korjauksessa "
                                                                                                    "poistunut")]
    assert len(withdrawn) == 1
    assert "syyskuu 2026" in withdrawn[0]["Selitys"] and "september 2026" in withdrawn[0]["Förklaring"]
    assert "20.10.2026" in withdrawn[0]["Selitys"] and "Yksilötyö" in withdrawn[0]["Selitys"]
    assert "Individuellt arbete" in withdrawn[0]["Förklaring"]
    facts = {r[0]: r[1] for r in sheet_rows(path, "Tiedot") if r and r[0]}
    assert facts["Oikaisurivejä / Rättelserader"] == 1


def test_close_is_refused_while_a_unit_is_missing(filled, reg):
    del reg.units["IKÄ-PORVOO"]
    outcome = write_payroll(filled, reg, MONTH, close=True)
    assert {e.code for e in outcome.errors} == {"unknown-unit", "not-closed"}
    register_checks = [c for c in by_header(outcome.written[0], "Tarkistukset")
                       if c["Tarkistus / Kontroll"] == "Rekisteri / Registret"]
    assert [c["Yksikkö-ID / Enhet-ID"] for c in register_checks] == ["IKÄ-PORVOO"]
    assert "kustannuspaikka" in register_checks[0]["Selitys"]
    assert "kostnadsställe" in register_checks[0]["Förklaring"]
    with Ledger(filled.ledger_path) as ledger:
        assert not ledger.is_closed(MONTH)
    assert outcome.written  # the workbook is still there to look at


def test_formula_like_text_stays_text(filled, reg):
    path = write_payroll(filled, reg, MONTH).written[0]
    wb = load_workbook(path)
    notes_column = column_letter(wb["Rivit"], "Lisätiedot / Anteckningar")
    notes = [c for c in wb["Rivit"][notes_column] if c.value == INJECTION]
    assert len(notes) == 1 and notes[0].data_type == "s" and notes[0].quotePrefix
    names = [c for c in wb["Yhteenveto"]["C"] if c.value == "+358 Matti"]
    assert len(names) == 1 and names[0].data_type == "s"
    assert not any(c.data_type == "f" for ws in wb for row in ws.iter_rows() for c in row)


def test_typed_cells_print_settings_frozen_header_and_filter(filled, reg):
    path = write_payroll(filled, reg, MONTH).written[0]
    wb = load_workbook(path)
    assert wb.sheetnames == ["Tiedot", "Yhteenveto", "Maksutiedot", "Rivit", "Tarkistukset"]
    for sheet in wb:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        wide = 2 if sheet.title == "Rivit" else 1  # the lines print two pages wide, their first columns on each
        assert sheet.page_setup.fitToWidth == wide and sheet.page_setup.fitToHeight == 0, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title
        assert sheet.freeze_panes == "A2", sheet.title
    lines = wb["Rivit"]
    assert lines.auto_filter.ref == "A1:S10"
    assert wb["Yhteenveto"].auto_filter.ref == "A1:L7"
    assert lines.print_title_cols == "$A:$B"
    fee, day, hours = lines["L2"], lines["C2"], lines["I2"]
    assert isinstance(fee.value, (int, float)) and fee.number_format == '#,##0.00 "€"'
    assert isinstance(day.value, datetime) and day.number_format == "d.m.yyyy"
    assert isinstance(hours.value, (int, float))
    for sheet in ("Yhteenveto", "Maksutiedot", "Rivit", "Tarkistukset"):
        header = wb[sheet]
        # wrapped two-line headers get the height they need; no word of a header is cut
        assert header.row_dimensions[1].height and header.row_dimensions[1].height >= 30, sheet
        for cell in header[1]:
            longest = max(len(word) for word in cell.value.split())
            assert header.column_dimensions[cell.column_letter].width >= longest, (sheet, cell.value)
    checks = wb["Tarkistukset"]
    assert checks.max_row > 3  # a header, several checks, the count of checks
    for row in checks.iter_rows(min_row=2, max_row=checks.max_row - 1):
        text = row[5].value
        assert checks.row_dimensions[row[0].row].height >= 15 * (len(text) // 70), text


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
def test_libreoffice_keeps_formula_like_text_as_text_and_prints_a_page_per_sheet(filled, reg, tmp_path):
    path = write_payroll(filled, reg, MONTH).written[0]
    out = tmp_path / "lo"
    for target in ("xlsx", "pdf"):
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                        "--convert-to", target, "--outdir", str(out), str(path)],
                       check=True, capture_output=True, timeout=180)
    wb = load_workbook(out / path.name)
    notes_column = column_letter(wb["Rivit"], "Lisätiedot / Anteckningar")
    notes = [c for c in wb["Rivit"][notes_column] if c.value == INJECTION]
    assert len(notes) == 1 and notes[0].data_type == "s"
    assert not any(c.data_type == "f" for ws in wb for row in ws.iter_rows() for c in row)
    totals = {r[0]: r[1] for r in wb["Tiedot"].iter_rows(values_only=True) if r and r[0]}
    assert totals["Kaikki yhteensä / Allt totalt"] == pytest.approx(904.90)
    # landscape and readable on paper: every printed character is at least 8 pt; the lines print two pages
    # wide, each page with the expert's id and name; nothing else spills onto a second page
    with pdfplumber.open(out / f"payroll_{MONTH}.pdf") as pdf:
        assert all(page.width > page.height for page in pdf.pages)
        texts = [page.extract_text() or "" for page in pdf.pages]
        smallest = [min(c["size"] for c in page.chars) for page in pdf.pages]
    assert min(smallest) >= 8, smallest
    assert texts[0].startswith("Palkkiot") and "Kustannuspaikka" in texts[1] and "Henkilötunnus" in texts[2]
    assert "Henkilötunnus" not in texts[1]  # what is read apart from what is filed
    lines = [text for text in texts if text.startswith("Asiantuntija-ID / Nimi / Namn")]  # two pages wide,
    # the expert's id and name on both
    assert len(lines) == 2 and "Päivä" in lines[0] and "Lisätiedot" in lines[1]
    assert "Förklaring" in texts[-1]


@pytest.mark.parametrize("stored,fi,sv", [
    pytest.param({"code": "travel-no-ref", "row": 3, "params_fi": {"amount": "8,60 €"},
                  "params_sv": {"amount": "8,60 €"}, "message": "Travel 8,60 € has no reference"},
                 "Rivi 3: Matkakuluilla 8,60 €", "Rad 3: Resekostnaden 8,60 €", id="current"),
    pytest.param({"code": "travel-no-ref", "row": 3, "message": "Travel 8,60 € has no pre-approval reference"},
                 "Rivi 3: Lomakkeesta on huomautus", "Rad 3: Det finns en anmärkning", id="older-english-only"),
    pytest.param({"code": "status-corrected", "params_fi": {"typed": "{rule}"}, "params_sv": "not a dict",
                  "fi": "Teksti {x}", "sv": "Text"},
                 "Teksti {x}", "Text", id="missing-params-fall-back-to-stored-texts"),
    pytest.param({"code": "some-new-code", "row": "5", "fi": "Uusi huomautus", "sv": "Ny anmärkning"},
                 "Uusi huomautus", "Ny anmärkning", id="unknown-code-and-odd-row"),
    pytest.param({}, "Lomakkeesta on huomautus", "Det finns en anmärkning", id="empty"),
])
def test_stored_form_warnings_read_in_finnish_and_swedish(stored, fi, sv):
    got_fi, got_sv = workbook_warning(stored)
    assert got_fi.startswith(fi) and got_sv.startswith(sv)
    assert "Travel" not in got_fi + got_sv and "travel-no-ref" not in got_fi + got_sv
