"""What the expert is told about a returned hour form, and corrections received after the month was closed.

The feedback file: for a rejected form, what to correct; for an accepted form paid differently from what was
claimed, what is paid for each such row and why; for a correction after the payroll month was closed, what is
paid more and when, and what was paid but is withdrawn. The coordinator's contact ends every one of them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.month import Month
from kokemus_docs.core.records import LedgerLine
from kokemus_docs.intake import decision
from kokemus_docs.intake.ingest import ingest_forms
from kokemus_docs.pay.corrections import compare
from kokemus_docs.pay.paymonth import collect_pay_month
from tests.intake.test_ingest import OCTOBER_ROWS, ON_TIME, json_reader, put_form

CONTACT = {"coordinator_name": "Outi Osallinen", "coordinator_email": "outi.osallinen@example.fi",
           "coordinator_phone": "040 123 4567"}
CORRECT_AGAIN = ("Korjaa alla luetellut kohdat", "Rätta punkterna nedan")


@pytest.fixture
def ws(workspace, monkeypatch):
    """The workspace with the coordinator's contact set, reading forms from JSON stand-ins."""
    monkeypatch.setattr(decision, "read_form", json_reader)
    workspace.config["organisation"].update(CONTACT)
    return workspace


def only_feedback(outcome) -> str:
    [path] = [p for p in outcome.written if "/feedback/" in p.as_posix()]
    return path.read_text(encoding="utf-8").replace("\u00a0", " ")  # amounts are written as 12,40\u00a0€


def assert_contact_at_the_end(text: str) -> None:
    tail = text.strip().splitlines()[-2:]
    assert tail[0] in ("Kysyttävää? Ota yhteyttä järjestötyön ja osallisuuden asiantuntijaan:",
                       "Frågor? Kontakta experten på organisationsarbete och delaktighet:")
    assert tail[1] == "Outi Osallinen, outi.osallinen@example.fi, 040 123 4567"


# --- accepted, but paid differently from what was claimed -------------------------------------------------


def test_accepted_form_with_travel_dropped_and_unpaid_rows_gets_feedback(ws, register):
    rows = {1: {"date": "6.10.2026", "start": "10.00", "end": "11.00", "task": "individual", "status": "held"},
            2: {"date": "8.10.2026", "start": "10.00", "end": "11.00", "task": "common_meeting", "status": "held",
                "travel_eur": "12,40", "travel_ref": ""},
            3: {"date": "9.10.2026", "start": "10.00", "end": "11.00", "task": "individual", "status": "expert_ill"},
            4: {"date": "27.10.2026", "start": "10.00", "end": "11.00", "task": "individual",
                "status": "cancelled_late", "cancelled_at": "26.10.2026 9.00"}}
    put_form(ws.inbox_dir, "f.pdf", rows, key=ws.seal_key())
    outcome = ingest_forms(ws, register, received_on=ON_TIME)
    [form] = outcome.json_fields()["forms"]
    assert form["status"] == "accepted" and form["feedback"] == "outputs/feedback/S-2026-001_2026-10_2026-11-05.txt"
    text = only_feedback(outcome)
    assert not any(phrase in text for phrase in CORRECT_AGAIN)
    assert "tuntilomakkeesi on hyväksytty, eikä sitä tarvitse lähettää uudelleen. Palkkiot maksetaan 30.11.2026." \
        in text
    assert "Rivi 1" not in text  # paid as claimed
    assert ("- Rivi 2 (8.10.2026, Kokemusasiantuntijoiden yhteinen tapaaminen): palkkio 50,00 € maksetaan. "
            "Matkakuluille 12,40 € ei ole merkitty matkan lupatunnusta, joten niitä ei korvata.") in text
    assert ("- Rivi 3 (9.10.2026, Yksilötyö): palkkiota ei makseta. Kun sairastut itse etkä voi hoitaa tehtävää, "
            "palkkiota ei makseta.") in text
    assert "- Rivi 4 (27.10.2026, Yksilötyö): palkkiota ei makseta. Merkitsit 'Peruttu myöhässä'" in text
    assert_contact_at_the_end(text)


def test_accepted_form_paid_as_claimed_gets_no_feedback(ws, register):
    rows = {1: {"date": "6.10.2026", "start": "10.00", "end": "11.00", "task": "individual", "status": "held"}}
    put_form(ws.inbox_dir, "f.pdf", rows, key=ws.seal_key())
    outcome = ingest_forms(ws, register, received_on=ON_TIME)
    assert outcome.json_fields()["forms"][0]["feedback"] is None and not outcome.written


def test_swedish_feedback_names_fields_as_the_form_prints_them(ws, register):
    rows = {1: {"date": "14.10.2026", "start": "9.00", "end": "10.00", "task": "common_meeting", "status": "held",
                "travel_eur": "4,50"},
            2: {"date": "15.10.2026", "start": "9.00", "end": "10.00", "task": "group",
                "status": "cancelled_in_time", "cancelled_at": "13.10.2026 12.00"}}
    put_form(ws.inbox_dir, "elsa.pdf", rows, key=ws.seal_key(), contract_id="S-2026-003", expert_id="KA-003",
             unit_id="PERHE-LOVIISA")
    text = only_feedback(ingest_forms(ws, register, received_on=ON_TIME))
    assert text.startswith("Återkoppling på timblanketten")
    assert "din timblankett har godkänts" in text and "Arvodena betalas 30.11.2026." in text
    assert "Resekostnaden 4,50 € saknar tillståndsnumret för resan" in text
    assert "hänvisning" not in text and "Rivi" not in text
    assert "- Rad 2 (15.10.2026, Grupphandledning): inget arvode betalas. Uppdraget avbokades inom tiden" in text
    assert_contact_at_the_end(text)


def test_rejected_form_feedback_asks_for_a_correction_and_names_the_coordinator(ws, register):
    rows = {1: {"date": "6.10.2026", "start": "10.00", "end": "11.00", "task": "individual", "status": "held",
                "travel_eur": "3", "travel_ref": ""}}
    put_form(ws.inbox_dir, "f.pdf", rows, key=ws.seal_key(), confirmed=False)
    text = only_feedback(ingest_forms(ws, register, received_on=ON_TIME))
    assert "tuntilomakettasi ei voitu hyväksyä. Korjaa alla luetellut kohdat" in text
    assert "Älä muuta lomakkeen lukittuja tunnistetietoja: Lomakkeen tunnus, Sopimus, Yksikön tunnus, " \
           "Kuukausi (vvvv-kk)." in text
    assert "- vahvistus: Vahvistusruutua ei ole rastitettu." in text
    assert "- Rivi 1, Matkan lupatunnus: Matkakuluille 3,00 €" in text
    assert_contact_at_the_end(text)


def test_feedback_without_a_coordinator_contact_still_says_whom_to_ask(workspace, register, monkeypatch):
    monkeypatch.setattr(decision, "read_form", json_reader)
    put_form(workspace.inbox_dir, "f.pdf", OCTOBER_ROWS, key=workspace.seal_key(), confirmed=False)
    text = only_feedback(ingest_forms(workspace, register, received_on=ON_TIME))
    assert text.strip().endswith("Kysyttävää? Ota yhteyttä järjestötyön ja osallisuuden asiantuntijaan.")


# --- a correction after the month was closed --------------------------------------------------------------

FIRST = {1: {"date": "6.10.2026", "start": "10.00", "end": "11.00", "task": "individual", "status": "held"},
         2: {"date": "8.10.2026", "start": "17.00", "end": "19.00", "task": "common_meeting", "status": "held",
             "travel_eur": "12,40", "travel_ref": ""},
         3: {"date": "20.10.2026", "start": "13.00", "end": "14.30", "task": "group", "status": "held"}}
# The correction adds the travel permit to row 2, withdraws row 1 (the expert was ill after all) and adds a row.
CORRECTED = {1: {**FIRST[1], "status": "expert_ill"},
             2: {**FIRST[2], "travel_ref": "MATKA-7"},
             3: FIRST[3],
             4: {"date": "27.10.2026", "start": "10.00", "end": "11.00", "task": "individual", "status": "held"}}


def send_first_then_close(ws, register):
    put_form(ws.inbox_dir, "first.pdf", FIRST, key=ws.seal_key())
    first = ingest_forms(ws, register, received_on=ON_TIME)
    assert first.json_fields()["forms"][0]["status"] == "accepted"
    with Ledger(ws.ledger_path) as ledger:
        ledger.close_month(Month("2026-10"))


def test_correction_after_close_is_paid_as_adjustments_next_month(ws, register):
    send_first_then_close(ws, register)
    put_form(ws.inbox_dir, "corrected.pdf", CORRECTED, key=ws.seal_key())
    outcome = ingest_forms(ws, register, received_on=date(2026, 11, 20))
    [form] = outcome.json_fields()["forms"]
    assert (form["status"], form["pay_month"]) == ("replaced", "2026-11")
    assert [(ln["row"], ln["fee_eur"], ln["travel_eur"]) for ln in form["lines"]] == [
        (2, "0.00", "12.40"), (4, "50.00", "0.00")]
    [note] = [w for w in outcome.warnings if w.code == "corrected-after-close"]
    assert "2026-10, which is closed" in note.message
    assert ("withdrawn by the correction, to settle with the expert (payroll checks of 2026-11): "
            "1 row (1), 50,00\u00a0€") in note.message
    assert not outcome.errors
    # the terminal says one thing about it: a corrected version settled as adjustments, never "replaced" and then
    # "does not replace"
    said = " ".join(outcome.summary + [w.message for w in outcome.warnings])
    assert "corrected version of S-2026-001_2026-10, settled as adjustments with the payroll of 2026-11" in said
    assert "replace" not in said

    with Ledger(ws.ledger_path) as ledger:
        record = ledger.form("S-2026-001_2026-10")
        paid = ledger.lines_of([record.form_id])[record.form_id]
        adjustments = ledger.adjustments_of(record.form_id)
        # the closed month stays exactly as it was paid
        assert (record.versions, record.pay_month, [ln.row for ln in paid]) == (1, "2026-10", [1, 2, 3])
        assert [(a.kind, a.pay_month, a.line.row, a.amount) for a in adjustments] == [
            ("additional", "2026-11", 2, Decimal("12.40")), ("additional", "2026-11", 4, Decimal("50.00")),
            ("withdrawn", "2026-11", 1, Decimal("50.00"))]
        closed = collect_pay_month(ledger, register, Month("2026-10"))
        november = collect_pay_month(ledger, register, Month("2026-11"))
    assert closed.total == Decimal("141.25") and not any(p.adjustment for p in closed.lines)
    assert [(p.line.row, p.fee, p.travel, p.adjustment) for p in november.lines] == [
        (2, Decimal("0"), Decimal("12.40"), True), (4, Decimal("50.00"), Decimal("0.00"), True)]
    assert [(w.line.row, w.amount) for w in november.withdrawn] == [(1, Decimal("50.00"))]
    [check] = [c for c in november.checks if c.form_id == "S-2026-001_2026-10"]
    assert check.kind == "withdrawn"
    assert "Rivi 1 (6.10.2026, Yksilötyö) maksettiin maksuerässä lokakuu 2026" in check.fi and "50,00\xa0€" in check.fi
    assert "Rad 1 (6.10.2026, Individuellt arbete) betalades" in check.sv

    text = only_feedback(outcome)
    assert not any(phrase in text for phrase in CORRECT_AGAIN)
    assert "korjattu tuntilomakkeesi saapui, kun lomakkeen palkkiot oli jo käsitelty lokakuun 2026 maksuerässä" \
        in text
    # received on 20.11., before the payment day of 30.11.: not "already paid"
    assert "Käsitellyn lomakkeen palkkiot maksetaan 30.11.2026." in text and "maksettu" not in text
    assert "Korjauksen perusteella maksetaan lisää 31.12.2026:" in text
    assert "- Rivi 2 (8.10.2026, Kokemusasiantuntijoiden yhteinen tapaaminen): matkakulut 12,40 €" in text
    assert "- Rivi 4 (27.10.2026, Yksilötyö): palkkio 50,00 €" in text
    assert "Järjestötyön ja osallisuuden asiantuntija sopii kanssasi, miten ne hyvitetään:\n" \
           "- Rivi 1 (6.10.2026, Yksilötyö): palkkio 50,00 €" in text
    assert_contact_at_the_end(text)


def test_correction_after_the_payment_day_says_it_was_paid(ws, register):
    send_first_then_close(ws, register)
    put_form(ws.inbox_dir, "corrected.pdf", {**FIRST, 2: {**FIRST[2], "travel_ref": "MATKA-7"}},
             key=ws.seal_key(), contract_id="S-2026-001")
    text = only_feedback(ingest_forms(ws, register, received_on=date(2026, 12, 2)))
    assert "Käsitellyn lomakkeen palkkiot maksettiin 30.11.2026." in text
    assert "maksetaan lisää 31.12.2026" in text and "hyvitetään" not in text


def test_swedish_correction_after_close(ws, register):
    rows = {1: {"date": "14.10.2026", "start": "9.00", "end": "10.00", "task": "group", "status": "held"}}
    put_form(ws.inbox_dir, "elsa.pdf", rows, key=ws.seal_key(), contract_id="S-2026-003", expert_id="KA-003",
             unit_id="PERHE-LOVIISA")
    ingest_forms(ws, register, received_on=ON_TIME)
    with Ledger(ws.ledger_path) as ledger:
        ledger.close_month(Month("2026-10"))
    put_form(ws.inbox_dir, "elsa-2.pdf", {}, key=ws.seal_key(), contract_id="S-2026-003", expert_id="KA-003",
             unit_id="PERHE-LOVIISA", note="nothing after all")
    text = only_feedback(ingest_forms(ws, register, received_on=date(2026, 11, 20)))
    assert "din rättade timblankett kom in när arvodena för blanketten redan hade behandlats i utbetalningen för " \
           "oktober 2026" in text
    assert "Arvodena för den behandlade blanketten betalas 30.11.2026." in text
    assert "kommer överens med dig om hur de regleras:\n- Rad 1 (14.10.2026, Grupphandledning): arvode" in text
    assert not any(phrase in text for phrase in CORRECT_AGAIN)
    assert_contact_at_the_end(text)


def test_a_second_correction_replaces_unpaid_adjustments(ws, register):
    send_first_then_close(ws, register)
    put_form(ws.inbox_dir, "c1.pdf", CORRECTED, key=ws.seal_key())
    ingest_forms(ws, register, received_on=date(2026, 11, 20))
    put_form(ws.inbox_dir, "c2.pdf", {**FIRST, 2: {**FIRST[2], "travel_ref": "MATKA-7"}}, key=ws.seal_key())
    ingest_forms(ws, register, received_on=date(2026, 11, 21))
    with Ledger(ws.ledger_path) as ledger:
        adjustments = ledger.adjustments_of("S-2026-001_2026-10")
        assert [(a.kind, a.line.row, a.amount) for a in adjustments] == [("additional", 2, Decimal("12.40"))]
        ledger.close_month(Month("2026-11"))
    # once paid, an adjustment counts as paid: the same correction again changes nothing more
    put_form(ws.inbox_dir, "c3.pdf", {**FIRST, 2: {**FIRST[2], "travel_ref": "MATKA-7"}}, key=ws.seal_key(),
             note="again")
    outcome = ingest_forms(ws, register, received_on=date(2027, 1, 5))
    [form] = outcome.json_fields()["forms"]
    assert form["pay_month"] == "2026-12" and form["lines"] == []
    assert "Korjaus ei muuta maksettavia palkkioita." in only_feedback(outcome)


def line(row: int, day: int, fee: str, travel: str = "0.00", payable: bool = True, task: str = "individual"):
    return LedgerLine(row=row, work_date=date(2026, 10, day), start="10:00", end="11:00", task=task, status="held",
                      hours=Decimal("1.00"), participants=None, payable=payable, basis="hour",
                      rate_eur=Decimal(fee), fee_eur=Decimal(fee), travel_eur=Decimal(travel))


def test_compare_matches_rows_by_date_time_and_task_not_by_row_number():
    paid = [line(1, 6, "50.00"), line(2, 8, "50.00", travel="10.00")]
    corrected = [line(1, 1, "50.00"), line(2, 6, "50.00"), line(3, 8, "50.00", travel="4.00")]
    additional, withdrawn = compare(paid, [], corrected)
    assert [(ln.row, ln.fee_eur, ln.travel_eur) for ln in additional] == [(1, Decimal("50.00"), Decimal("0.00"))]
    assert [(ln.row, ln.fee_eur, ln.travel_eur) for ln in withdrawn] == [(2, Decimal("0.00"), Decimal("6.00"))]


def test_the_next_notice_shows_the_correction_as_one(ws, register):
    """The unit reads the correction in a section of its own: the month, what changed and the difference, and
    the withdrawn row with its amount; never as ordinary tasks of the month or a row of 0,00 €."""
    from docx import Document

    from kokemus_docs.pay.notices import write_notices

    send_first_then_close(ws, register)
    put_form(ws.inbox_dir, "corrected.pdf", CORRECTED, key=ws.seal_key())
    ingest_forms(ws, register, received_on=date(2026, 11, 20))
    [path] = [p for p in write_notices(ws, register, Month("2026-11")).written if p.name == "MTP-PORVOO_fi.docx"]
    doc = Document(path)
    tables = [[[cell.text.replace("\u00a0", " ") for cell in row.cells] for row in table.rows] for table in doc.tables]
    corrections = next(t for t in tables if t[0][0] == "Työkuukausi")
    rows = [r for r in corrections[1:] if r[0] and not r[0].startswith("{")]
    name = register.experts["KA-001"].full_name  # & < > " ' kept exactly
    assert rows == [
        ["lokakuu 2026", name, "6.10.2026", "Yksilötyö",
         "poistui korjauksessa, maksettu jo lokakuu 2026: sovitaan erikseen", "−50,00 €"],
        ["lokakuu 2026", name, "8.10.2026", "Kokemusasiantuntijoiden yhteinen tapaaminen",
         "lisää maksettavaa: matkat 12,40 €", "+12,40 €"],
        ["lokakuu 2026", name, "27.10.2026", "Yksilötyö", "lisää maksettavaa: palkkio 50,00 €",
         "+50,00 €"]]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Oikaisut aiempiin kuukausiin" in text
    ordinary = [t for t in tables if t[0][0] == "Päivä" and len(t[0]) == 7]
    assert not any("27.10.2026" in r[0] or "8.10.2026" in r[0] for t in ordinary for r in t[1:])
    assert not any(r[5] == "0,00 €" for t in ordinary for r in t[1:])
