"""Bookings as typed values: a unit's request, its sessions, the offers made to experts, and the candidates.

States (SPEC.md "Bookings"): `requested` → `offered` (to one expert at a time) → `booked` (the expert accepted)
→ `done` once its sessions are past; a declined offer sends it back to `requested`; `unfilled` is closed without
an expert (with a reason); `cancelled` by the unit (with the time it was cancelled). A cancelled session's status
follows the fee rules: `cancelled_in_time` or `cancelled_late` (intake.rules.status_by_rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kokemus_docs.bookings.messages import text
from kokemus_docs.core.errors import KokemusError, Problem

STATES = ("requested", "offered", "booked", "done", "unfilled", "cancelled")
OPEN_STATES = ("requested", "offered")        # waiting for an expert
LANGUAGE_CHOICES = ("fi", "sv", "any")
OFFER_STATES = ("open", "accepted", "declined", "withdrawn")

MAX_NOTE_CHARS = 2_000       # the note and every reason
MAX_TEXT_CHARS = 200         # place, audience, one topic
MAX_TOPICS = 20
MAX_SESSIONS = 60            # one booking (a group's agreed sessions, weekly × N)
MAX_GROUP_SIZE = 999
FIRST_YEAR, LAST_YEAR = 2000, 2099
BOOKING_PREFIX = "B-"


class BookingError(KokemusError):
    """A request or answer that cannot be taken: says what and what to do, in English (`message`) and in the
    person's language (`text('fi')`, `text('sv')`). Nothing was saved. Exit code 1 (rejected)."""

    exit_code = 1

    def __init__(self, code: str, *, field: str | None = None, **params: object):
        self.params = {"field": field, **params} if field else params
        self.field = field
        super().__init__(text(code, "en", **self.params), code=code)

    def text(self, language: str) -> str:
        """The message in `language` (fi, sv or en)."""
        return text(self.code or "", language, **self.params)

    def as_problem(self) -> Problem:
        return Problem(self.message, path=self.path, field=self.field, code=self.code)


def booking_id_of(number: int) -> str:
    return f"{BOOKING_PREFIX}{number:06d}"


def booking_number(booking_id: str) -> int:
    """The ledger's number of a booking id ('B-000012' → 12; '12' is taken too); BookingError if not one."""
    raw = str(booking_id).strip()
    digits = raw[len(BOOKING_PREFIX):] if raw.upper().startswith(BOOKING_PREFIX) else raw
    if not digits.isdigit() or len(digits) > 12:
        raise BookingError("unknown-booking", booking_id=raw[:40])
    return int(digits)


@dataclass(frozen=True)
class SessionTime:
    """One agreed time: a day, a start and an end (same day)."""

    day: date
    start: time
    end: time

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.day, self.start)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.day, self.end)

    def overlaps(self, other: SessionTime) -> bool:
        return self.day == other.day and self.start < other.end and other.start < self.end


def weekly(first: SessionTime, count: int) -> list[SessionTime]:
    """`count` sessions in all, a week apart, starting with `first` (a group's agreed sessions)."""
    return [SessionTime(first.day + timedelta(weeks=i), first.start, first.end) for i in range(count)]


@dataclass(frozen=True)
class BookingRequest:
    """What a unit asks for: the task, the sessions and what kind of expert; never a client's name."""

    unit_id: str
    task: str
    sessions: tuple[SessionTime, ...]
    topics: tuple[str, ...] = ()
    language: str = "any"
    place: str = ""
    audience: str = ""
    group_size: int | None = None
    note: str = ""


@dataclass(frozen=True)
class BookingSession:
    """A session of a booking, numbered from 1 in date order; `status` as SPEC.md's JSON shows it: the
    booking's state (`done` once a booked session is past), or the cancellation's status by the fee rules."""

    number: int
    day: date
    start: time
    end: time
    status: str
    cancelled_at: datetime | None = None

    @property
    def time(self) -> SessionTime:
        return SessionTime(self.day, self.start, self.end)

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


@dataclass(frozen=True)
class Offer:
    """One offer of a booking to one expert, and the expert's answer."""

    offer_id: int
    booking_id: str
    expert_id: str
    state: str  # open | accepted | declined | withdrawn
    offered_at: datetime
    answered_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Booking:
    """One need of one unit, as stored, with its state as of the time it was read."""

    booking_id: str
    unit_id: str
    task: str
    sessions: tuple[BookingSession, ...]
    topics: tuple[str, ...]
    language: str
    place: str
    audience: str
    group_size: int | None
    note: str
    status: str
    expert_id: str | None
    contract_id: str | None
    requested_at: datetime
    booked_at: datetime | None
    cancelled_at: datetime | None
    reason: str | None
    declined_offers: int = 0
    offer: Offer | None = None  # the open offer, while `offered`

    @property
    def requested_on(self) -> date:
        return self.requested_at.date()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    def days_waiting(self, now: datetime) -> int:
        """Whole days since the request (for an open request, how long it has waited)."""
        return max(0, (now.date() - self.requested_on).days)

    def live_sessions(self) -> list[BookingSession]:
        """The sessions not cancelled."""
        return [s for s in self.sessions if not s.cancelled]


@dataclass(frozen=True)
class Reason:
    """Why a candidate fits (or what is missing), as a catalogue code and its values."""

    code: str
    params: tuple[tuple[str, object], ...] = ()

    def text(self, language: str) -> str:
        return text(self.code, language, **dict(self.params))


@dataclass(frozen=True)
class Candidate:
    """An expert who could take a booking, with the reasons; `contract_id` None: a contract is needed first."""

    expert_id: str
    name: str
    contract_id: str | None
    reasons: tuple[Reason, ...]
    sessions_this_month: int

    @property
    def needs_contract(self) -> bool:
        return self.contract_id is None

    def as_json(self, language: str = "en") -> dict:
        return {"expert_id": self.expert_id, "contract_id": self.contract_id,
                "reasons": [r.text(language) for r in self.reasons]}


def stamp(moment: datetime | None) -> str | None:
    """A recorded time as the JSON and the pages show it: 'YYYY-MM-DD HH:MM'."""
    return moment.strftime("%Y-%m-%d %H:%M") if moment else None


def booking_json(booking: Booking) -> dict:
    """One booking in SPEC.md's JSON shape."""
    return {
        "booking_id": booking.booking_id, "unit_id": booking.unit_id, "task": booking.task,
        "sessions": [{"date": s.day.isoformat(), "start": s.start.strftime("%H:%M"), "end": s.end.strftime("%H:%M"),
                      "status": s.status, "cancelled_at": stamp(s.cancelled_at)} for s in booking.sessions],
        "topics": list(booking.topics), "language": booking.language, "status": booking.status,
        "expert_id": booking.expert_id, "contract_id": booking.contract_id,
        "requested_on": booking.requested_on.isoformat(),
        "booked_on": booking.booked_at.date().isoformat() if booking.booked_at else None,
        "cancelled_at": stamp(booking.cancelled_at), "reason": booking.reason,
        "place": booking.place, "note": booking.note, "declined_offers": booking.declined_offers,
    }
