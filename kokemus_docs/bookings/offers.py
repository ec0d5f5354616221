"""The coordinator's and the expert's side of a booking: ranked candidates, an offer to one expert at a time,
withdrawing it, and the expert's answer (accept or decline, with an optional reason).

Candidates (SPEC.md): active experts whose topics (the indicators' fi/sv topic vocabulary), language and
service areas fit, who are free at those times; those with a contract for the unit and task valid on every
session's date first, then those with the fewest booked sessions this month (a fair share of the work).
"""

from __future__ import annotations

from datetime import datetime

from kokemus_docs.bookings import ledger as store
from kokemus_docs.bookings.mail import notify, send_due
from kokemus_docs.bookings.model import MAX_NOTE_CHARS, Booking, BookingError, Candidate, Offer, Reason
from kokemus_docs.bookings.requests import booking_by_id, clean_text, current_time, get_booking, writing
from kokemus_docs.core.formatting import shown
from kokemus_docs.core.ledger import Ledger, open_ledger
from kokemus_docs.core.model import Contract, Expert, Register
from kokemus_docs.core.month import Month
from kokemus_docs.core.topics import topic_key, topic_names
from kokemus_docs.core.workspace import Workspace


def contract_for(register: Register, booking: Booking, expert_id: str,
                 contracts: list[Contract] | None = None) -> Contract | None:
    """A contract of the expert with the booking's unit, for its task, valid on every session's date (the
    longest-running one if several). `contracts`: the unit's contracts, when the caller has them at hand."""
    days = [s.day for s in booking.sessions] or [booking.requested_on]
    fitting = [c for c in (register.contracts.values() if contracts is None else contracts)
               if c.expert_id == expert_id and c.unit_id == booking.unit_id and booking.task in c.tasks
               and all(c.covers(d) for d in days)]
    return max(fitting, key=lambda c: (c.valid_to, c.contract_id), default=None)


def _topic_fit(expert: Expert, wanted: tuple[str, ...]) -> list[str] | None:
    """The wanted topics the expert has (as the request named them); None if topics were asked and none fit."""
    if not wanted:
        return []
    has = {topic_names(t)[0] for t in expert.topics}
    found = [t for t in wanted if topic_names(t)[0] in has]
    return found or None


def _area_fit(expert: Expert, register: Register, unit_id: str) -> str | None:
    """'' when the expert named no areas; the matching area; None when they named areas and the unit's is not one."""
    if not expert.service_areas:
        return ""
    unit = register.units.get(unit_id)
    if unit is None or not (unit.service_area or unit.service_area_sv):
        return ""
    wanted = {topic_key(a) for a in (unit.service_area, unit.service_area_sv) if a}
    return next((a for a in expert.service_areas if topic_key(a) in wanted), None)


def _busy(booking: Booking, taken: list[tuple]) -> tuple | None:
    """The first booked session (expert, booking, day, start, end) overlapping one of the booking's live sessions."""
    for session in booking.live_sessions():
        for entry in taken:
            _, _, day, start, end = entry
            if day == session.day and start < session.end and session.start < end:
                return entry
    return None


def candidates(ws: Workspace, register: Register, booking_id: str, *, now: datetime | None = None,
               limit: int = 50) -> tuple[Booking, list[Candidate]]:
    """The booking and its ranked candidates, best first (at most `limit`)."""
    now = current_time(now)
    with open_ledger(ws.ledger_path) as ledger:
        booking = booking_by_id(ledger, ws, booking_id, now)
        days = [s.day for s in booking.live_sessions()]
        taken: dict[str, list[tuple]] = {}
        for entry in store.booked_sessions_on(ledger, days, excluding=booking.booking_id):
            taken.setdefault(entry[0], []).append(entry)
        first = (days or [now.date()])[0]
        load = store.sessions_per_expert(ledger, *Month.containing(first).period)
        declined = store.declined_by(ledger, booking.booking_id)
    found: list[tuple[tuple, Candidate]] = []
    unit_contracts: dict[str, list[Contract]] = {}
    for unit_contract in register.contracts.values():
        if unit_contract.unit_id == booking.unit_id:
            unit_contracts.setdefault(unit_contract.expert_id, []).append(unit_contract)
    for expert in register.experts.values():
        if not expert.active or expert.expert_id in declined:
            continue
        if booking.language != "any" and expert.language != booking.language:
            continue
        topics = _topic_fit(expert, booking.topics)
        area = _area_fit(expert, register, booking.unit_id)
        if topics is None or area is None or _busy(booking, taken.get(expert.expert_id, [])):
            continue
        contract = contract_for(register, booking, expert.expert_id, unit_contracts.get(expert.expert_id, []))
        count = load.get(expert.expert_id, 0)
        reasons = [Reason("reason-contract", (("contract_id", contract.contract_id),)) if contract
                   else Reason("reason-needs-contract")]
        if topics:
            reasons.append(Reason("reason-topics", (("topics", ", ".join(topics)),)))
        if booking.language != "any":
            reasons.append(Reason("reason-language", (("language", expert.language),)))
        reasons.append(Reason("reason-area", (("area", area),)) if area else Reason("reason-area-open"))
        reasons += [Reason("reason-free"), Reason("reason-share", (("count", count),))]
        rank = (contract is None, -len(topics), count, expert.last_name.casefold(), expert.expert_id)
        found.append((rank, Candidate(expert.expert_id, expert.full_name, contract.contract_id if contract else None,
                                      tuple(reasons), count)))
    found.sort(key=lambda pair: pair[0])
    return booking, [c for _, c in found[:limit]]


def _expert(register: Register, expert_id: str) -> Expert:
    expert = register.experts.get(expert_id)
    if expert is None:
        raise BookingError("unknown-expert", field="expert", expert_id=shown(expert_id, 64))
    if not expert.active:
        raise BookingError("expert-inactive", field="expert", expert_id=expert_id)
    return expert


def _check_free(ledger: Ledger, booking: Booking, expert_id: str) -> None:
    taken = store.booked_sessions_on(ledger, [s.day for s in booking.live_sessions()], expert_id=expert_id,
                                     excluding=booking.booking_id)
    clash = _busy(booking, taken)
    if clash is None:
        return
    _, other, day, start, end = clash
    number = next(s.number for s in booking.live_sessions()
                  if s.day == day and s.start < end and start < s.end)
    raise BookingError("expert-busy", field="expert", expert_id=expert_id, other=other, date=day.isoformat(),
                       start=start.strftime("%H:%M"), end=end.strftime("%H:%M"), number=number)


def offer_booking(ws: Workspace, register: Register, booking_id: str, expert_id: str, *,
                  actor: str = "coordinator", now: datetime | None = None) -> Booking:
    """Offer a requested booking to one expert (state `offered`). Refused if it is offered already (two
    coordinators offering at once end with one offer), not waiting, or the expert is not free then."""
    now = current_time(now)
    _expert(register, expert_id)
    with writing(ws, "offer") as ledger:
        booking = booking_by_id(ledger, ws, booking_id, now)
        if booking.status == "offered" and booking.offer is not None:
            raise BookingError("already-offered", booking_id=booking.booking_id, expert_id=booking.offer.expert_id)
        if booking.status != "requested":
            raise BookingError("not-open", booking_id=booking.booking_id, status=booking.status)
        _check_free(ledger, booking, expert_id)
        store.add_offer(ledger, booking.booking_id, expert_id, at=now, actor=actor)
        store.set_state(ledger, booking.booking_id, status="offered", expert_id=expert_id)
        store.audit(ledger, actor, "booking-offer", booking.booking_id, expert_id, now)
        notify(ledger, ws, register, "offer", booking_by_id(ledger, ws, booking_id, now), now)
    send_due(ws, now=now)
    return get_booking(ws, booking_id, now=now)


def withdraw_offer(ws: Workspace, register: Register, booking_id: str, *, actor: str = "coordinator",
                   now: datetime | None = None) -> Booking:
    """Take back the open offer of a booking (back to `requested`), e.g. when the expert does not answer; the
    expert it was made to is told the offer is gone (before it can be offered to someone else)."""
    now = current_time(now)
    with writing(ws, "withdraw") as ledger:
        booking = booking_by_id(ledger, ws, booking_id, now)
        if booking.offer is None:
            raise BookingError("no-open-offer", booking_id=booking.booking_id, status=booking.status)
        store.close_offer(ledger, booking.offer.offer_id, "withdrawn", at=now)
        store.set_state(ledger, booking.booking_id, status="requested", expert_id=None)
        store.audit(ledger, actor, "booking-withdraw", booking.booking_id, booking.offer.expert_id, now)
        notify(ledger, ws, register, "withdrawn", booking, now)  # as offered: the expert it was made to
    send_due(ws, now=now)
    return get_booking(ws, booking_id, now=now)


def answer_offer(ws: Workspace, register: Register, booking_id: str, *, accept: bool, reason: str | None = None,
                 expert_id: str | None = None, now: datetime | None = None) -> Booking:
    """The expert's answer to the open offer of a booking. With `expert_id` (the expert's own page) the answer
    counts only for that expert's offer: an offer since withdrawn or a booking filled otherwise is told so
    ('offer-withdrawn', 'offer-filled'), and nothing changes. Accepting books the expert (a contract valid on
    those dates is attached, else contract_id stays null); declining sends the request back to `requested`."""
    now = current_time(now)
    reason = clean_text(reason, "reason", MAX_NOTE_CHARS) or None
    with writing(ws, "answer") as ledger:
        booking = booking_by_id(ledger, ws, booking_id, now)
        offer = booking.offer
        if expert_id is not None and (offer is None or offer.expert_id != expert_id):
            _refuse_stale(ledger, booking, expert_id)
        if offer is None:
            raise BookingError("no-open-offer", booking_id=booking.booking_id, status=booking.status)
        actor = f"expert:{offer.expert_id}"
        if accept:
            _check_free(ledger, booking, offer.expert_id)
            contract = contract_for(register, booking, offer.expert_id)
            store.close_offer(ledger, offer.offer_id, "accepted", at=now, reason=reason)
            store.set_state(ledger, booking.booking_id, status="booked", expert_id=offer.expert_id,
                            contract_id=contract.contract_id if contract else None, booked_at=now, reason=None)
        else:
            store.close_offer(ledger, offer.offer_id, "declined", at=now, reason=reason)
            store.set_state(ledger, booking.booking_id, status="requested", expert_id=None, reason=reason)
        store.audit(ledger, actor, "booking-answer", booking.booking_id, "accepted" if accept else "declined", now)
        after = booking_by_id(ledger, ws, booking_id, now)
        if accept:
            notify(ledger, ws, register, "confirmation", after, now)
            notify(ledger, ws, register, "booked", after, now)
        else:
            notify(ledger, ws, register, "declined", after, now)
    send_due(ws, now=now)
    return get_booking(ws, booking_id, now=now)


def _refuse_stale(ledger: Ledger, booking: Booking, expert_id: str) -> None:
    """An expert answering an offer that is no longer theirs to answer: say why."""
    if not store.offers_to(ledger, expert_id, booking.booking_id):
        raise BookingError("unknown-booking", booking_id=booking.booking_id)
    if booking.status in ("booked", "done"):
        raise BookingError("offer-filled", booking_id=booking.booking_id, expert_id=expert_id, status=booking.status)
    raise BookingError("offer-withdrawn", booking_id=booking.booking_id, expert_id=expert_id)


def expert_offers(ws: Workspace, expert_id: str, *, now: datetime | None = None) -> list[Booking]:
    """The bookings now offered to this expert (their page's open offers), oldest first."""
    with open_ledger(ws.ledger_path) as ledger:
        offered = [o for o in store.offers_to(ledger, expert_id) if o.state == "open"]
        if not offered:
            return []
        return store.bookings(ledger, now=current_time(now), cutoff=ws.cancellation_cutoff,
                              booking_ids=[o.booking_id for o in offered])


def offer_history(ws: Workspace, booking_id: str) -> list[Offer]:
    """Every offer made of a booking, newest first (to whom, when, the answer and its reason)."""
    with open_ledger(ws.ledger_path) as ledger:
        booking_by_id(ledger, ws, booking_id, current_time(None))
        return store.offers_of(ledger, booking_id)
