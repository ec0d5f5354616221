"""A month's hour form comes out with that month's booked sessions of its contract filled in; the expert marks
what happened, and ingest takes the booking's cancellation time."""

from __future__ import annotations

import subprocess
from datetime import date, datetime, time

import pikepdf
import pytest
from conftest import require_tool

from kokemus_docs.bookings import (
    BookingRequest,
    SessionTime,
    add_booking,
    answer_offer,
    cancel_booking,
    offer_booking,
)
from kokemus_docs.core.month import Month
from kokemus_docs.forms.fields import form_id_for
from kokemus_docs.forms.fill import fill_form
from kokemus_docs.forms.issue import issue_forms
from kokemus_docs.intake.formread import read_form
from kokemus_docs.intake.ingest import ingest_forms

NOW = datetime(2026, 10, 1, 9, 0)


def book(ws, register, expert_id: str, unit_id: str, task: str, sessions, cancel: str | None = None) -> str:
    booking = add_booking(ws, register, BookingRequest(unit_id=unit_id, task=task, sessions=tuple(sessions)),
                          now=NOW)
    offer_booking(ws, register, booking.booking_id, expert_id, now=NOW)
    answer_offer(ws, register, booking.booking_id, accept=True, now=NOW)
    if cancel:
        cancel_booking(ws, register, booking.booking_id, at=cancel, session=1, now=NOW)
    return booking.booking_id


@pytest.fixture
def issued(workspace, register):
    book(workspace, register, "KA-001", "MTP-PORVOO", "group",
         [SessionTime(date(2026, 10, 21), time(13), time(14, 30)),
          SessionTime(date(2026, 10, 14), time(13), time(14, 30))],
         cancel="2026-10-13 16:20")
    book(workspace, register, "KA-001", "MTP-PORVOO", "individual",
         [SessionTime(date(2026, 11, 2), time(9), time(10))])  # November: not on October's form
    outcome = issue_forms(workspace, register, month=Month("2026-10"), expert_ids=["KA-001"])
    forms = {p.name: p for p in outcome.written}
    return workspace, forms


def test_the_booked_sessions_are_on_the_form(issued):
    ws, forms = issued
    form = read_form(forms[f"{form_id_for('S-2026-001', '2026-10')}.pdf"])
    first = {name: form.rows[1][name] for name in ("date", "start", "end", "task", "status", "cancelled_at")}
    assert first == {"date": "14.10.2026", "start": "13.00", "end": "14.30", "task": "group",
                     "status": "cancelled_late", "cancelled_at": "13.10.2026 16.20"}
    assert (form.rows[2]["date"], form.rows[2]["task"], form.rows[2]["status"]) == ("21.10.2026", "group", "")
    assert not any(v for v in form.rows.get(3, {}).values())
    other = read_form(forms[f"{form_id_for('S-2026-015', '2026-10')}.pdf"])  # KA-001's other contract
    assert not any(v for row in other.rows.values() for v in row.values())


def test_the_prefilled_form_is_a_valid_pdf_that_shows_its_values(issued, tmp_path):
    _, forms = issued
    path = forms[f"{form_id_for('S-2026-001', '2026-10')}.pdf"]
    with pikepdf.open(path) as pdf:
        assert pdf.check_pdf_syntax() == []
    require_tool("mutool", "mupdf-tools")  # MuPDF draws the filled fields from their appearance streams
    text = subprocess.run(["mutool", "draw", "-F", "txt", "-o", "-", str(path), "1"], capture_output=True,
                          text=True).stdout
    assert "14.10.2026" in text and "13.10.2026 16.20" in text


@pytest.mark.pdftk
def test_pdftk_sees_the_values(issued):
    _, forms = issued
    path = forms[f"{form_id_for('S-2026-001', '2026-10')}.pdf"]
    dump = subprocess.run(["pdftk", str(path), "dump_data_fields_utf8"], capture_output=True, text=True).stdout
    assert "FieldName: row01_cancelled_at\nFieldNameAlt: " in dump and "FieldValue: 13.10.2026 16.20" in dump


def test_the_expert_marks_what_happened_and_the_form_is_accepted(issued, register, tmp_path):
    ws, forms = issued
    source = forms[f"{form_id_for('S-2026-001', '2026-10')}.pdf"]
    filled = fill_form(source, {"row02_status": "held", "row02_participants": "6", "signed_on": "2.11.2026",
                                "row03_date": "28.10.2026", "row03_start": "13.00", "row03_end": "14.30",
                                "row03_task": "group", "row03_status": "held"}, ws.inbox_dir / "filled.pdf")
    outcome = ingest_forms(ws, register, [filled], received_on=date(2026, 11, 2))
    form = outcome.json_fields()["forms"][0]
    assert form["status"] == "accepted", form["errors"]
    assert [(line["date"], line["status"]) for line in form["lines"]] == [
        ("2026-10-14", "cancelled_late"), ("2026-10-21", "held"), ("2026-10-28", "held")]
