"""`kokemus bookings …`: every subcommand's --json shape and exit codes (SPEC.md), against a real workspace."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from kokemus_docs.cli import cli
from kokemus_docs.register.sample import write_sample_register

BOOKING_KEYS = {"booking_id", "unit_id", "task", "sessions", "topics", "language", "status", "expert_id",
                "contract_id", "requested_on", "booked_on", "cancelled_at", "reason"}
SOON = date.today() + timedelta(days=20)


@pytest.fixture
def ws(workspace, register):
    """The workspace with contracts running until two years from today (sessions must be in the future)."""
    for cid, contract in list(register.contracts.items()):
        register.contracts[cid] = dataclasses.replace(contract, valid_from=date.today() - timedelta(days=1),
                                                      valid_to=date.today() + timedelta(days=730))
    write_sample_register(workspace.register_path, register)
    return workspace


def run(ws, *args):
    result = CliRunner().invoke(cli, ["-w", str(ws.root), "bookings", *args, "--json"], catch_exceptions=False)
    return result.exit_code, (json.loads(result.stdout) if result.stdout.strip() else None)


def test_a_booking_from_request_to_booked_and_cancelled(ws):
    code, out = run(ws, "add", "--unit", "MTP-PORVOO", "--task", "group", "--date", SOON.isoformat(),
                    "--start", "13:00", "--end", "14:30", "--weekly", "3", "--topic", "mielenterveys",
                    "--language", "fi", "--place", "Sali & <Åsa>", "--note", 'Ryhmä "Ankkuri"')
    assert code == 0 and out["ok"] and set(out) >= {"ok", "bookings"}
    booking = out["bookings"][0]
    assert BOOKING_KEYS <= set(booking) and len(booking["sessions"]) == 3
    assert set(booking["sessions"][0]) >= {"date", "start", "end", "status"}
    bid = booking["booking_id"]
    code, out = run(ws, "match", bid)
    assert code == 0 and out["candidates"][0] == {"expert_id": "KA-001", "contract_id": "S-2026-001",
                                                  "reasons": out["candidates"][0]["reasons"]}
    assert any(c["contract_id"] is None and "needs a contract" in c["reasons"] for c in out["candidates"])
    assert run(ws, "offer", bid, "--expert", "KA-001")[1]["bookings"][0]["status"] == "offered"
    code, out = run(ws, "offer", bid, "--expert", "KA-008")
    assert code == 1 and not out["ok"] and out["bookings"] == [] and out["errors"][0]["code"] == "already-offered"
    code, out = run(ws, "answer", bid, "--accept")
    assert code == 0 and out["bookings"][0]["status"] == "booked" and out["bookings"][0]["contract_id"] == "S-2026-001"
    late = f"{SOON + timedelta(days=6)} 15:01"
    code, out = run(ws, "cancel", bid, "--at", late, "--session", "2")
    assert code == 0 and out["bookings"][0]["sessions"][1]["status"] == "cancelled_late"
    code, out = run(ws, "list", "--status", "booked", "--unit", "MTP-PORVOO")
    assert [b["booking_id"] for b in out["bookings"]] == [bid]
    code, out = run(ws, "cancel", bid, "--at", f"{SOON - timedelta(days=2)} 10:00")
    assert code == 0 and out["bookings"][0]["status"] == "cancelled"
    assert out["bookings"][0]["cancelled_at"] == f"{SOON - timedelta(days=2)} 10:00"


def test_decline_and_close_unfilled(ws):
    bid = run(ws, "add", "--unit", "IKÄ-PORVOO", "--task", "lecture", "--date", SOON.isoformat(), "--start", "9",
              "--end", "10")[1]["bookings"][0]["booking_id"]
    run(ws, "offer", bid, "--expert", "KA-010")
    code, out = run(ws, "answer", bid, "--decline", "--reason", "jag hinner inte")
    booking = out["bookings"][0]
    assert code == 0 and booking["status"] == "requested" and booking["reason"] == "jag hinner inte"
    code, out = run(ws, "close", bid, "--reason", "ingen ledig")
    assert code == 0 and (out["bookings"][0]["status"], out["bookings"][0]["reason"]) == ("unfilled", "ingen ledig")


@pytest.mark.parametrize("args, code", [
    pytest.param(["add", "--unit", "NOPE", "--task", "group", "--date", SOON.isoformat(), "--start", "9",
                  "--end", "10"], 1, id="unknown-unit"),
    pytest.param(["add", "--unit", "MTP-PORVOO", "--task", "group", "--date", SOON.isoformat(), "--start", "11",
                  "--end", "10"], 1, id="end-before-start"),
    pytest.param(["add", "--unit", "MTP-PORVOO", "--task", "group", "--date", "2100-01-05", "--start", "9",
                  "--end", "10"], 2, id="year-2100"),
    pytest.param(["add", "--unit", "MTP-PORVOO", "--task", "group", "--date", "14.13.2026", "--start", "9",
                  "--end", "10"], 2, id="not-a-date"),
    pytest.param(["match", "B-000042"], 1, id="unknown-booking"),
    pytest.param(["cancel", "B-000001", "--at", "yesterday"], 2, id="bad-at"),
])
def test_refusals_and_their_exit_codes(ws, args, code):
    exit_code, out = run(ws, *args)
    assert exit_code == code
    if code == 1:
        assert out["ok"] is False and out["bookings"] == [] and out["errors"][0]["code"]


def test_import_takes_good_rows_and_names_each_bad_one(ws, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "pyynnöt"
    sheet.append(["Unit", "Task", "Date", "Start", "End", "Weekly", "Topic", "Language", "Place", "Note"])
    sheet.append(["MTP-PORVOO", "group", SOON, "13:00", "14:30", 2, "mielenterveys; päihteet", "fi", "Sali", ""])
    sheet.append(["NOPE", "group", SOON.isoformat(), "13:00", "14:30", None, None, None, None, None])
    sheet.append(["VAMPA-SIPOO", "individual", f"{SOON.day}.{SOON.month}.{SOON.year}", "12:00", "11:00", None,
                  None, "sv", None, None])
    sheet.append(["VAMPA-SIPOO", "individual", SOON.isoformat(), "9.00", "10.00", None, None, "any", "Åsa & <b>",
                  "x" * 2001])
    path = tmp_path / "pyynnöt.xlsx"
    book.save(path)
    code, out = run(ws, "import", str(path))
    assert code == 1 and len(out["bookings"]) == 1
    assert out["bookings"][0]["topics"] == ["mielenterveys", "päihteet"] and len(out["bookings"][0]["sessions"]) == 2
    assert [(e["row"], e["sheet"], e["code"]) for e in out["errors"]] == [
        (3, "pyynnöt", "unknown-unit"), (4, "pyynnöt", "end-before-start"), (5, "pyynnöt", "too-long")]
    assert len(run(ws, "list")[1]["bookings"]) == 1
    assert [(r["row"], r["field"]) for r in out["refused_rows"]] == [(3, "unit"), (4, "end"), (5, "note")]
    assert all(r["fi"] and r["sv"] and r["fi"] != r["sv"] for r in out["refused_rows"])


def test_import_hands_back_typed_requests_and_refused_rows(ws, register, tmp_path):
    from kokemus_docs.bookings.importing import import_bookings

    book = Workbook()
    book.active.append(["unit", "task", "date", "start", "end"])
    book.active.append(["MTP-PORVOO", "group", SOON, "13:00", "14:30"])
    book.active.append(["NOPE", "group", SOON, "13:00", "14:30"])
    book.save(tmp_path / "requests.xlsx")
    outcome = import_bookings(ws, register, tmp_path / "requests.xlsx")
    [booking] = outcome.bookings
    assert (booking.unit_id, booking.task, booking.status) == ("MTP-PORVOO", "group", "requested")
    [refused] = outcome.refused_rows
    assert (refused.row, refused.field) == (3, "unit") and "NOPE" in refused.fi and "NOPE" in refused.sv
    assert outcome.json_fields()["bookings"][0]["booking_id"] == booking.booking_id


def test_import_of_a_file_that_is_not_a_workbook(ws, tmp_path):
    path = tmp_path / "requests.xlsx"
    path.write_text("unit,task\n")
    code, out = run(ws, "import", str(path))
    assert code == 1 and out["bookings"] == [] and "not an Excel workbook" in out["errors"][0]["message"]


@pytest.mark.parametrize("month", ["2100-01", "1999-12", "2026-13", "26-10"])
def test_months_outside_2000_to_2099_are_usage_errors(ws, month):
    assert run(ws, "list", "--month", month)[0] == 2
    result = CliRunner().invoke(cli, ["-w", str(ws.root), "forms", "issue", "--month", month, "--json"])
    assert result.exit_code == 2
