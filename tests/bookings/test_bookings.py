"""Bookings as a library: requests, candidates, offers, answers, cancellations, closing unfilled."""

from __future__ import annotations

import threading
from datetime import date, datetime, time

import pytest

from kokemus_docs.bookings import (
    BookingError,
    BookingRequest,
    SessionTime,
    add_booking,
    answer_offer,
    booking_json,
    cancel_booking,
    candidates,
    close_unfilled,
    expert_offers,
    get_booking,
    list_bookings,
    offer_booking,
    open_requests,
    session_times,
    withdraw_offer,
)
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.month import Month

NOW = datetime(2026, 10, 1, 9, 0)


def request(**changes) -> BookingRequest:
    values = dict(unit_id="MTP-PORVOO", task="individual",
                  sessions=(SessionTime(date(2026, 10, 14), time(9, 30), time(11, 0)),),
                  topics=("mielenterveys",), language="fi", place="Huone B214 & <aula>", note="Ryhmä \"Åsa\"")
    values.update(changes)
    return BookingRequest(**values)


def test_a_request_is_stored_with_its_sessions_in_date_order(workspace, register):
    sessions = tuple(session_times(["2026-10-21", "14.10.2026"], "9.30", "11:00"))
    booking = add_booking(workspace, register, request(sessions=sessions), now=NOW)
    shown = booking_json(booking)
    assert shown["status"] == "requested" and shown["expert_id"] is None and shown["contract_id"] is None
    assert [s["date"] for s in shown["sessions"]] == ["2026-10-14", "2026-10-21"]
    assert shown["sessions"][0] == {"date": "2026-10-14", "start": "09:30", "end": "11:00", "status": "requested",
                                    "cancelled_at": None}
    assert shown["requested_on"] == "2026-10-01" and shown["place"] == "Huone B214 & <aula>"
    assert [b.booking_id for b in open_requests(workspace, now=NOW)] == [booking.booking_id]


def test_weekly_sessions_make_one_booking():
    times = session_times(["2026-10-14"], "13:00", "14:30", weekly_count=4)
    assert [t.day.isoformat() for t in times] == ["2026-10-14", "2026-10-21", "2026-10-28", "2026-11-04"]


@pytest.mark.parametrize("changes, code", [
    pytest.param({"unit_id": "NOPE"}, "unknown-unit", id="unknown-unit"),
    pytest.param({"task": "juggling"}, "unknown-task", id="unknown-task"),
    pytest.param({"sessions": (SessionTime(date(2026, 10, 14), time(11), time(9)),)}, "end-before-start", id="end"),
    pytest.param({"sessions": (SessionTime(date(2026, 9, 30), time(11), time(12)),)}, "in-past", id="past"),
    pytest.param({"sessions": ()}, "no-sessions", id="none"),
    pytest.param({"note": "x" * 2001}, "too-long", id="note"),
    pytest.param({"language": "en"}, "bad-language", id="language"),
    pytest.param({"sessions": (SessionTime(date(2026, 10, 14), time(9), time(11)),
                               SessionTime(date(2026, 10, 14), time(10), time(12)))}, "sessions-overlap", id="overlap"),
])
def test_bad_requests_are_refused_in_the_persons_language_and_nothing_is_saved(workspace, register, changes, code):
    with pytest.raises(BookingError) as caught:
        add_booking(workspace, register, request(**changes), now=NOW)
    assert caught.value.code == code
    assert caught.value.text("fi") != caught.value.text("sv") != caught.value.message
    assert list_bookings(workspace, now=NOW) == []


@pytest.mark.parametrize("typed, code", [("2100-01-01", "date-range"), ("1999-12-31", "date-range"),
                                         ("31.2.2026", "bad-date"), ("tomorrow", "bad-date")])
def test_dates_outside_the_years_or_not_dates_are_refused(typed, code):
    with pytest.raises(BookingError) as caught:
        session_times([typed], "9:00", "10:00")
    assert caught.value.code == code


def test_note_of_exactly_2000_characters_is_taken(workspace, register):
    assert len(add_booking(workspace, register, request(note="ä" * 2000), now=NOW).note) == 2000


def test_candidates_fit_on_language_and_topic_with_contracts_first(workspace, register):
    booking = add_booking(workspace, register, request(topics=("psykisk hälsa",), language="any"), now=NOW)
    _, found = candidates(workspace, register, booking.booking_id, now=NOW)
    ids = [c.expert_id for c in found]
    # 'psykisk hälsa' is the same topic as 'mielenterveys': KA-001, KA-008 (fi) and KA-003, KA-012 (sv)
    assert set(ids) == {"KA-001", "KA-003", "KA-008", "KA-012"}
    with_contract = [c.expert_id for c in found if c.contract_id]
    assert ids[:len(with_contract)] == with_contract and "KA-003" not in with_contract
    needs = next(c for c in found if c.expert_id == "KA-003")
    assert needs.as_json()["reasons"][0] == "needs a contract"
    assert next(c for c in found if c.expert_id == "KA-001").contract_id == "S-2026-001"
    fi_only = add_booking(workspace, register, request(topics=("mielenterveys",), language="sv"), now=NOW)
    assert {c.expert_id for c in candidates(workspace, register, fi_only.booking_id, now=NOW)[1]} == {"KA-003",
                                                                                                      "KA-012"}


def test_offer_accept_books_the_expert_with_the_contract(workspace, register):
    booking = add_booking(workspace, register, request(), now=NOW)
    offered = offer_booking(workspace, register, booking.booking_id, "KA-001", now=NOW)
    assert offered.status == "offered" and offered.offer.expert_id == "KA-001"
    assert [b.booking_id for b in expert_offers(workspace, "KA-001", now=NOW)] == [booking.booking_id]
    booked = answer_offer(workspace, register, booking.booking_id, accept=True, expert_id="KA-001", now=NOW)
    assert (booked.status, booked.expert_id, booked.contract_id) == ("booked", "KA-001", "S-2026-001")
    assert booking_json(booked)["booked_on"] == "2026-10-01"
    assert get_booking(workspace, booking.booking_id, now=datetime(2026, 10, 15)).status == "done"


def test_decline_returns_the_request_with_the_reason_and_the_expert_leaves_the_candidates(workspace, register):
    booking = add_booking(workspace, register, request(), now=NOW)
    offer_booking(workspace, register, booking.booking_id, "KA-001", now=NOW)
    back = answer_offer(workspace, register, booking.booking_id, accept=False, reason="en ehdi", expert_id="KA-001",
                        now=NOW)
    assert (back.status, back.expert_id, back.reason, back.declined_offers) == ("requested", None, "en ehdi", 1)
    assert "KA-001" not in [c.expert_id for c in candidates(workspace, register, booking.booking_id, now=NOW)[1]]
    with pytest.raises(BookingError) as caught:  # answering again: the offer is gone
        answer_offer(workspace, register, booking.booking_id, accept=True, expert_id="KA-001", now=NOW)
    assert caught.value.code == "offer-withdrawn"


def test_an_answer_to_a_withdrawn_or_filled_offer_is_told_so(workspace, register):
    booking = add_booking(workspace, register, request(), now=NOW)
    offer_booking(workspace, register, booking.booking_id, "KA-001", now=NOW)
    withdraw_offer(workspace, register, booking.booking_id, now=NOW)
    with pytest.raises(BookingError) as caught:
        answer_offer(workspace, register, booking.booking_id, accept=True, expert_id="KA-001", now=NOW)
    assert caught.value.code == "offer-withdrawn" and "peruttu" in caught.value.text("fi")
    offer_booking(workspace, register, booking.booking_id, "KA-008", now=NOW)
    answer_offer(workspace, register, booking.booking_id, accept=True, expert_id="KA-008", now=NOW)
    with pytest.raises(BookingError) as caught:
        answer_offer(workspace, register, booking.booking_id, accept=True, expert_id="KA-001", now=NOW)
    assert caught.value.code == "offer-filled"
    assert get_booking(workspace, booking.booking_id, now=NOW).expert_id == "KA-008"


def test_an_expert_cannot_be_booked_into_two_sessions_at_once(workspace, register):
    first = add_booking(workspace, register, request(), now=NOW)
    offer_booking(workspace, register, first.booking_id, "KA-001", now=NOW)
    answer_offer(workspace, register, first.booking_id, accept=True, now=NOW)
    second = add_booking(workspace, register, request(sessions=(
        SessionTime(date(2026, 10, 14), time(10, 30), time(12)),)), now=NOW)
    assert "KA-001" not in [c.expert_id for c in candidates(workspace, register, second.booking_id, now=NOW)[1]]
    with pytest.raises(BookingError) as caught:
        offer_booking(workspace, register, second.booking_id, "KA-001", now=NOW)
    assert caught.value.code == "expert-busy" and first.booking_id in caught.value.message
    assert get_booking(workspace, second.booking_id, now=NOW).status == "requested"
    back_to_back = add_booking(workspace, register, request(sessions=(
        SessionTime(date(2026, 10, 14), time(11), time(12)),)), now=NOW)
    assert offer_booking(workspace, register, back_to_back.booking_id, "KA-001", now=NOW).status == "offered"


def test_two_coordinators_offering_at_once_end_with_one_offer(workspace, register):
    booking = add_booking(workspace, register, request(), now=NOW)
    results: list = []
    start = threading.Barrier(2)

    def offer(expert_id: str) -> None:
        start.wait()
        try:
            results.append(offer_booking(workspace, register, booking.booking_id, expert_id, now=NOW).status)
        except BookingError as error:
            results.append(error.code)

    threads = [threading.Thread(target=offer, args=(e,)) for e in ("KA-001", "KA-008")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["already-offered", "offered"]
    with Ledger(workspace.ledger_path) as ledger:
        assert ledger.db.execute("SELECT COUNT(*) FROM booking_offers WHERE state = 'open'").fetchone()[0] == 1


@pytest.mark.parametrize("at, status", [("2026-10-13 15:00", "cancelled_in_time"),
                                        ("2026-10-13 15:01", "cancelled_late")])
def test_a_cancelled_session_takes_its_status_from_the_fee_rule(workspace, register, at, status):
    sessions = tuple(session_times(["2026-10-14"], "9:30", "11:00", weekly_count=2))
    booking = add_booking(workspace, register, request(sessions=sessions), now=NOW)
    one = cancel_booking(workspace, register, booking.booking_id, at=at, session=1, now=NOW)
    assert [s.status for s in one.sessions] == [status, "requested"] and one.status == "requested"
    assert booking_json(one)["sessions"][0]["cancelled_at"] == at
    with pytest.raises(BookingError) as caught:
        cancel_booking(workspace, register, booking.booking_id, at=at, session=1, now=NOW)
    assert caught.value.code == "session-cancelled"
    whole = cancel_booking(workspace, register, booking.booking_id, now=datetime(2026, 10, 2, 8, 0))
    assert whole.status == "cancelled" and booking_json(whole)["cancelled_at"] == "2026-10-02 08:00"
    assert [s.status for s in whole.sessions] == [status, "cancelled_in_time"]


def test_close_unfilled_needs_a_reason_and_withdraws_the_offer(workspace, register):
    booking = add_booking(workspace, register, request(), now=NOW)
    offer_booking(workspace, register, booking.booking_id, "KA-001", now=NOW)
    with pytest.raises(BookingError):
        close_unfilled(workspace, register, booking.booking_id, "  ", now=NOW)
    closed = close_unfilled(workspace, register, booking.booking_id, "ei vapaita asiantuntijoita", now=NOW)
    assert (closed.status, closed.reason, closed.offer) == ("unfilled", "ei vapaita asiantuntijoita", None)
    assert closed.expert_id is None, "an unfilled request names no expert (SPEC: expert_id null)"
    with pytest.raises(BookingError) as caught:
        answer_offer(workspace, register, booking.booking_id, accept=True, expert_id="KA-001", now=NOW)
    assert caught.value.code == "offer-withdrawn"


def test_list_filters_by_month_unit_and_status(workspace, register):
    october = add_booking(workspace, register, request(), now=NOW)
    november = add_booking(workspace, register, request(unit_id="IKÄ-PORVOO", sessions=(
        SessionTime(date(2026, 11, 3), time(9), time(10)),)), now=NOW)
    assert [b.booking_id for b in list_bookings(workspace, month=Month("2026-11"), now=NOW)] == [november.booking_id]
    assert [b.booking_id for b in list_bookings(workspace, unit_id="MTP-PORVOO", now=NOW)] == [october.booking_id]
    assert list_bookings(workspace, status="booked", now=NOW) == []
    with pytest.raises(BookingError):
        get_booking(workspace, "B-999999", now=NOW)
    with pytest.raises(BookingError):
        get_booking(workspace, "../etc", now=NOW)


def test_a_session_is_cancelled_before_it_begins(workspace, register):
    sessions = tuple(session_times(["2026-10-14"], "9:30", "11:00", weekly_count=2))
    booking = add_booking(workspace, register, request(sessions=sessions), now=NOW)
    with pytest.raises(BookingError) as caught:
        cancel_booking(workspace, register, booking.booking_id, at="2026-10-14 09:30", session=1, now=NOW)
    assert caught.value.code == "cancel-after-start" and "9.30" not in caught.value.message
    rest = cancel_booking(workspace, register, booking.booking_id, at="2026-10-14 10:00", now=NOW)
    assert [s.status for s in rest.sessions] == ["requested", "cancelled_in_time"] and rest.status == "requested"
    with pytest.raises(BookingError) as caught:
        cancel_booking(workspace, register, booking.booking_id, at="2026-10-30 10:00", now=NOW)
    assert caught.value.code == "cancel-after-start"
