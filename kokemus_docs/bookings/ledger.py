"""The bookings' SQL: the `bookings`, `booking_sessions` and `booking_offers` tables of the ledger's one schema
(core.ledger_schema.SCHEMA). Every function takes an open Ledger; writes are made inside its `transaction()`."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from datetime import date, datetime, time
from functools import lru_cache

from kokemus_docs.bookings.model import (
    Booking,
    BookingRequest,
    BookingSession,
    Offer,
    booking_id_of,
    booking_number,
)
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.intake.rules import status_by_rule

CHUNK = 500  # ids per IN (...) list


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _new_id(cursor: sqlite3.Cursor) -> int:
    """The id SQLite gave the row an INSERT just wrote."""
    if cursor.lastrowid is None:
        raise sqlite3.DatabaseError("the ledger stored no row for an insert; check the ledger file")
    return cursor.lastrowid


def insert_booking(ledger: Ledger, request: BookingRequest, *, requested_at: datetime, actor: str) -> str:
    """Store a new request and its sessions (numbered from 1 in date order); returns its booking id."""
    cur = ledger.db.execute(
        "INSERT INTO bookings (unit_id, task, topics_json, language, place, audience, group_size, note, status,"
        " requested_at, requested_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'requested', ?, ?)",
        (request.unit_id, request.task, json.dumps(list(request.topics), ensure_ascii=False), request.language,
         request.place, request.audience, request.group_size, request.note, _iso(requested_at), actor[:64]))
    number = _new_id(cur)
    ordered = sorted(request.sessions, key=lambda s: (s.day, s.start, s.end))
    ledger.db.executemany(
        "INSERT INTO booking_sessions (booking, number, work_date, start, end) VALUES (?, ?, ?, ?, ?)",
        [(number, i, s.day.isoformat(), s.start.strftime("%H:%M"), s.end.strftime("%H:%M"))
         for i, s in enumerate(ordered, start=1)])
    return booking_id_of(number)


_BOOKING_COLUMNS = ("id, unit_id, task, topics_json, language, place, audience, group_size, note, status, expert_id,"
                    " contract_id, requested_at, booked_at, cancelled_at, reason")


def _filter(booking_ids: list[str] | None = None, unit_id: str | None = None, expert_id: str | None = None,
            statuses: tuple[str, ...] = (), month: tuple[date, date] | None = None,
            requested_year: int | None = None) -> tuple[str, list[str | int]]:
    """`SELECT id FROM bookings WHERE …` for the filters given, and its arguments."""
    where: list[str] = []
    args: list[str | int] = []
    if booking_ids is not None:
        numbers = [booking_number(b) for b in booking_ids][:CHUNK]
        where.append(f"id IN ({','.join('?' * len(numbers))})")
        args += numbers
    if unit_id is not None:
        where.append("unit_id = ?")
        args.append(unit_id)
    if expert_id is not None:
        where.append("expert_id = ?")
        args.append(expert_id)
    if statuses:
        stored = sorted({"booked" if s == "done" else s for s in statuses})
        where.append(f"status IN ({','.join('?' * len(stored))})")
        args += stored
    if month is not None:
        where.append("id IN (SELECT booking FROM booking_sessions WHERE work_date BETWEEN ? AND ?)")
        args += [month[0].isoformat(), month[1].isoformat()]
    if requested_year is not None:
        where.append("requested_at >= ? AND requested_at < ?")
        args += [f"{requested_year}-01-01", f"{requested_year + 1}-01-01"]
    return "SELECT id FROM bookings" + (" WHERE " + " AND ".join(where) if where else ""), args


def count(ledger: Ledger, **filters) -> int:
    """How many bookings match the filters of `bookings` (a state 'done' counts as the stored 'booked')."""
    chosen, args = _filter(**filters)
    return ledger.db.execute(f"SELECT COUNT(*) FROM ({chosen})", args).fetchone()[0]


def bookings(ledger: Ledger, *, now: datetime, cutoff: time, booking_ids: list[str] | None = None,
             unit_id: str | None = None, expert_id: str | None = None, statuses: tuple[str, ...] = (),
             month: tuple[date, date] | None = None, requested_year: int | None = None,
             newest: int | None = None) -> list[Booking]:
    """Bookings matching every filter given, oldest request first, with their sessions and open offers
    (with `newest`, only that many of the latest requests).

    Three queries share one filter (bookings, their sessions, their offers); rows are read as plain tuples
    and the few distinct dates and times parsed once (a page lists thousands)."""
    chosen, args = _filter(booking_ids, unit_id, expert_id, statuses, month, requested_year)
    if newest is not None:
        chosen += " ORDER BY id DESC LIMIT ?"
        args.append(newest)
    cursor = ledger.db.cursor()
    cursor.row_factory = None
    rows = cursor.execute(f"SELECT {_BOOKING_COLUMNS} FROM bookings WHERE id IN ({chosen}) ORDER BY id",
                          args).fetchall()
    sessions: dict[int, list[tuple]] = defaultdict(list)
    for r in cursor.execute("SELECT booking, number, work_date, start, end, cancelled_at FROM booking_sessions"
                            f" WHERE booking IN ({chosen}) ORDER BY booking, number", args):
        sessions[r[0]].append(r)
    offers: dict[int, Offer] = {}
    declined: dict[int, int] = defaultdict(int)
    for r in cursor.execute("SELECT id, booking, expert_id, state, offered_at, answered_at, reason FROM"
                            f" booking_offers WHERE state IN ('open', 'declined') AND booking IN ({chosen})", args):
        if r[3] == "open":
            offers[r[1]] = Offer(r[0], booking_id_of(r[1]), r[2], r[3], datetime.fromisoformat(r[4]),
                                  _moment(r[5]), r[6])
        else:
            declined[r[1]] += 1
    found = [_booking(r, sessions.get(r[0], ()), offers.get(r[0]), declined.get(r[0], 0), now, cutoff)
             for r in rows]
    if statuses:
        found = [b for b in found if b.status in statuses]
    return found


@lru_cache(maxsize=8192)
def _day(text: str) -> date:
    return date.fromisoformat(text)


@lru_cache(maxsize=4096)
def _clock(text: str) -> time:
    return time.fromisoformat(text)


@lru_cache(maxsize=4096)
def _topics(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


def _offer(row: sqlite3.Row) -> Offer:
    return Offer(offer_id=row["id"], booking_id=booking_id_of(row["booking"]), expert_id=row["expert_id"],
                 state=row["state"], offered_at=datetime.fromisoformat(row["offered_at"]),
                 answered_at=_moment(row["answered_at"]), reason=row["reason"])


def _booking(row: tuple, session_rows, offer: Offer | None, declined: int, now: datetime, cutoff: time) -> Booking:
    (number, unit_id, task, topics_json, language, place, audience, group_size, note, status, expert_id,
     contract_id, requested_at, booked_at, cancelled_at, reason) = row
    parsed = [(n, _day(d), _clock(start), _clock(end), c) for _, n, d, start, end, c in session_rows]
    if status == "booked":
        live_ends = [datetime.combine(day, end) for _, day, _, end, c in parsed if not c]
        if live_ends and max(live_ends) <= now:
            status = "done"
    sessions = []
    for n, day, start, end, cancelled_text in parsed:
        if cancelled_text:
            moment = datetime.fromisoformat(cancelled_text)
            sessions.append(BookingSession(n, day, start, end, status_by_rule(moment, day, cutoff), moment))
            continue
        if status in ("booked", "done") and datetime.combine(day, end) <= now:
            session_status = "done"
        else:
            session_status = "booked" if status == "done" else status
        sessions.append(BookingSession(n, day, start, end, session_status, None))
    return Booking(
        booking_id=booking_id_of(number), unit_id=unit_id, task=task, sessions=tuple(sessions),
        topics=_topics(topics_json), language=language, place=place, audience=audience, group_size=group_size,
        note=note, status=status, expert_id=expert_id, contract_id=contract_id,
        requested_at=datetime.fromisoformat(requested_at), booked_at=_moment(booked_at),
        cancelled_at=_moment(cancelled_at), reason=reason, declined_offers=declined, offer=offer)


_STATE_COLUMNS = frozenset({"status", "expert_id", "contract_id", "booked_at", "cancelled_at", "closed_at", "reason"})


def set_state(ledger: Ledger, booking_id: str, **values: object) -> None:
    """Update a booking's columns (status, expert_id, contract_id, booked_at, cancelled_at, closed_at, reason);
    ValueError for any other name (the names go into the SQL)."""
    unknown = sorted(set(values) - _STATE_COLUMNS)
    if unknown:
        raise ValueError(f"a booking has no column {', '.join(unknown)} that set_state may change")
    sets = ", ".join(f"{k} = ?" for k in values)
    ledger.db.execute(f"UPDATE bookings SET {sets} WHERE id = ?",
                      [_iso(v) if isinstance(v, datetime) else v for v in values.values()]
                      + [booking_number(booking_id)])


def cancel_sessions(ledger: Ledger, booking_id: str, numbers: list[int], at: datetime) -> None:
    ledger.db.executemany("UPDATE booking_sessions SET cancelled_at = ? WHERE booking = ? AND number = ?"
                          " AND cancelled_at IS NULL", [(_iso(at), booking_number(booking_id), n) for n in numbers])


def add_offer(ledger: Ledger, booking_id: str, expert_id: str, *, at: datetime, actor: str) -> int:
    cur = ledger.db.execute("INSERT INTO booking_offers (booking, expert_id, state, offered_at, offered_by)"
                            " VALUES (?, ?, 'open', ?, ?)",
                            (booking_number(booking_id), expert_id, _iso(at), actor[:64]))
    return _new_id(cur)


def close_offer(ledger: Ledger, offer_id: int, state: str, *, at: datetime, reason: str | None = None) -> None:
    ledger.db.execute("UPDATE booking_offers SET state = ?, answered_at = ?, reason = ?"
                      " WHERE id = ? AND state = 'open'",
                      (state, _iso(at), reason, offer_id))


def offers_to(ledger: Ledger, expert_id: str, booking_id: str | None = None) -> list[Offer]:
    """The offers made to an expert (of one booking, if given), newest first."""
    sql = "SELECT * FROM booking_offers WHERE expert_id = ?"
    args: list[str | int] = [expert_id]
    if booking_id is not None:
        sql += " AND booking = ?"
        args.append(booking_number(booking_id))
    return [_offer(r) for r in ledger.db.execute(sql + " ORDER BY id DESC", args)]


def declined_by(ledger: Ledger, booking_id: str) -> set[str]:
    """The experts who declined this booking."""
    return {r["expert_id"] for r in ledger.db.execute(
        "SELECT expert_id FROM booking_offers WHERE booking = ? AND state = 'declined'", (booking_number(booking_id),))}


def booked_sessions_on(ledger: Ledger, days: list[date], *, expert_id: str | None = None,
                       excluding: str | None = None) -> list[tuple[str, str, date, time, time]]:
    """(expert_id, booking_id, day, start, end) of the live sessions of booked bookings on these days."""
    if not days:
        return []
    marks = ",".join("?" * len(days))
    sql = ("SELECT b.expert_id, b.id, s.work_date, s.start, s.end FROM booking_sessions s JOIN bookings b"
           f" ON b.id = s.booking WHERE s.work_date IN ({marks}) AND s.cancelled_at IS NULL AND b.status = 'booked'")
    args: list = [d.isoformat() for d in sorted(set(days))]
    if expert_id is not None:
        sql += " AND b.expert_id = ?"
        args.append(expert_id)
    if excluding is not None:
        sql += " AND b.id != ?"
        args.append(booking_number(excluding))
    return [(r[0], booking_id_of(r[1]), date.fromisoformat(r[2]), time.fromisoformat(r[3]), time.fromisoformat(r[4]))
            for r in ledger.db.execute(sql, args)]


def sessions_per_expert(ledger: Ledger, first: date, last: date) -> dict[str, int]:
    """Live booked sessions per expert between two days: each one's share of the month's work."""
    return {r[0]: r[1] for r in ledger.db.execute(
        "SELECT b.expert_id, COUNT(*) FROM booking_sessions s JOIN bookings b ON b.id = s.booking"
        " WHERE s.work_date BETWEEN ? AND ? AND s.cancelled_at IS NULL AND b.status = 'booked'"
        " GROUP BY b.expert_id", (first.isoformat(), last.isoformat()))}


def audit(ledger: Ledger, actor: str, action: str, subject: str, result: str, at: datetime) -> None:
    """A line in the ledger's audit log (the one the web app shows): who did what to which booking."""
    ledger.db.execute("INSERT INTO web_audit (at, actor, action, subject, result) VALUES (?, ?, ?, ?, ?)",
                      (_iso(at), actor[:64], action[:32], subject[:200], result[:200]))


def offers_of(ledger: Ledger, booking_id: str) -> list[Offer]:
    """Every offer of a booking, newest first."""
    return [_offer(r) for r in ledger.db.execute("SELECT * FROM booking_offers WHERE booking = ? ORDER BY id DESC",
                                                 (booking_number(booking_id),))]


# --- the mail outbox ------------------------------------------------------------------------------------
def queue_mail(ledger: Ledger, *, kind: str, booking_id: str | None, recipient: str, subject: str, body: str,
               at: datetime) -> int:
    cur = ledger.db.execute(
        "INSERT INTO mail_outbox (created_at, kind, booking, recipient, subject, body) VALUES (?, ?, ?, ?, ?, ?)",
        (_iso(at), kind, booking_number(booking_id) if booking_id else None, recipient, subject, body))
    return _new_id(cur)


def unsent_mail(ledger: Ledger, max_attempts: int | None, limit: int) -> list[sqlite3.Row]:
    """Messages not sent yet, oldest first (with `max_attempts`: only those tried fewer times)."""
    return ledger.db.execute("SELECT * FROM mail_outbox WHERE sent_at IS NULL AND attempts < ? ORDER BY id LIMIT ?",
                             (max_attempts if max_attempts is not None else 1 << 30, limit)).fetchall()


def mail_attempted(ledger: Ledger, message_id: int, *, at: datetime, error: str | None) -> None:
    if error is None:
        ledger.db.execute("UPDATE mail_outbox SET attempts = attempts + 1, last_attempt_at = ?, sent_at = ?,"
                          " last_error = NULL WHERE id = ?", (_iso(at), _iso(at), message_id))
    else:
        ledger.db.execute("UPDATE mail_outbox SET attempts = attempts + 1, last_attempt_at = ?, last_error = ?"
                          " WHERE id = ?", (_iso(at), error, message_id))


def mail_rows(ledger: Ledger, *, unsent_only: bool, limit: int) -> list[sqlite3.Row]:
    where = " WHERE sent_at IS NULL" if unsent_only else ""
    return ledger.db.execute(f"SELECT * FROM mail_outbox{where} ORDER BY id DESC LIMIT ?", (limit,)).fetchall()


# --- hour forms -----------------------------------------------------------------------------------------
def contract_sessions(ledger: Ledger, contract_ids: list[str], first: date, last: date) -> list[sqlite3.Row]:
    """The sessions between two days of bookings an expert accepted under these contracts (booked, done, or
    cancelled after booking), with the task and any cancellation time, by contract, date and start."""
    found: list[sqlite3.Row] = []
    for i in range(0, len(contract_ids), CHUNK):
        chunk = contract_ids[i:i + CHUNK]
        found += ledger.db.execute(
            "SELECT b.contract_id, b.task, s.work_date, s.start, s.end, s.cancelled_at FROM booking_sessions s"
            f" JOIN bookings b ON b.id = s.booking WHERE b.contract_id IN ({','.join('?' * len(chunk))})"
            " AND b.status IN ('booked', 'cancelled') AND s.work_date BETWEEN ? AND ?"
            " ORDER BY b.contract_id, s.work_date, s.start, s.end",
            [*chunk, first.isoformat(), last.isoformat()]).fetchall()
    return found
