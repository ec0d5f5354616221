"""Booking experts on the web (§3.1): the unit contact's requests, the coordinator's queue, candidates and offers.

/units/<unit>/bookings: a unit contact makes a request (task, sessions or weekly × N, topics, language, place,
audience and group size, a note without client names), follows its state and cancels a session or the whole
booking (the server records when). Once booked, the page shows the expert's name, e-mail and phone, nothing
more. /bookings: the coordinator's open requests, oldest first with days waiting, each with ranked candidates
(reasons; "needs a contract" marked), an offer to one expert at a time, closing as unfilled with a reason, an
import from .xlsx and the mail outbox's failures. The expert answers offers on /e/<token> (web/expert.py).
Every POST answers 303 to the page that shows its result (web/results.py). The library records each change in
the audit log with who made it; a refused one is recorded here.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime

from flask import Blueprint, abort, g, render_template, request
from flask_login import current_user

from kokemus_docs import bookings as library
from kokemus_docs.bookings import BookingError, BookingRequest
from kokemus_docs.bookings.model import LANGUAGE_CHOICES, MAX_SESSIONS, OPEN_STATES, STATES
from kokemus_docs.core.formatting import fi_month
from kokemus_docs.core.model import STATUS_LABELS, TASK_LABELS
from kokemus_docs.core.month import Month
from kokemus_docs.web import overview
from kokemus_docs.web.auth import audit, month_neighbours, month_or_404, roles_required
from kokemus_docs.web.results import done, shown

bp = Blueprint("bookings", __name__)

SESSION_ROWS = 5  # session rows on the request form; a group's many sessions come with weekly × N
MAX_IMPORT_BYTES = 5 * 1024 * 1024
CLOSED_STATES = tuple(s for s in STATES if s not in OPEN_STATES)  # no longer waiting for an expert
LISTED = 50  # bookings listed at once on the coordinator's page (the oldest open requests; the month's newest)
REQUEST_FIELDS = ("task", "topics", "language", "place", "audience", "group_size", "note", "weekly",
                  *(f"session{n}_{part}" for n in range(1, SESSION_ROWS + 1) for part in ("date", "start", "end")))


def _register():
    return overview.register_check(g.ws).register


def _error(error: BookingError) -> dict:
    """A refusal as the pages show it, in both page languages (the language may be switched afterwards)."""
    return {"code": error.code, "field": error.field, "fi": error.text("fi"), "sv": error.text("sv")}


def _booking(booking_id: str, unit_id: str | None = None):
    """The booking, of `unit_id` when given; 404 for one that does not exist or is another unit's."""
    try:
        booking = library.get_booking(g.ws, booking_id)
    except BookingError:
        abort(404)
    if unit_id is not None and booking.unit_id != unit_id:
        abort(404)
    return booking


def _month() -> Month:
    """The month the page lists (?month=YYYY-MM, else this month); 404 for anything else."""
    return month_or_404(request.args.get("month") or Month.containing(date.today()))


def _months(month: Month) -> dict:
    previous, following = month_neighbours(month)
    return {"month": month, "month_name": fi_month(month, g.lang), "previous": previous, "following": following}


def _labels(register) -> dict:
    """What the templates show for codes: tasks and session statuses in the page language."""
    codes = [c for c in TASK_LABELS if c in register.task_codes()] + sorted(register.task_codes() - set(TASK_LABELS))
    tasks = {code: register.task_label(code, g.lang) for code in codes}
    statuses = {code: labels.get(g.lang, code) for code, labels in STATUS_LABELS.items()}
    return {"task_labels": tasks, "status_labels": statuses}


# --- the unit contact -------------------------------------------------------------------------------------------


def _request_from(form, unit_id: str) -> BookingRequest:
    """The request the form describes; BookingError for anything that cannot be read (nothing saved)."""
    times = []
    for n in range(1, SESSION_ROWS + 1):
        day, start, end = (form.get(f"session{n}_{part}", "").strip() for part in ("date", "start", "end"))
        if day or start or end:
            times += library.session_times([day], start or "?", end or "?")
    weekly = form.get("weekly", "").strip()
    if weekly:
        if not (weekly.isascii() and weekly.isdigit()):
            raise BookingError("weekly-range", field="weekly", limit=MAX_SESSIONS)
        times = library.session_times([times[0].day], times[0].start, times[0].end, int(weekly)) if times else []
    size = form.get("group_size", "").strip()
    if size and not (size.isascii() and size.isdigit()):
        raise BookingError("bad-group-size", field="group_size")
    language = form.get("language", "any")
    return BookingRequest(
        unit_id=unit_id, task=form.get("task", ""), sessions=tuple(times),
        topics=tuple(t.strip() for t in form.get("topics", "").split(";") if t.strip()),
        language=language if language in LANGUAGE_CHOICES else language[:20], place=form.get("place", ""),
        audience=form.get("audience", ""), group_size=int(size) if size else None, note=form.get("note", ""))


@bp.get("/units/<unit_id>/bookings")
@roles_required("coordinator", "unit")
def unit_bookings(unit_id: str):
    register = _register()
    if unit_id not in register.units:
        abort(404)
    month = _month()
    waiting = library.list_bookings(g.ws, unit_id=unit_id, status=OPEN_STATES)
    found = waiting + library.list_bookings(g.ws, unit_id=unit_id, month=month, status=CLOSED_STATES)
    found.sort(key=lambda b: b.requested_at, reverse=True)
    topics = sorted({t for e in register.experts.values() for t in e.topics}, key=str.casefold)
    return render_template("unit_bookings.html", unit=register.units[unit_id], unit_id=unit_id, bookings=found,
                           result=shown(), experts=register.experts, topics=topics, session_rows=SESSION_ROWS,
                           languages=LANGUAGE_CHOICES, **_months(month), **_labels(register))


@bp.post("/units/<unit_id>/bookings")
@roles_required("coordinator", "unit")
def request_booking(unit_id: str):
    register = _register()
    if unit_id not in register.units:
        abort(404)
    entered = {name: request.form.get(name, "")[:4000] for name in REQUEST_FIELDS}
    try:
        booking = library.add_booking(g.ws, register, _request_from(request.form, unit_id),
                                      actor=current_user.login)
    except BookingError as error:
        audit("booking-add", unit_id, f"refused: {error.code}")
        return done("bookings.unit_bookings", {"error": _error(error), "entered": entered}, "request",
                    unit_id=unit_id)
    return done("bookings.unit_booking", {"added": booking.booking_id}, "result", unit_id=unit_id,
                booking_id=booking.booking_id)


@bp.get("/units/<unit_id>/bookings/<booking_id>")
@roles_required("coordinator", "unit")
def unit_booking(unit_id: str, booking_id: str):
    register = _register()
    booking = _booking(booking_id, unit_id)
    expert = register.experts.get(booking.expert_id) if booking.status in ("booked", "done") else None
    return render_template("unit_booking.html", unit=register.units.get(unit_id), unit_id=unit_id, booking=booking,
                           expert=expert, result=shown(), now=datetime.now(), **_labels(register))


@bp.post("/units/<unit_id>/bookings/<booking_id>/cancel")
@roles_required("coordinator", "unit")
def cancel(unit_id: str, booking_id: str):
    """Cancel one session (`session` = its number) or the whole booking, at the server's time."""
    booking = _booking(booking_id, unit_id)
    number = request.form.get("session", "").strip()
    if number and not (number.isascii() and number.isdigit() and len(number) <= 4):
        abort(400)  # never read as "the whole booking"
    try:
        library.cancel_booking(g.ws, _register(), booking.booking_id, session=int(number) if number else None,
                               actor=current_user.login)
    except BookingError as error:
        audit("booking-cancel", booking.booking_id, f"refused: {error.code}")
        return done("bookings.unit_booking", {"error": _error(error)}, "result", unit_id=unit_id,
                    booking_id=booking.booking_id)
    return done("bookings.unit_booking", {"cancelled": number or "all"}, "result", unit_id=unit_id,
                booking_id=booking.booking_id)


# --- the coordinator --------------------------------------------------------------------------------------------


@bp.get("/bookings")
@roles_required("coordinator")
def queue():
    register = _register()
    now, month = datetime.now(), _month()
    unit_id = request.args.get("unit") or None
    if unit_id is not None and unit_id not in register.units:
        abort(404)
    waiting = library.open_requests(g.ws, now=now)
    others = library.list_bookings(g.ws, month=month, unit_id=unit_id, now=now, status=CLOSED_STATES,
                                   newest=LISTED)
    others.sort(key=lambda b: (b.sessions[0].day, b.sessions[0].start) if b.sessions else (date.max, None))
    others_count = library.count_bookings(g.ws, month=month, unit_id=unit_id, status=CLOSED_STATES)
    return render_template("bookings.html", waiting=waiting[:LISTED], waiting_count=len(waiting),
                           others=others, others_count=others_count, unit_id=unit_id, now=now,
                           units=register.units, experts=register.experts, outbox=library.outbox(g.ws),
                           mail=g.ws.mail is not None, result=shown(), **_months(month), **_labels(register))


@bp.get("/bookings/<booking_id>")
@roles_required("coordinator")
def booking(booking_id: str):
    register = _register()
    found = _booking(booking_id)
    ranked = library.candidates(g.ws, register, found.booking_id)[1] if found.status == "requested" else []
    return render_template("booking.html", booking=found, candidates=ranked, units=register.units,
                           experts=register.experts, offers=library.offer_history(g.ws, found.booking_id),
                           result=shown(), now=datetime.now(), **_labels(register))


def _act(booking_id: str, action: str, call) -> object:
    """Run a coordinator's action on a booking and answer 303 to its page with what happened."""
    found = _booking(booking_id)
    try:
        call(found.booking_id)
    except BookingError as error:
        audit(f"booking-{action}", found.booking_id, f"refused: {error.code}")
        return done("bookings.booking", {"error": _error(error)}, "result", booking_id=found.booking_id)
    return done("bookings.booking", {action: True}, "result", booking_id=found.booking_id)


@bp.post("/bookings/<booking_id>/offer")
@roles_required("coordinator")
def offer(booking_id: str):
    expert_id = request.form.get("expert_id", "")[:64]
    return _act(booking_id, "offer", lambda b: library.offer_booking(g.ws, _register(), b, expert_id,
                                                                     actor=current_user.login))


@bp.post("/bookings/<booking_id>/withdraw")
@roles_required("coordinator")
def withdraw(booking_id: str):
    return _act(booking_id, "withdraw", lambda b: library.withdraw_offer(g.ws, _register(), b,
                                                                         actor=current_user.login))


@bp.post("/bookings/<booking_id>/close")
@roles_required("coordinator")
def close(booking_id: str):
    reason = request.form.get("reason", "")[:4000]
    return _act(booking_id, "close", lambda b: library.close_unfilled(g.ws, _register(), b, reason,
                                                                      actor=current_user.login))


@bp.post("/bookings/import")
@roles_required("coordinator")
def import_requests():
    """Requests from an .xlsx sheet (the columns of `kokemus bookings add`): each bad row is named, the rest kept."""
    storage = request.files.get("file")
    data = storage.stream.read(MAX_IMPORT_BYTES + 1) if storage else b""
    name = "".join(ch for ch in (storage.filename if storage else "") or "" if ch.isprintable())[-120:] or "?"
    if not data or len(data) > MAX_IMPORT_BYTES or data[:2] != b"PK":
        audit("booking-import", name, "refused: not an .xlsx workbook")
        return done("bookings.queue", {"import": {"name": name, "unreadable": True}}, "import")
    fd, path = tempfile.mkstemp(suffix=".xlsx", dir=g.ws.state_dir)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        outcome = library.import_bookings(g.ws, _register(), path, actor=current_user.login)
    except library.ImportUnreadable as error:
        audit("booking-import", name, f"refused: {error.code}")
        return done("bookings.queue", {"import": {"name": name, "unreadable": True}}, "import")
    finally:
        os.unlink(path)
    rows = [row.as_json() for row in outcome.refused_rows[:200]]
    audit("booking-import", name, f"{len(outcome.bookings)} requested, {len(outcome.refused_rows)} rows refused")
    return done("bookings.queue", {"import": {"name": name, "added": len(outcome.bookings), "rows": rows}}, "import")


@bp.post("/bookings/outbox/retry")
@roles_required("coordinator")
def retry_mail():
    sent = library.retry_outbox(g.ws)
    audit("mail-retry", "", f"{sent} sent")
    return done("bookings.queue", {"retried": sent}, "outbox")
