"""`kokemus bookings …` as library calls that return an Outcome: the bookings in SPEC.md's JSON shape under
"bookings" (and "candidates" for match), a line per booking for a person, a refused request as an error."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from kokemus_docs.bookings.model import Booking, BookingError, BookingRequest, booking_json
from kokemus_docs.bookings.offers import answer_offer, candidates, offer_booking
from kokemus_docs.bookings.requests import (
    add_booking,
    cancel_booking,
    close_unfilled,
    list_bookings,
    session_times,
)
from kokemus_docs.core.errors import KokemusError
from kokemus_docs.core.model import Register
from kokemus_docs.core.month import Month
from kokemus_docs.core.report import Outcome
from kokemus_docs.core.workspace import Workspace


def booking_line(booking: Booking) -> str:
    """One line for the terminal: id, unit, task, first session, state, expert."""
    first = booking.sessions[0] if booking.sessions else None
    when = f"{first.day.isoformat()} {first.start.strftime('%H:%M')}" if first else "-"
    more = f" (+{len(booking.sessions) - 1})" if len(booking.sessions) > 1 else ""
    who = f" {booking.expert_id}" if booking.expert_id else ""
    return f"{booking.booking_id} {booking.unit_id} {booking.task} {when}{more} {booking.status}{who}"


def _outcome(found: Sequence[Booking], what: str = "") -> Outcome:
    outcome = Outcome(extra={"bookings": [booking_json(b) for b in found]})
    outcome.summary = [f"{what}{booking_line(b)}" for b in found]
    return outcome


def _guarded(call: Callable[[], Outcome]) -> Outcome:
    try:
        return call()
    except BookingError as error:
        return Outcome(errors=[error.as_problem()], extra={"bookings": []})


class UsageError(KokemusError):
    """An option's value that is not a date, a time or a count in range (exit 2, as for any bad option)."""


def add(ws: Workspace, register: Register, *, unit_id: str, task: str, dates: Sequence[date], start: str, end: str,
        weekly: int | None = None, topics: Sequence[str] = (), language: str = "any", place: str = "",
        note: str = "", now: datetime | None = None) -> Outcome:
    try:
        sessions = session_times(dates, start, end, weekly)
    except BookingError as error:
        raise UsageError(error.message, code=error.code) from None
    request = BookingRequest(unit_id=unit_id, task=task, sessions=tuple(sessions), topics=tuple(topics),
                             language=language, place=place, note=note)
    return _guarded(lambda: _outcome([add_booking(ws, register, request, now=now)], "requested: "))


def listing(ws: Workspace, register: Register, *, month: Month | None, unit_id: str | None, status: str | None,
            now: datetime | None = None) -> Outcome:
    outcome = _guarded(lambda: _outcome(list_bookings(ws, month=month, unit_id=unit_id, status=status, now=now)))
    if not outcome.extra["bookings"] and outcome.ok:
        outcome.summary = ["No bookings."]
    return outcome


def match(ws: Workspace, register: Register, booking_id: str, *, now: datetime | None = None) -> Outcome:
    def run() -> Outcome:
        booking, found = candidates(ws, register, booking_id, now=now)
        outcome = _outcome([booking])
        outcome.extra["candidates"] = [c.as_json("en") for c in found]
        outcome.summary += [f"  {c.expert_id} {c.contract_id or '-'}: {'; '.join(r.text('en') for r in c.reasons)}"
                            for c in found] or ["  No expert fits: widen the topics or language, or close it unfilled."]
        return outcome
    outcome = _guarded(run)
    outcome.extra.setdefault("candidates", [])
    return outcome


def offer(ws: Workspace, register: Register, booking_id: str, expert_id: str, *,
          now: datetime | None = None) -> Outcome:
    return _guarded(lambda: _outcome([offer_booking(ws, register, booking_id, expert_id, now=now)], "offered: "))


def answer(ws: Workspace, register: Register, booking_id: str, *, accept: bool, reason: str | None,
           now: datetime | None = None) -> Outcome:
    return _guarded(lambda: _outcome([answer_offer(ws, register, booking_id, accept=accept, reason=reason, now=now)],
                                     "accepted: " if accept else "declined: "))


def cancel(ws: Workspace, register: Register, booking_id: str, *, at: datetime | None, session: int | None,
           now: datetime | None = None) -> Outcome:
    return _guarded(lambda: _outcome([cancel_booking(ws, register, booking_id, at=at, session=session, now=now)],
                                     "cancelled: "))


def close(ws: Workspace, register: Register, booking_id: str, reason: str, *, now: datetime | None = None) -> Outcome:
    return _guarded(lambda: _outcome([close_unfilled(ws, register, booking_id, reason, now=now)], "closed: "))


def import_file(ws: Workspace, register: Register, path, *, now: datetime | None = None) -> Outcome:
    from kokemus_docs.bookings.importing import ImportOutcome, ImportUnreadable, import_bookings

    try:
        return import_bookings(ws, register, path, now=now)
    except ImportUnreadable as error:  # the file as a whole: reported like a refused row, with no bookings
        return ImportOutcome(errors=[error.as_problem()])
