"""The demo's bookings: October's booked sessions of Aino Virtanen at the mental health unit (S-2026-001), which
her October hour form comes out prefilled with, a request left unfilled, and requests for the coming weeks in
every open state; together every state a booking has."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from kokemus_docs.bookings import (
    BookingRequest,
    SessionTime,
    add_booking,
    answer_offer,
    cancel_booking,
    close_unfilled,
    list_bookings,
    offer_booking,
    weekly,
)
from kokemus_docs.core.model import Register
from kokemus_docs.core.workspace import Workspace

BEFORE_OCTOBER = datetime(2026, 9, 14, 9, 0)  # when the units asked for October's sessions
MTP_ROOM = "Huone B214, 2. krs"


def _request(unit_id: str, task: str, sessions, topics=(), language="any", place="", note="") -> BookingRequest:
    return BookingRequest(unit_id=unit_id, task=task, sessions=tuple(sessions), topics=tuple(topics),
                          language=language, place=place, note=note)


def _booked(ws: Workspace, register: Register, request: BookingRequest, expert_id: str, when: datetime) -> str:
    booking = add_booking(ws, register, request, actor="demo", now=when)
    offer_booking(ws, register, booking.booking_id, expert_id, actor="demo", now=when)
    answer_offer(ws, register, booking.booking_id, accept=True, expert_id=expert_id, now=when + timedelta(days=2))
    return booking.booking_id


def book_demo(ws: Workspace, register: Register, today: date | None = None) -> list[str]:
    """Make the demo's bookings; returns the summary lines."""
    when = BEFORE_OCTOBER
    hours = (time(9), time(10)), (time(13), time(14, 30)), (time(10), time(11))
    # October, S-2026-001 (KA-001 at MTP-PORVOO): the rows her form starts with, in date order.
    _booked(ws, register, _request("MTP-PORVOO", "individual", [SessionTime(date(2026, 10, 6), *hours[0])],
                                   ["mielenterveys"], "fi", MTP_ROOM, "Vertaistuen aloituskäynti"), "KA-001", when)
    _booked(ws, register, _request("MTP-PORVOO", "group", weekly(SessionTime(date(2026, 10, 8), *hours[1]), 2),
                                   ["masennus"], "fi", MTP_ROOM, "Toipujaryhmä, 6–8 osallistujaa"), "KA-001", when)
    for day, cancelled_at in ((date(2026, 10, 20), "2026-10-19 15:00"), (date(2026, 10, 22), "2026-10-21 15:01")):
        booking_id = _booked(ws, register, _request("MTP-PORVOO", "individual", [SessionTime(day, *hours[2])],
                                                    ["mielenterveys"], "fi", MTP_ROOM), "KA-001", when)
        cancel_booking(ws, register, booking_id, at=cancelled_at, actor="demo", now=when)
    # A Swedish lecture nobody could give: declined, then closed unfilled.
    lecture = add_booking(ws, register, _request("IKÄ-PORVOO", "lecture", [SessionTime(date(2026, 10, 27), time(13),
                                                                                      time(14, 30))],
                                                 ["äldre"], "sv", "Dagcentret Kotiranta"), actor="demo", now=when)
    offer_booking(ws, register, lecture.booking_id, "KA-010", actor="demo", now=when)
    answer_offer(ws, register, lecture.booking_id, accept=False, reason="Jag är bortrest den veckan.",
                 expert_id="KA-010", now=when + timedelta(days=1))
    close_unfilled(ws, register, lecture.booking_id, "Ingen ledig föreläsare på svenska den veckan.", actor="demo",
                   now=when + timedelta(days=3))
    # The coming weeks: a new request, one offered and waiting for the answer, one declined and waiting again,
    # and one booked.
    now = datetime.now().replace(second=0, microsecond=0)
    soon = (today or now.date()) + timedelta(days=14)
    add_booking(ws, register, _request("VAMPA-SIPOO", "individual", [SessionTime(soon, time(10), time(11))],
                                       ["vammaisuus"], "any", "Neuvotteluhuone Åsa"), actor="demo", now=now)
    sessions = weekly(SessionTime(soon, time(16), time(17, 30)), 3)
    group = add_booking(ws, register, _request("PERHE-LOVIISA", "group", sessions,
                                               ["perheet"], "fi", "Ryhmätila \"Satu\""), actor="demo", now=now)
    offer_booking(ws, register, group.booking_id, "KA-006", actor="demo", now=now)
    again = add_booking(ws, register, _request("IKÄ-PORVOO", "individual", [SessionTime(soon + timedelta(days=1),
                                                                                        time(10), time(11))],
                                               ["yksinäisyys"], "fi"), actor="demo", now=now)
    offer_booking(ws, register, again.booking_id, "KA-014", actor="demo", now=now)
    answer_offer(ws, register, again.booking_id, accept=False, expert_id="KA-014", now=now)
    _booked(ws, register, _request("MTP-PORVOO", "pair", [SessionTime(soon + timedelta(days=2), time(9), time(10))],
                                   ["päihteet"], "fi", MTP_ROOM), "KA-002", now - timedelta(days=2))
    states: dict[str, int] = {}
    for booking in list_bookings(ws):
        states[booking.status] = states.get(booking.status, 0) + 1
    return [f"  bookings: {', '.join(f'{n} {s}' for s, n in sorted(states.items()))}; the October form of "
            "S-2026-001 came out with its 5 booked sessions filled in (see 'bookings list')"]
