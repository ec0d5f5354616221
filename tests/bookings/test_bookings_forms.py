"""Bookings on hour forms: at ingest a row matching a booked session takes the booking's cancellation time;
a different claimed time is a warning for the coordinator, never a silent change; other rows stay allowed."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from kokemus_docs.bookings import (
    BookingRequest,
    SessionTime,
    add_booking,
    answer_offer,
    cancel_booking,
    offer_booking,
)
from kokemus_docs.bookings.hourforms import booked_rows
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.month import Month
from kokemus_docs.intake import decision
from kokemus_docs.intake.ingest import ingest_forms
from tests.intake.test_ingest import json_reader, put_form

NOW = datetime(2026, 10, 1, 9, 0)


@pytest.fixture
def fake_reader(monkeypatch):
    """The forms are JSON stand-ins for PDFs (as in tests/intake/test_ingest.py)."""
    monkeypatch.setattr(decision, "read_form", json_reader)


def booked(ws, register) -> str:
    """KA-001 booked at MTP-PORVOO for two individual sessions; the unit cancelled the first at 13.10. 16.20."""
    booking = add_booking(ws, register, BookingRequest(
        unit_id="MTP-PORVOO", task="individual", sessions=(SessionTime(date(2026, 10, 14), time(9, 30), time(11)),
                                                           SessionTime(date(2026, 10, 21), time(9, 30), time(11)))),
        now=NOW)
    offer_booking(ws, register, booking.booking_id, "KA-001", now=NOW)
    answer_offer(ws, register, booking.booking_id, accept=True, now=NOW)
    cancel_booking(ws, register, booking.booking_id, at="2026-10-13 16:20", session=1, now=NOW)
    return booking.booking_id


def test_booked_rows_of_the_month_with_the_cancellation(workspace, register):
    booked(workspace, register)
    rows = booked_rows(workspace, ["S-2026-001", "S-2026-002"], Month("2026-10"))
    assert list(rows) == ["S-2026-001"]
    first, second = rows["S-2026-001"]
    assert (first.day, first.start, first.end, first.task) == (date(2026, 10, 14), time(9, 30), time(11), "individual")
    assert (first.status, first.cancelled_at) == ("cancelled_late", datetime(2026, 10, 13, 16, 20))
    assert (second.status, second.cancelled_at) == (None, None)
    assert booked_rows(workspace, ["S-2026-001"], Month("2026-11")) == {}


def ingest_one(ws, register, rows):
    path = put_form(ws.inbox_dir, "form.pdf", rows, key=ws.seal_key())
    outcome = ingest_forms(ws, register, [path], received_on=date(2026, 11, 2))
    return outcome.json_fields()["forms"][0]


def test_a_cancelled_row_takes_the_bookings_time_and_a_different_claim_is_a_warning(workspace, register, fake_reader):
    booked(workspace, register)
    form = ingest_one(workspace, register, {
        1: {"date": "14.10.2026", "start": "9.30", "end": "11.00", "task": "individual",
            "status": "cancelled_in_time", "cancelled_at": "13.10.2026 14.00"},
        2: {"date": "21.10.2026", "start": "9.30", "end": "11.00", "task": "individual", "status": "held"},
        3: {"date": "23.10.2026", "start": "12.00", "end": "13.00", "task": "individual", "status": "held"}})
    assert form["status"] == "accepted"
    assert [line["status"] for line in form["lines"]] == ["cancelled_late", "held", "held"]
    assert form["lines"][0]["payable"] is True
    codes = [w["code"] for w in form["warnings"]]
    assert "cancelled-at-booked" in codes
    warning = next(w for w in form["warnings"] if w["code"] == "cancelled-at-booked")
    assert "13.10.2026 14.00" in warning["message"] and warning["row"] == 1
    with Ledger(workspace.ledger_path) as ledger:
        stored = ledger.form(form["form_id"]).warnings
    assert any(w["code"] == "cancelled-at-booked" for w in stored)  # the payroll's checks sheet reads these


def test_the_same_time_as_the_booking_gives_no_warning(workspace, register, fake_reader):
    booked(workspace, register)
    form = ingest_one(workspace, register, {
        1: {"date": "14.10.2026", "start": "9.30", "end": "11.00", "task": "individual",
            "status": "cancelled_late", "cancelled_at": "13.10.2026 16.20"}})
    assert form["status"] == "accepted" and form["lines"][0]["status"] == "cancelled_late"
    assert not [w for w in form["warnings"] if w["code"] in ("cancelled-at-booked", "held-but-cancelled")]


def test_a_held_row_for_a_cancelled_session_is_taken_but_flagged(workspace, register, fake_reader):
    booked(workspace, register)
    form = ingest_one(workspace, register, {
        1: {"date": "14.10.2026", "start": "9.30", "end": "11.00", "task": "individual", "status": "held"}})
    assert form["lines"][0]["status"] == "held"
    assert [w["code"] for w in form["warnings"]].count("held-but-cancelled") == 1
