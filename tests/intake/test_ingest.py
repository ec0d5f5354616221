"""Ingesting returned hour forms: ledger, duplicates, corrections, seals, feedback, archiving, pay month.

Most tests use a stand-in reader (a JSON file in place of the PDF) so they exercise ingest itself; the
end-to-end tests at the bottom issue real sealed PDF forms, fill them like an expert would and ingest them.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.month import Month
from kokemus_docs.core.paydates import notice_deadline
from kokemus_docs.core.workspace import init_workspace
from kokemus_docs.forms.fields import ReturnedForm, compute_seal, form_id_for, row_field
from kokemus_docs.intake import decision
from kokemus_docs.intake.ingest import ingest_forms
from kokemus_docs.pdfsafe.limits import FormUnreadable

OCTOBER_ROWS = {
    1: {"date": "6.10.2026", "start": "10.00", "end": "11.00", "task": "individual", "status": "held"},
    2: {"date": "14.10.", "start": "9.00", "end": "10.30", "task": "Ryhmänohjaus", "status": "Toteutui",
        "participants": "5"},
    3: {"date": "2026-10-20", "start": "13:00", "end": "14:30", "task": "group", "status": "held"},
    4: {"date": "22.10.2026", "start": "10.00", "end": "11.00", "task": "individual", "status": "cancelled_late",
        "cancelled_at": "21.10.2026 15.30"},
    5: {"date": "27.10.2026", "start": "10.00", "end": "11.00", "task": "individual",
        "status": "cancelled_in_time", "cancelled_at": "26.10.2026 15.00"},
    6: {"date": "29.10.2026", "start": "17.00", "end": "19.00", "task": "common_meeting", "status": "held",
        "travel_eur": "12,40", "travel_ref": "MATKA-5"},
}
# By hand: 50 + 25 × 1,5 + 27,50 × 1,5 (new rate from 15.10.) + 50 (late cancellation) + 0 + 50 = 228,75 €.
OCTOBER_FEES = ["50.00", "37.50", "41.25", "50.00", "0.00", "50.00"]
OCTOBER_TRAVEL = ["0.00"] * 5 + ["12.40"]
ON_TIME = date(2026, 11, 5)


def json_reader(path: Path, data: bytes | None = None) -> ReturnedForm:
    """Stand-in for formread.read_form: the 'PDF' holds the fields as JSON."""
    try:
        doc = json.loads((Path(path).read_bytes() if data is None else data).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise FormUnreadable(f"{Path(path).name} is not a readable hour form.", code="form-unreadable") from None
    return ReturnedForm(path=str(path), identity=doc["identity"], seal=doc["seal"],
                        rows={int(k): v for k, v in doc["rows"].items()}, confirmed=doc["confirmed"],
                        signed_on=doc.get("signed_on", ""))


@pytest.fixture
def fake_reader(monkeypatch):
    monkeypatch.setattr(decision, "read_form", json_reader)


def put_form(folder: Path, name: str, rows: dict, *, key: bytes, contract_id: str = "S-2026-001",
             expert_id: str = "KA-001", unit_id: str = "MTP-PORVOO", month: str = "2026-10",
             confirmed: bool = True, edit: dict | None = None, note: str = "") -> Path:
    identity = {"form_id": form_id_for(contract_id, month), "contract_id": contract_id, "expert_id": expert_id,
                "unit_id": unit_id, "month": month}
    seal = compute_seal(key, identity)
    identity.update(edit or {})  # edited after sealing, as a tampering expert would
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps({"identity": identity, "seal": seal, "rows": rows, "confirmed": confirmed,
                                "signed_on": "2.11.2026", "note": note}, ensure_ascii=False), encoding="utf-8")
    return path


def all_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_accepted_form_pays_the_fees_computed_by_hand(workspace, register, fake_reader):
    put_form(workspace.inbox_dir, "aino-lokakuu.pdf", OCTOBER_ROWS, key=workspace.seal_key())
    seen = []
    outcome = ingest_forms(workspace, register, received_on=ON_TIME, progress=lambda *a: seen.append(a))
    assert outcome.ok, [str(p) for p in outcome.errors]
    [form] = outcome.json_fields()["forms"]
    assert (form["status"], form["form_id"], form["expert_id"], form["unit_id"], form["month"]) == \
        ("accepted", "S-2026-001_2026-10", "KA-001", "MTP-PORVOO", "2026-10")
    assert [ln["fee_eur"] for ln in form["lines"]] == OCTOBER_FEES
    assert [ln["travel_eur"] for ln in form["lines"]] == OCTOBER_TRAVEL
    assert form["lines"][1] == {"row": 2, "date": "2026-10-14", "task": "group", "status": "held", "hours": "1.50",
                                "payable": True, "fee_eur": "37.50", "travel_eur": "0.00"}
    assert [ln["payable"] for ln in form["lines"]] == [True, True, True, True, False, True]
    assert form["pay_month"] == "2026-10" and form["late"] is False
    assert seen == [(1, 1, "aino-lokakuu.pdf")]
    with Ledger(workspace.ledger_path) as ledger:
        record = ledger.form("S-2026-001_2026-10")
        lines = ledger.lines_of([record.form_id])[record.form_id]
    assert (record.pay_month, record.received_on, record.signed_on) == ("2026-10", ON_TIME, date(2026, 11, 2))
    assert sum(ln.fee_eur for ln in lines) == Decimal("228.75")
    assert sum(ln.travel_eur for ln in lines) == Decimal("12.40")
    assert lines[5].travel_ref == "MATKA-5" and lines[1].participants == 5
    # moved out of the inbox into the month's archive
    assert all_files(workspace.root / "forms") == ["processed/2026-10/aino-lokakuu.pdf"]
    assert form["archived_as"] == "forms/processed/2026-10/aino-lokakuu.pdf"
    assert "accepted S-2026-001_2026-10" in outcome.summary[0]


def test_an_expert_uploading_takes_in_only_their_own_forms(workspace, register, fake_reader):
    """ingest_forms(only_expert=...): another expert's form (or one whose expert id alone was changed) leaves no
    ledger row, archive copy or feedback, and is gone from the inbox; the expert's own form is taken in."""
    key = workspace.seal_key()
    put_form(workspace.inbox_dir, "a-own.pdf", OCTOBER_ROWS, key=key)
    put_form(workspace.inbox_dir, "b-renamed.pdf", OCTOBER_ROWS, key=key, edit={"expert_id": "KA-002"})
    outcome = ingest_forms(workspace, register, received_on=ON_TIME, only_expert="KA-002")
    assert [f["status"] for f in outcome.json_fields()["forms"]] == ["foreign", "foreign"]
    assert all_files(workspace.root / "forms") == [] and not outcome.written
    with Ledger(workspace.ledger_path) as ledger:
        assert ledger.db.execute("SELECT count(*) FROM submissions").fetchone()[0] == 0
    put_form(workspace.inbox_dir, "a-own.pdf", OCTOBER_ROWS, key=key)
    own = ingest_forms(workspace, register, received_on=ON_TIME, only_expert="KA-001")
    assert [f["status"] for f in own.json_fields()["forms"]] == ["accepted"]


def test_same_bytes_twice_is_a_duplicate(workspace, register, fake_reader):
    path = put_form(workspace.inbox_dir, "a.pdf", OCTOBER_ROWS, key=workspace.seal_key())
    shutil.copy(path, workspace.inbox_dir / "a-again.pdf")
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    assert [f["status"] for f in outcome.json_fields()["forms"]] == ["accepted", "duplicate"]
    assert outcome.ok
    with Ledger(workspace.ledger_path) as ledger:
        assert ledger.form("S-2026-001_2026-10").versions == 1
        statuses = [r["status"] for r in ledger.db.execute("SELECT status FROM submissions ORDER BY id")]
    assert statuses == ["accepted", "duplicate"]
    assert all_files(workspace.root / "forms") == ["processed/2026-10/a-again.pdf", "processed/2026-10/a.pdf"]
    # and again in a later run: still a duplicate, nothing changes
    shutil.copy(workspace.processed_dir / "2026-10" / "a.pdf", workspace.inbox_dir / "a.pdf")
    again = ingest_forms(workspace, register, received_on=ON_TIME)
    assert [f["status"] for f in again.json_fields()["forms"]] == ["duplicate"]
    assert all_files(workspace.root / "forms")[-1] == "processed/2026-10/a.pdf"
    assert len(all_files(workspace.root / "forms")) == 3  # the name clash got a suffix, nothing overwritten


def test_corrected_form_replaces_the_earlier_one(workspace, register, fake_reader):
    put_form(workspace.inbox_dir, "form.pdf", OCTOBER_ROWS, key=workspace.seal_key())
    ingest_forms(workspace, register, received_on=ON_TIME)
    corrected = {1: OCTOBER_ROWS[1], 2: {**OCTOBER_ROWS[2], "end": "11.00"}}
    put_form(workspace.inbox_dir, "form.pdf", corrected, key=workspace.seal_key())
    outcome = ingest_forms(workspace, register, received_on=date(2026, 11, 7))
    [form] = outcome.json_fields()["forms"]
    assert form["status"] == "replaced"
    assert [ln["fee_eur"] for ln in form["lines"]] == ["50.00", "50.00"]
    with Ledger(workspace.ledger_path) as ledger:
        record = ledger.form("S-2026-001_2026-10")
        assert (record.versions, record.received_on) == (2, date(2026, 11, 7))
        assert [ln.fee_eur for ln in ledger.lines_of([record.form_id])[record.form_id]] == [Decimal("50.00")] * 2
    assert all_files(workspace.root / "forms") == ["processed/2026-10/form-2.pdf", "processed/2026-10/form.pdf"]


@pytest.mark.parametrize("edit, foreign_key", [
    pytest.param({"month": "2026-09", "form_id": "S-2026-001_2026-09"}, False, id="identity-edited"),
    pytest.param({"expert_id": "KA-002"}, False, id="expert-edited"),
    pytest.param({}, True, id="issued-by-another-workspace"),
])
def test_broken_seal_is_rejected(workspace, register, fake_reader, edit, foreign_key):
    key = bytes(32) if foreign_key else workspace.seal_key()
    put_form(workspace.inbox_dir, "x.pdf", OCTOBER_ROWS, key=key, edit=edit)
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    [form] = outcome.json_fields()["forms"]
    assert form["status"] == "rejected" and form["lines"] == []
    [error] = outcome.errors
    assert (error.code, error.field, error.path) == ("seal-mismatch", "seal", "forms/inbox/x.pdf")
    assert "as it was issued" in error.message
    with Ledger(workspace.ledger_path) as ledger:
        assert ledger.forms_for_year(2026) == []
    assert all_files(workspace.root / "forms") == ["rejected/x.pdf"]


@pytest.mark.parametrize("claimed", ["2026-13", "1999-12", "2026-1", "../2026-10"])
def test_a_sealed_form_naming_no_real_month_is_rejected_and_reports_no_month(workspace, register, fake_reader,
                                                                             claimed):
    """The month a form names is text from outside: the result carries a Month or nothing, never the text."""
    put_form(workspace.inbox_dir, "x.pdf", OCTOBER_ROWS, key=workspace.seal_key(), month=claimed)
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    [form] = outcome.json_fields()["forms"]
    assert (form["status"], form["month"], form["pay_month"]) == ("rejected", None, None)
    assert "month-invalid" in {error.code for error in outcome.errors}
    assert all_files(workspace.root / "forms") == ["rejected/x.pdf"]


def test_unreadable_file_is_rejected_and_kept(workspace, register, fake_reader):
    (workspace.inbox_dir / "scan.pdf").write_bytes(b"%PDF-1.4 not really\xff\xfe")
    (workspace.inbox_dir / "notes.txt").write_text("not a form")
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    [form] = outcome.json_fields()["forms"]
    assert (form["status"], form["form_id"], form["path"]) == ("rejected", None, "forms/inbox/scan.pdf")
    assert outcome.errors[0].code == "unreadable" and "scan.pdf" in outcome.errors[0].message
    assert outcome.written == []  # no form id, so no feedback file
    assert all_files(workspace.root / "forms") == ["inbox/notes.txt", "rejected/scan.pdf"]


def test_rejected_form_gets_feedback_in_finnish_with_rows(workspace, register, fake_reader):
    rows = {**OCTOBER_ROWS, 3: {**OCTOBER_ROWS[3], "date": "3.11.2026"},
            7: {"date": "30.10.2026", "start": "9.00", "end": "10.00", "task": "kahvinkeitto", "status": "held",
                "travel_eur": "5", "travel_ref": ""}}
    put_form(workspace.inbox_dir, "aino.pdf", rows, key=workspace.seal_key(), confirmed=False)
    outcome = ingest_forms(workspace, register, received_on=date(2026, 11, 4))
    [form] = outcome.json_fields()["forms"]
    assert form["status"] == "rejected"
    assert {(e["code"], e.get("row")) for e in form["errors"]} == {
        ("date-outside-month", 3), ("task-unknown", 7), ("confirm-missing", None)}
    [feedback] = outcome.written
    assert workspace.rel(feedback) == "outputs/feedback/S-2026-001_2026-10_2026-11-04.txt"
    text = feedback.read_text(encoding="utf-8")
    assert "S-2026-001_2026-10 (lokakuu 2026)" in text
    assert "Rivi 3, Päivämäärä: Päivämäärä 3.11.2026 ei kuulu lomakkeen kuukauteen" in text
    assert "Rivi 7, Tehtävä: 'kahvinkeitto' ei ole tunnettu tehtävä" in text
    assert "vahvistus: Vahvistusruutua ei ole rastitettu" in text
    assert 'Hei Åsa & "Ötte",' in text
    assert 'Mieli & päihde <"Ankkuri"> Porvoo' in text
    expert = register.experts["KA-001"]
    for secret in (expert.hetu, expert.iban, expert.iban.replace(" ", ""), expert.street_address):
        assert secret not in text
    assert all_files(workspace.root / "forms") == ["rejected/aino.pdf"]


def test_feedback_for_a_swedish_speaking_expert_is_in_swedish(workspace, register, fake_reader):
    rows = {1: {"date": "14.10.2026", "start": "9.00", "end": "10.00", "task": "Grupphandledning",
                "status": "Avbokad för sent", "cancelled_at": ""},
            2: {"date": "15.10.2026", "start": "9.00", "end": "10.00", "task": "individual", "status": "held"},
            3: {"date": "16.10.2026", "start": "9.00", "end": "10.00", "task": "group", "status": "held",
                "travel_eur": "4,50"}}
    put_form(workspace.inbox_dir, "elsa.pdf", rows, key=workspace.seal_key(), contract_id="S-2026-003",
             expert_id="KA-003", unit_id="PERHE-LOVIISA")
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    text = outcome.written[0].read_text(encoding="utf-8")
    assert text.startswith("Återkoppling på timblanketten")
    assert "(oktober 2026)" in text and "Hej Elsa," in text
    assert "Rad 1, Avbokad (datum kl.): För avbokat arbete ska tidpunkten för avbokningen anges" in text
    assert "Rad 2, Uppdrag: Uppgiften 'Individuellt arbete' ingår inte i ditt avtal" in text
    assert "Att observera" in text and "Rad 3, Tillstånd för resa: Resekostnaden 4,50" in text
    assert "hänvisning" not in text
    assert "Rivi" not in text


def test_files_from_elsewhere_are_copied_and_left_in_place(workspace, register, fake_reader, tmp_path):
    outside = tmp_path / "mail"
    good = put_form(outside, "good.pdf", OCTOBER_ROWS, key=workspace.seal_key())
    bad = put_form(outside, "bad.pdf", OCTOBER_ROWS, key=workspace.seal_key(), confirmed=False,
                   contract_id="S-2026-002", expert_id="KA-002")
    (workspace.processed_dir / "2026-10").mkdir(parents=True)
    (workspace.processed_dir / "2026-10" / "good.pdf").write_bytes(b"an older file with this name")
    outcome = ingest_forms(workspace, register, [outside], received_on=ON_TIME)
    assert [f["status"] for f in outcome.json_fields()["forms"]] == ["rejected", "accepted"]
    assert good.exists() and bad.exists()
    assert all_files(workspace.root / "forms") == ["processed/2026-10/good-2.pdf", "processed/2026-10/good.pdf",
                                                   "rejected/bad.pdf"]
    assert (workspace.processed_dir / "2026-10" / "good.pdf").read_bytes() == b"an older file with this name"
    assert (workspace.processed_dir / "2026-10" / "good-2.pdf").read_bytes() == good.read_bytes()
    assert outcome.errors and all(p.path == str(bad.resolve()) for p in outcome.errors)


def test_reingesting_a_rejected_file_after_fixing_the_register(workspace, register, fake_reader):
    put_form(workspace.inbox_dir, "f.pdf", OCTOBER_ROWS, key=workspace.seal_key())
    fees = register.fees
    register.fees = [f for f in fees if f.task != "common_meeting"]
    first = ingest_forms(workspace, register, received_on=ON_TIME)
    assert [e.code for e in first.errors] == ["no-rate"]
    register.fees = fees
    second = ingest_forms(workspace, register, [workspace.rejected_dir], received_on=ON_TIME)
    assert [f["status"] for f in second.json_fields()["forms"]] == ["accepted"]  # rejected bytes are not duplicates
    assert all_files(workspace.root / "forms") == ["processed/2026-10/f.pdf"]


@pytest.mark.parametrize("received_on, late, pay_month", [
    pytest.param(date(2026, 11, 9), False, "2026-10", id="on-the-deadline"),
    pytest.param(date(2026, 11, 10), True, "2026-11", id="a-day-late"),
    # November's notice day (9.12.) has passed too: the first payroll still to be notified is December's
    pytest.param(date(2027, 1, 3), True, "2026-12", id="very-late"),
    pytest.param(date(2026, 12, 9), True, "2026-11", id="on-novembers-notice-day"),
])
def test_late_form_is_paid_a_month_later(workspace, register, fake_reader, received_on, late, pay_month):
    put_form(workspace.inbox_dir, "f.pdf", OCTOBER_ROWS, key=workspace.seal_key())
    outcome = ingest_forms(workspace, register, received_on=received_on)
    [form] = outcome.json_fields()["forms"]
    assert (form["status"], form["late"], form["pay_month"]) == ("accepted", late, pay_month)
    assert ("late" in {w.code for w in outcome.warnings}) is late
    with Ledger(workspace.ledger_path) as ledger:
        assert [f.form_id for f in ledger.forms_for_pay_month(pay_month)] == ["S-2026-001_2026-10"]


def test_on_time_form_for_a_closed_month_moves_to_the_next_open_one(workspace, register, fake_reader):
    with Ledger(workspace.ledger_path) as ledger:
        ledger.close_month(Month("2026-10"))
        ledger.close_month(Month("2026-11"))
    put_form(workspace.inbox_dir, "f.pdf", OCTOBER_ROWS, key=workspace.seal_key())
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    [form] = outcome.json_fields()["forms"]
    assert (form["status"], form["pay_month"], form["late"]) == ("accepted", "2026-12", True)
    assert [w.code for w in outcome.warnings] == ["pay-month-moved"]


def test_a_late_form_goes_to_the_first_open_month_whose_notice_day_has_not_passed(workspace, register,
                                                                                  fake_reader):
    """September's form received on 1.12.: October's payroll was paid on 30.11. and its notice was due 9.11.;
    November's notice is due 9.12., so it is paid with November on 31.12."""
    rows = {1: {"date": "28.9.2026", "start": "9.00", "end": "10.00", "task": "individual", "status": "held"}}
    put_form(workspace.inbox_dir, "f.pdf", rows, key=workspace.seal_key(), month="2026-09")
    outcome = ingest_forms(workspace, register, received_on=date(2026, 12, 1))
    [form] = outcome.json_fields()["forms"]
    assert (form["status"], form["pay_month"], form["late"]) == ("accepted", "2026-11", True), outcome.errors
    late = next(w for w in outcome.warnings if w.code == "late")
    assert "paid with the payroll of 2026-11" in late.message
    feedback = next(workspace.output("feedback").glob("*.txt")).read_text(encoding="utf-8")
    assert "kuukauden 2026-11 palkkioerässä" in feedback and "kuukautta tavallista" not in feedback


def test_the_same_time_on_two_contracts_of_one_expert_is_paid_once(workspace, register, fake_reader):
    """KA-001 has contracts at two units; a lecture at IKÄ-PORVOO at the hour of an MTP-PORVOO session on the
    other form would pay the same time twice: the second form is rejected, naming the first; a lecture at
    another hour, a correction of the first form itself, and a cancellation in time are fine."""
    key = workspace.seal_key()
    put_form(workspace.inbox_dir, "1.pdf", OCTOBER_ROWS, key=key)
    assert ingest_forms(workspace, register, received_on=ON_TIME).ok
    lecture = {"date": "6.10.2026", "start": "10.30", "end": "12.00", "task": "lecture", "status": "held"}
    put_form(workspace.inbox_dir, "2.pdf", {1: lecture}, key=key, contract_id="S-2026-015", unit_id="IKÄ-PORVOO")
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    [form] = outcome.json_fields()["forms"]
    assert form["status"] == "rejected"
    [error] = outcome.errors
    assert (error.code, error.row) == ("paid-on-another-form", 1)
    assert "S-2026-001_2026-10" in error.message and "MTP-PORVOO" in error.message and "row 1" in error.message
    feedback = next(workspace.output("feedback").glob("*S-2026-015*")).read_text(encoding="utf-8")
    assert "S-2026-001_2026-10" in feedback and "maksetaan vain kerran" in feedback

    put_form(workspace.inbox_dir, "3.pdf", {1: {**lecture, "start": "11.00"}}, key=key, contract_id="S-2026-015",
             unit_id="IKÄ-PORVOO")
    put_form(workspace.inbox_dir, "4.pdf", {**OCTOBER_ROWS, 7: {**OCTOBER_ROWS[1], "date": "7.10.2026"}}, key=key)
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    assert [f["status"] for f in outcome.json_fields()["forms"]] == ["accepted", "replaced"], outcome.errors
    with Ledger(workspace.ledger_path) as ledger:
        assert {f.form_id for f in ledger.forms_for_pay_month(Month("2026-10"))} == {"S-2026-001_2026-10",
                                                                             "S-2026-015_2026-10"}


def test_work_reported_before_it_was_done_is_rejected(workspace, register, fake_reader):
    put_form(workspace.inbox_dir, "f.pdf", OCTOBER_ROWS, key=workspace.seal_key())
    outcome = ingest_forms(workspace, register, received_on=date(2026, 10, 25))
    assert {(e.code, e.row) for e in outcome.errors} == {("date-after-received", 5), ("date-after-received", 6)}


def test_one_rejection_does_not_stop_the_batch(workspace, register, fake_reader):
    key = workspace.seal_key()
    put_form(workspace.inbox_dir, "1.pdf", OCTOBER_ROWS, key=key)
    put_form(workspace.inbox_dir, "2.pdf", OCTOBER_ROWS, key=key, contract_id="S-2026-004", expert_id="KA-004",
             unit_id="IKÄ-PORVOO")
    put_form(workspace.inbox_dir, "3.pdf", {}, key=key, contract_id="S-2026-008", expert_id="KA-008")
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    assert [f["status"] for f in outcome.json_fields()["forms"]] == ["accepted", "rejected", "accepted"]
    assert not outcome.ok and {p.path for p in outcome.errors} == {"forms/inbox/2.pdf"}
    assert "no-work" in {w.code for w in outcome.warnings}
    assert len(outcome.summary) == 4 and outcome.summary[-1] == "Hour forms: 2 accepted, 1 rejected."
    assert len(all_files(workspace.root / "forms")) == 3 and not list(workspace.inbox_dir.iterdir())


def test_empty_inbox(workspace, register, fake_reader):
    outcome = ingest_forms(workspace, register)
    assert outcome.ok and outcome.json_fields()["forms"] == [] and "No hour forms" in outcome.summary[0]


def test_notice_deadline():
    assert notice_deadline(Month("2026-10"), 9) == date(2026, 11, 9)
    assert notice_deadline(Month("2026-12"), 9) == date(2027, 1, 9)
    assert notice_deadline(Month("2026-01"), 31) == date(2026, 2, 28)


# --- end to end: issue a sealed PDF, fill it like an expert, ingest it -----------------------------------------
def form_values(rows: dict) -> dict[str, str]:
    return {row_field(number, name): value for number, values in rows.items() for name, value in values.items()}


def fill_with_pymupdf(src: Path, values: dict[str, str], target: Path, confirm: bool = True) -> Path:
    import pymupdf

    with pymupdf.open(src) as doc:
        for page in doc:
            for widget in page.widgets():
                if widget.field_name in values:
                    widget.field_value = values[widget.field_name]
                    widget.update()
                elif widget.field_name == "confirm" and confirm:
                    widget.field_value = widget.on_state()
                    widget.update()
        doc.save(target)
    return target


def fill_with_pdftk(src: Path, values: dict[str, str], target: Path, confirm: bool = True) -> Path:
    import subprocess
    from xml.sax.saxutils import escape

    import pikepdf
    from pikepdf.form import Form

    fields = dict(values)
    if confirm:
        with pikepdf.open(src) as pdf:
            fields["confirm"] = str(Form(pdf)["confirm"].on_value).lstrip("/")
    xfdf = target.with_suffix(".xfdf")
    xfdf.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<xfdf xmlns="http://ns.adobe.com/xfdf/"><fields>'
                    + "".join(f'<field name="{escape(k)}"><value>{escape(v)}</value></field>'
                              for k, v in fields.items())
                    + "</fields></xfdf>", encoding="utf-8")
    subprocess.run(["pdftk", str(src), "fill_form", str(xfdf), "output", str(target)], check=True,
                   capture_output=True, timeout=60)
    xfdf.unlink()
    return target


def fill_with_kokemus(src: Path, values: dict[str, str], target: Path, confirm: bool = True) -> Path:
    from kokemus_docs.forms.fill import fill_form

    return fill_form(src, values, target, confirm=confirm)


FILLERS = [
    pytest.param(fill_with_kokemus, id="kokemus"),
    pytest.param(fill_with_pymupdf, id="pymupdf"),
    pytest.param(fill_with_pdftk, id="pdftk", marks=pytest.mark.pdftk),
]

TYPED_ROWS = {  # OCTOBER_ROWS as people type them: labels in Finnish, Finnish dates and times, comma decimals
    **OCTOBER_ROWS,
    1: {"date": "6.10.", "start": "10", "end": "11.00", "task": "Yksilötyö", "status": "Toteutui"},
    4: {**OCTOBER_ROWS[4], "status": "Peruttu ajoissa"},  # typed wrong: 15.30 the day before is late
    6: {**OCTOBER_ROWS[6], "notes": "Yhteinen tapaaminen, Porvoo – matka Loviisasta"},
}


def issued(workspace, register, contract_id: str = "S-2026-001") -> Path:
    from kokemus_docs.forms.issue import issue_forms

    outcome = issue_forms(workspace, register, month=Month("2026-10"))
    return next(p for p in outcome.written if p.name == f"{contract_id}_2026-10.pdf")


@pytest.mark.parametrize("fill", FILLERS)
def test_issue_fill_ingest_pays_the_fees_computed_by_hand(workspace, register, fill):
    form = issued(workspace, register)
    fill(form, form_values(TYPED_ROWS), workspace.inbox_dir / "aino_lokakuu.pdf")
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    assert outcome.ok, [str(p) for p in outcome.errors]
    [result] = outcome.json_fields()["forms"]
    assert result["status"] == "accepted"
    assert [ln["fee_eur"] for ln in result["lines"]] == OCTOBER_FEES
    assert [ln["travel_eur"] for ln in result["lines"]] == OCTOBER_TRAVEL
    assert result["lines"][3]["status"] == "cancelled_late"
    assert [(w["code"], w["row"]) for w in result["warnings"]] == [("status-corrected", 4)]
    with Ledger(workspace.ledger_path) as ledger:
        lines = ledger.lines_of(["S-2026-001_2026-10"])["S-2026-001_2026-10"]
    assert sum(ln.fee_eur for ln in lines) == Decimal("228.75")
    assert lines[5].notes == "Yhteinen tapaaminen, Porvoo – matka Loviisasta"
    assert all_files(workspace.root / "forms") == ["processed/2026-10/aino_lokakuu.pdf"]


def test_real_forms_duplicate_correction_tampering_and_broken_files(workspace, register, tmp_path):
    from pypdf import PdfReader, PdfWriter

    form = issued(workspace, register)
    first = fill_with_kokemus(form, form_values(OCTOBER_ROWS), tmp_path / "first.pdf")
    shutil.copy(first, workspace.inbox_dir / "1-first.pdf")
    shutil.copy(first, workspace.inbox_dir / "2-first-again.pdf")
    fill_with_pymupdf(form, form_values({1: OCTOBER_ROWS[1]}), workspace.inbox_dir / "3-corrected.pdf")
    # tampering: the locked month edited to move the form to another month
    writer = PdfWriter(clone_from=PdfReader(first))
    writer.update_page_form_field_values(None, {"month": "2026-09", "form_id": "S-2026-001_2026-09"},
                                         auto_regenerate=False)
    with open(workspace.inbox_dir / "4-tampered.pdf", "wb") as handle:
        writer.write(handle)
    # a form issued by another workspace, sealed with its own key
    other, _ = init_workspace(tmp_path / "other")
    from kokemus_docs.forms.issue import issue_forms

    foreign = next(p for p in issue_forms(other, register, month=Month("2026-10")).written if "S-2026-001" in p.name)
    fill_with_kokemus(foreign, form_values(OCTOBER_ROWS), workspace.inbox_dir / "5-foreign.pdf")
    (workspace.inbox_dir / "6-broken.pdf").write_bytes(first.read_bytes()[:3000])
    (workspace.inbox_dir / "7-not-a-pdf.pdf").write_text("Hei, tässä tunnit: 6.10. 10-11", encoding="utf-8")

    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    statuses = {Path(f["path"]).name: f["status"] for f in outcome.json_fields()["forms"]}
    assert statuses == {"1-first.pdf": "accepted", "2-first-again.pdf": "duplicate", "3-corrected.pdf": "replaced",
                        "4-tampered.pdf": "rejected", "5-foreign.pdf": "rejected", "6-broken.pdf": "rejected",
                        "7-not-a-pdf.pdf": "rejected"}
    codes_by_file = {Path(p.path).name: p.code for p in outcome.errors}
    assert codes_by_file["4-tampered.pdf"] == codes_by_file["5-foreign.pdf"] == "seal-mismatch"
    assert codes_by_file["6-broken.pdf"] == codes_by_file["7-not-a-pdf.pdf"] == "unreadable"
    with Ledger(workspace.ledger_path) as ledger:
        record = ledger.form("S-2026-001_2026-10")
        assert record.versions == 2
        assert [ln.fee_eur for ln in ledger.lines_of([record.form_id])[record.form_id]] == [Decimal("50.00")]
    # every file is kept, none twice in the inbox
    assert all_files(workspace.root / "forms") == [
        "processed/2026-10/1-first.pdf", "processed/2026-10/2-first-again.pdf", "processed/2026-10/3-corrected.pdf",
        "rejected/4-tampered.pdf", "rejected/5-foreign.pdf", "rejected/6-broken.pdf", "rejected/7-not-a-pdf.pdf"]
    # feedback where a form could be read (named by the form id it claims), in Finnish for this expert
    # and for the accepted form that pays a row differently from what was claimed (row 5 cancelled in time)
    feedback = {workspace.rel(p): p.read_text(encoding="utf-8") for p in outcome.written}
    assert sorted(feedback) == ["outputs/feedback/S-2026-001_2026-09_2026-11-05.txt",
                                "outputs/feedback/S-2026-001_2026-10_2026-11-05-2.txt",
                                "outputs/feedback/S-2026-001_2026-10_2026-11-05.txt"]
    accepted = feedback.pop("outputs/feedback/S-2026-001_2026-10_2026-11-05.txt")
    assert "on hyväksytty" in accepted and "Rivi 5 (27.10.2026, Yksilötyö): palkkiota ei makseta." in accepted
    assert all("tunnistetietoja on muutettu" in text for text in feedback.values())


def test_real_form_rejected_with_feedback_in_swedish(workspace, register):
    form = issued(workspace, register, "S-2026-003")
    rows = {2: {"date": "14.10.2026", "start": "9.00", "end": "10.00", "task": "group", "status": "held"},
            5: {"date": "14.10.2026", "start": "9.30", "end": "10.30", "task": "group", "status": "held"}}
    fill_with_pymupdf(form, form_values(rows), workspace.inbox_dir / "elsa.pdf", confirm=False)
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    assert {(p.code, p.row) for p in outcome.errors} == {("overlap", 5), ("confirm-missing", None)}
    text = outcome.written[0].read_text(encoding="utf-8")
    assert "Blankett: S-2026-003_2026-10 (oktober 2026)" in text
    assert "Rad 5, Början: Tiden 9.30–10.30 (14.10.2026) överlappar tiden 9.00–10.00 på rad 2" in text
    assert "bekräftelse: Bekräftelserutan är inte ikryssad" in text


def test_an_accepted_form_of_an_expert_with_a_limit_gets_a_letter_with_the_expected_payment(fake_reader, workspace,
                                                                                          register):
    import dataclasses

    register.experts["KA-001"] = dataclasses.replace(register.experts["KA-001"], earnings_limit_eur=Decimal("200"))
    rows = {1: OCTOBER_ROWS[1]}  # paid as claimed: without a limit, no letter at all
    put_form(workspace.inbox_dir, "f.pdf", rows, key=workspace.seal_key())
    outcome = ingest_forms(workspace, register, received_on=ON_TIME)
    [form] = outcome.json_fields()["forms"]
    assert form["status"] == "accepted" and form["feedback"]
    text = (workspace.root / form["feedback"]).read_text(encoding="utf-8").replace("\u00a0", " ")
    assert "Odotettu maksu 30.11.2026: 50,00 €; ilmoittamasi raja 200,00 €." in text
