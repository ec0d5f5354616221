"""A unit's side of a booking: making a request (one or more sessions, weekly × N), listing requests,
cancelling a session or all of them, and the coordinator closing a request unfilled.

Every change takes the workspace lock and one ledger transaction: a request that fails a check saves nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time

from kokemus_docs.bookings import ledger as store
from kokemus_docs.bookings.mail import notify, send_due
from kokemus_docs.bookings.model import (
    FIRST_YEAR,
    LANGUAGE_CHOICES,
    LAST_YEAR,
    MAX_GROUP_SIZE,
    MAX_NOTE_CHARS,
    MAX_SESSIONS,
    MAX_TEXT_CHARS,
    MAX_TOPICS,
    Booking,
    BookingError,
    BookingRequest,
    SessionTime,
    weekly,
)
from kokemus_docs.core.formatting import ParseError, parse_date, parse_datetime, parse_time, shown
from kokemus_docs.core.ledger import Ledger, open_ledger
from kokemus_docs.core.model import Register
from kokemus_docs.core.month import Month
from kokemus_docs.core.workspace import Workspace, workspace_lock


@contextmanager
def writing(ws: Workspace, what: str) -> Iterator[Ledger]:
    """The workspace lock (re-entrant: a CLI command or web handler may hold it already) and one transaction."""
    with workspace_lock(ws, f"bookings {what}"), open_ledger(ws.ledger_path) as ledger, ledger.transaction():
        yield ledger


def current_time(now: datetime | None) -> datetime:
    """`now` (the server's time when None) to the second, as bookings store times."""
    return (now or datetime.now()).replace(microsecond=0)


# --- reading what people type ------------------------------------------------------------------------
def parse_day(text: str | date) -> date:
    """A session's date as typed (2026-10-14, 14.10.2026) within 2000–2099; BookingError if not."""
    try:
        day = parse_date(text)
    except ParseError:
        raise BookingError("bad-date", field="date", value=shown(text, 40)) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BookingError("date-range", field="date", date=day.isoformat())
    return day


def parse_clock(text: str | time, field: str) -> time:
    if isinstance(text, time):
        return text
    try:
        return parse_time(text)
    except ParseError:
        raise BookingError("bad-time", field=field, value=shown(text, 40)) from None


def parse_moment(text: str | datetime) -> datetime:
    """A recorded time ('2026-10-13 16:20', '13.10.2026 16.20') within 2000–2099."""
    if isinstance(text, datetime):
        moment = text
    else:
        try:
            moment = parse_datetime(text)
        except ParseError:
            raise BookingError("bad-date", field="at", value=shown(text, 40)) from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise BookingError("date-range", field="at", date=moment.date().isoformat())
    return moment


def session_times(dates: Sequence[str | date], start: str | time, end: str | time,
                  weekly_count: int | None = None) -> list[SessionTime]:
    """Sessions from typed dates and one start and end time; with `weekly_count`, N sessions a week apart from
    the first date (the CLI's `--date ... --weekly N`)."""
    begin, finish = parse_clock(start, "start"), parse_clock(end, "end")
    times = [SessionTime(parse_day(d), begin, finish) for d in dates]
    if weekly_count is not None:
        if not 1 <= weekly_count <= MAX_SESSIONS:
            raise BookingError("weekly-range", field="weekly", limit=MAX_SESSIONS)
        if times:
            times = weekly(times[0], weekly_count)
            if times[-1].day.year > LAST_YEAR:
                raise BookingError("date-range", field="date", date=times[-1].day.isoformat())
    return times


def clean_text(value: str | None, field: str, limit: int) -> str:
    """Typed text stripped; BookingError if longer than `limit` or holding a control character."""
    value = (value or "").strip()
    if len(value) > limit:
        raise BookingError("too-long", field=field, length=len(value), limit=limit)
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in value):
        raise BookingError("control-character", field=field)
    return value


def check_request(request: BookingRequest, register: Register, now: datetime) -> BookingRequest:
    """The request as it will be stored, or a BookingError naming the first thing to correct."""
    if request.unit_id not in register.units:
        raise BookingError("unknown-unit", field="unit", unit_id=shown(request.unit_id, 64))
    if request.task not in register.task_codes():
        raise BookingError("unknown-task", field="task", task=shown(request.task, 64))
    if request.language not in LANGUAGE_CHOICES:
        raise BookingError("bad-language", field="language", value=shown(request.language, 20))
    if not request.sessions:
        raise BookingError("no-sessions", field="date")
    if len(request.sessions) > MAX_SESSIONS:
        raise BookingError("too-many-sessions", field="date", limit=MAX_SESSIONS)
    ordered = sorted(request.sessions, key=lambda s: (s.day, s.start, s.end))
    for number, session in enumerate(ordered, start=1):
        params = {"number": number, "date": session.day.isoformat(), "start": session.start.strftime("%H:%M"),
                  "end": session.end.strftime("%H:%M")}
        if not FIRST_YEAR <= session.day.year <= LAST_YEAR:
            raise BookingError("date-range", field="date", date=session.day.isoformat())
        if session.end <= session.start:
            raise BookingError("end-before-start", field="end", **params)
        if session.starts_at < now:
            raise BookingError("in-past", field="date", **params)
    for first, (a, b) in enumerate(zip(ordered, ordered[1:], strict=False), start=1):
        if a.overlaps(b):
            raise BookingError("sessions-overlap", field="date", first=first, second=first + 1, date=a.day.isoformat())
    if len(request.topics) > MAX_TOPICS:
        raise BookingError("too-many-topics", field="topic", limit=MAX_TOPICS)
    topics = tuple(dict.fromkeys(t for t in (clean_text(t, "topic", MAX_TEXT_CHARS) for t in request.topics) if t))
    if request.group_size is not None and not 0 <= request.group_size <= MAX_GROUP_SIZE:
        raise BookingError("bad-group-size", field="group_size")
    return BookingRequest(
        unit_id=request.unit_id, task=request.task, sessions=tuple(ordered), topics=topics, language=request.language,
        place=clean_text(request.place, "place", MAX_TEXT_CHARS),
        audience=clean_text(request.audience, "audience", MAX_TEXT_CHARS), group_size=request.group_size,
        note=clean_text(request.note, "note", MAX_NOTE_CHARS))


# --- the library calls ------------------------------------------------------------------------------
def add_booking(ws: Workspace, register: Register, request: BookingRequest, *, actor: str = "coordinator",
                now: datetime | None = None) -> Booking:
    """Record a unit's request (state `requested`); BookingError, with nothing saved, if any part is wrong."""
    now = current_time(now)
    checked = check_request(request, register, now)
    with writing(ws, "add") as ledger:
        booking_id = store.insert_booking(ledger, checked, requested_at=now, actor=actor)
        store.audit(ledger, actor, "booking-add", booking_id, checked.unit_id, now)
    return get_booking(ws, booking_id, now=now)


def get_booking(ws: Workspace, booking_id: str, *, now: datetime | None = None) -> Booking:
    """One booking as it is now; BookingError 'unknown-booking' if there is none."""
    with open_ledger(ws.ledger_path) as ledger:
        return booking_by_id(ledger, ws, booking_id, current_time(now))


def booking_by_id(ledger: Ledger, ws: Workspace, booking_id: str, now: datetime) -> Booking:
    """The booking `booking_id` as it stands at `now`, read in an open ledger; BookingError if there is none."""
    found = store.bookings(ledger, now=now, cutoff=ws.cancellation_cutoff, booking_ids=[booking_id])
    if not found:
        raise BookingError("unknown-booking", booking_id=shown(booking_id, 40))
    return found[0]


def list_bookings(ws: Workspace, *, month: Month | None = None, unit_id: str | None = None,
                  status: str | Sequence[str] | None = None, expert_id: str | None = None,
                  now: datetime | None = None, newest: int | None = None) -> list[Booking]:
    """Bookings with a session in `month` (YYYY-MM), of a unit, in a state (one or several), or of an expert;
    oldest request first (with `newest`, only that many of the latest requests: a page's list)."""
    statuses = (status,) if isinstance(status, str) else tuple(status or ())
    bounds = month.period if month else None
    with open_ledger(ws.ledger_path) as ledger:
        return store.bookings(ledger, now=current_time(now), cutoff=ws.cancellation_cutoff, unit_id=unit_id,
                              expert_id=expert_id, statuses=statuses, month=bounds, newest=newest)


def count_bookings(ws: Workspace, *, month: Month | None = None, unit_id: str | None = None,
                   status: str | Sequence[str] | None = None) -> int:
    """How many bookings `list_bookings` would give for these filters (a state 'done' counts as 'booked')."""
    statuses = (status,) if isinstance(status, str) else tuple(status or ())
    with Ledger(ws.ledger_path) as ledger:
        return store.count(ledger, unit_id=unit_id, statuses=statuses,
                           month=month.period if month else None)


def open_requests(ws: Workspace, *, now: datetime | None = None) -> list[Booking]:
    """Every request still waiting for an expert (requested or offered), oldest first: the coordinator's queue.
    `booking.days_waiting(now)` says how long each has waited."""
    return list_bookings(ws, status=("requested", "offered"), now=now)


def cancel_booking(ws: Workspace, register: Register, booking_id: str, *, at: str | datetime | None = None,
                   session: int | None = None, actor: str = "coordinator", now: datetime | None = None) -> Booking:
    """Cancel one session (numbered from 1 in date order) or, without `session`, every session not yet begun.

    `at` is when the unit cancelled (the server's time when not given); each session's status follows the
    fee rules from it (intake.rules.status_by_rule, by kokemus.toml's cancellation_cutoff). A booking whose
    sessions are all cancelled is `cancelled`; an open offer of it is withdrawn and its expert told so (an offer
    never accepted is no agreed time: no late-cancellation fee is mentioned).
    """
    now = current_time(now)
    moment = parse_moment(at) if at is not None else now
    with writing(ws, "cancel") as ledger:
        booking = booking_by_id(ledger, ws, booking_id, now)
        if booking.status in ("cancelled", "unfilled"):
            raise BookingError("not-cancellable", booking_id=booking.booking_id, status=booking.status)
        if session is not None:
            if not 1 <= session <= len(booking.sessions):
                raise BookingError("bad-session", field="session", booking_id=booking.booking_id,
                                   count=len(booking.sessions), number=session)
            chosen = booking.sessions[session - 1]
            if chosen.cancelled_at is not None:
                raise BookingError("session-cancelled", field="session", booking_id=booking.booking_id,
                                   number=session, at=chosen.cancelled_at.strftime("%Y-%m-%d %H:%M"))
            numbers, begun = [session], (chosen if chosen.time.starts_at <= moment else None)
        else:
            live = booking.live_sessions()
            if not live:
                raise BookingError("not-cancellable", booking_id=booking.booking_id, status=booking.status)
            numbers = [s.number for s in live if s.time.starts_at > moment]
            begun = None if numbers else live[-1]
        if begun is not None:
            chosen = begun
            raise BookingError("cancel-after-start", field="at", number=chosen.number, date=chosen.day.isoformat(),
                               start=chosen.start.strftime("%H:%M"), at=moment.strftime("%Y-%m-%d %H:%M"))
        store.cancel_sessions(ledger, booking.booking_id, numbers, moment)
        all_gone = len(numbers) == len(booking.live_sessions())
        if all_gone:
            store.set_state(ledger, booking.booking_id, status="cancelled", cancelled_at=moment)
            if booking.offer is not None:
                store.close_offer(ledger, booking.offer.offer_id, "withdrawn", at=now)
        store.audit(ledger, actor, "booking-cancel", booking.booking_id,
                    f"session {session}" if session else "all", now)
        if all_gone and booking.offer is not None:  # offered, never agreed: the offer is gone, no late-cancel fee
            notify(ledger, ws, register, "withdrawn", booking, now)
        elif booking.expert_id:  # booked, or a session of an offer: the expert hears of it
            notify(ledger, ws, register, "cancellation", booking_by_id(ledger, ws, booking_id, now), now,
                   cancelled_only=True)
    send_due(ws, now=now)
    return get_booking(ws, booking_id, now=now)


def close_unfilled(ws: Workspace, register: Register, booking_id: str, reason: str, *, actor: str = "coordinator",
                   now: datetime | None = None) -> Booking:
    """Close a waiting request without an expert (`unfilled`), with the reason; an open offer is withdrawn and
    the expert it was made to is told so (the reason is for the unit: the expert's message does not carry it)."""
    now = current_time(now)
    reason = clean_text(reason, "reason", MAX_NOTE_CHARS)
    with writing(ws, "close") as ledger:
        booking = booking_by_id(ledger, ws, booking_id, now)
        if not reason:
            raise BookingError("reason-required", field="reason", booking_id=booking.booking_id)
        if not booking.is_open:
            raise BookingError("not-open", booking_id=booking.booking_id, status=booking.status)
        if booking.offer is not None:
            store.close_offer(ledger, booking.offer.offer_id, "withdrawn", at=now)
            notify(ledger, ws, register, "withdrawn", booking, now)  # the offered expert hears it is gone
        store.set_state(ledger, booking.booking_id, status="unfilled", expert_id=None, closed_at=now,
                        reason=reason)  # no expert: the withdrawn offer was never a booking
        store.audit(ledger, actor, "booking-close", booking.booking_id, "unfilled", now)
        notify(ledger, ws, register, "unfilled", booking_by_id(ledger, ws, booking_id, now), now)
    send_due(ws, now=now)
    return get_booking(ws, booking_id, now=now)
