"""The accounts' SQL: the `web_users`, `web_sessions`, `web_results`, `web_audit` and `notice_approvals` tables of
the ledger's one schema (core.ledger.SCHEMA). Every function takes an open Ledger; a caller writing more than
once wraps the calls in its `transaction()`."""

from __future__ import annotations

import sqlite3

from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.month import Month


# --- logins -----------------------------------------------------------------------------------------
def insert_user(ledger: Ledger, login: str, role: str, unit_id: str | None, password_hash: str,
                created_at: str) -> bool:
    """Store a new login; False when the login exists already."""
    try:
        ledger.db.execute("INSERT INTO web_users (login, role, unit_id, password_hash, created_at)"
                          " VALUES (?, ?, ?, ?, ?)", (login, role, unit_id, password_hash, created_at))
    except sqlite3.IntegrityError:
        return False
    return True


def user_row(ledger: Ledger, login: str) -> sqlite3.Row | None:
    """The login's row (login, role, unit_id, password_hash, created_at), or None."""
    row: sqlite3.Row | None = ledger.db.execute("SELECT * FROM web_users WHERE login = ?", (login,)).fetchone()
    return row


def set_password_hash(ledger: Ledger, login: str, password_hash: str) -> bool:
    """Store the login's new password hash; False when there is no such login."""
    return ledger.db.execute("UPDATE web_users SET password_hash = ? WHERE login = ?",
                             (password_hash, login)).rowcount > 0


def delete_user(ledger: Ledger, login: str) -> bool:
    """Remove the login (its audit entries and approvals stay); False when there is no such login."""
    return ledger.db.execute("DELETE FROM web_users WHERE login = ?", (login,)).rowcount > 0


# --- sessions ----------------------------------------------------------------------------------------
def insert_session(ledger: Ledger, key: str, login: str, now: float) -> None:
    """A new session, known by the hash of its id."""
    ledger.db.execute("INSERT INTO web_sessions (id_sha256, login, started_at, seen_at) VALUES (?, ?, ?, ?)",
                      (key, login, now, now))


def delete_old_sessions(ledger: Ledger, seen_before: float, started_before: float) -> None:
    """End the sessions idle since `seen_before` or started before `started_before`."""
    ledger.db.execute("DELETE FROM web_sessions WHERE seen_at < ? OR started_at < ?", (seen_before, started_before))


def session_row(ledger: Ledger, key: str) -> sqlite3.Row | None:
    """The session (seen_at, started_at) with its user's login, role, unit_id and created_at, or None."""
    row: sqlite3.Row | None = ledger.db.execute(
        "SELECT s.seen_at, s.started_at, u.login, u.role, u.unit_id, u.created_at FROM web_sessions s"
        " JOIN web_users u ON u.login = s.login WHERE s.id_sha256 = ?", (key,)).fetchone()
    return row


def session_seen(ledger: Ledger, key: str, now: float) -> None:
    """The session was used `now`."""
    ledger.db.execute("UPDATE web_sessions SET seen_at = ? WHERE id_sha256 = ?", (now, key))


def delete_session(ledger: Ledger, key: str) -> None:
    """End one session."""
    ledger.db.execute("DELETE FROM web_sessions WHERE id_sha256 = ?", (key,))


def delete_sessions_of(ledger: Ledger, login: str) -> None:
    """End every session of `login`."""
    ledger.db.execute("DELETE FROM web_sessions WHERE login = ?", (login,))


# --- results shown after a redirect -----------------------------------------------------------------------
def insert_result(ledger: Ledger, key: str, owner_key: str, now: float, result_json: str,
                  kept_since: float) -> None:
    """Keep a result (dropping those kept before `kept_since`)."""
    ledger.db.execute("DELETE FROM web_results WHERE kept_at < ?", (kept_since,))
    ledger.db.execute("INSERT INTO web_results (id_sha256, owner_sha256, kept_at, result_json) VALUES (?, ?, ?, ?)",
                      (key, owner_key, now, result_json))


def result_json(ledger: Ledger, key: str, owner_key: str, kept_since: float) -> str | None:
    """The kept result's JSON for this owner, when kept since `kept_since`."""
    row = ledger.db.execute("SELECT result_json FROM web_results WHERE id_sha256 = ? AND owner_sha256 = ?"
                            " AND kept_at >= ?", (key, owner_key, kept_since)).fetchone()
    return str(row["result_json"]) if row else None


# --- audit log and approvals ---------------------------------------------------------------------------
def insert_audit(ledger: Ledger, at: str, actor: str, action: str, subject: str, result: str) -> None:
    """One audit entry."""
    ledger.db.execute("INSERT INTO web_audit (at, actor, action, subject, result) VALUES (?, ?, ?, ?, ?)",
                      (at, actor, action, subject, result))


def audit_rows(ledger: Ledger, limit: int) -> list[dict]:
    """The newest `limit` audit entries (at, actor, action, subject, result), newest first."""
    rows = ledger.db.execute("SELECT at, actor, action, subject, result FROM web_audit ORDER BY id DESC LIMIT ?",
                             (limit,)).fetchall()
    return [dict(r) for r in rows]


def upsert_approval(ledger: Ledger, month: Month, unit_id: str, login: str, at: str, notice_sha256: str) -> None:
    """Record an approval of the unit's notice; the same notice approved again keeps its first approval."""
    ledger.db.execute(
        "INSERT INTO notice_approvals (month, unit_id, approved_by, approved_at, notice_sha256)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (month, unit_id) DO UPDATE SET approved_by = excluded.approved_by,"
        " approved_at = excluded.approved_at, notice_sha256 = excluded.notice_sha256"
        " WHERE notice_sha256 != excluded.notice_sha256", (month, unit_id, login, at, notice_sha256))


def approvals_of(ledger: Ledger, month: Month) -> dict[str, dict]:
    """The month's approvals by unit: {"approved_by", "approved_at", "notice_sha256"}."""
    rows = ledger.db.execute("SELECT unit_id, approved_by, approved_at, notice_sha256 FROM notice_approvals"
                             " WHERE month = ?", (month,)).fetchall()
    return {r["unit_id"]: {"approved_by": r["approved_by"], "approved_at": r["approved_at"],
                           "notice_sha256": r["notice_sha256"]} for r in rows}
