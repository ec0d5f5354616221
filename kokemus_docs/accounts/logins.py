"""Web app logins (coordinator, unit contacts, payroll), their sessions, the audit log of what they did, and unit
approvals.

Stored in the workspace ledger (the SQL is in accounts/ledger.py). Passwords are kept only as Argon2 hashes. A
session is a random id in the browser's cookie and a row in the ledger (only the id's hash): logging out, a new
password or a removed login end it at once, and so does an idle hour. The audit log names the login, the action
and what it was done to (a month, a unit, a file name of the workspace) — never personal data.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kokemus_docs.accounts import ledger as stored
from kokemus_docs.core.errors import KokemusError
from kokemus_docs.core.ledger import open_ledger
from kokemus_docs.core.month import Month
from kokemus_docs.core.workspace import Workspace

ROLES = ("coordinator", "payroll", "unit")
LOGIN_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
UNIT_ID_PATTERN = re.compile(r"(?!\.{1,2}$)[\w.-]{1,64}")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
SESSION_IDLE_SECONDS = 3600  # a session not used for an hour ends
SESSION_MAX_SECONDS = 8 * 3600  # and every session ends after a working day
_SEEN_EVERY = 60  # seconds between updates of a session's last use (not a write per page)


_hasher = PasswordHasher()
# Verified against when the login is unknown, so an unknown login costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(KokemusError):
    """A login cannot be created as asked (bad name, role, unit, password, or it exists already)."""


@dataclass(frozen=True)
class User:
    login: str
    role: str
    unit_id: str | None
    created_at: str


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def generate_password() -> str:
    """A random password of 20 URL-safe characters (about 120 bits)."""
    return secrets.token_urlsafe(15)


def add_user(ws: Workspace, login: str, role: str, *, unit_id: str | None = None,
             password: str | None = None, known_units: set[str] | None = None) -> tuple[User, str | None]:
    """Create a login; returns the user and the generated password (None when `password` was given).

    A `unit` login needs `unit_id` (one of `known_units` when given); other roles take none.
    """
    if not LOGIN_PATTERN.fullmatch(login or ""):
        raise AccountError(f"'{login}' cannot be a login: use 1–64 letters, digits, '.', '_', '@' or '-'.",
                           code="bad-login")
    if role not in ROLES:
        raise AccountError(f"'{role}' is not a role; choose coordinator, payroll or unit.", code="bad-role")
    if role == "unit":
        if not unit_id or not UNIT_ID_PATTERN.fullmatch(unit_id):
            raise AccountError("A unit login needs the unit: --unit UNIT_ID (as in the register's units sheet).",
                               code="unit-missing")
        if known_units is not None and unit_id not in known_units:
            raise AccountError(f"Unit '{unit_id}' is not in the register's units sheet.", code="unknown-unit")
    elif unit_id:
        raise AccountError(f"Only unit logins are bound to a unit; a {role} login takes no --unit.",
                           code="unit-not-allowed")
    password, generated = _password_or_generated(password)
    user = User(login=login, role=role, unit_id=unit_id if role == "unit" else None, created_at=_now())
    with open_ledger(ws.ledger_path) as ledger:
        if not stored.insert_user(ledger, user.login, user.role, user.unit_id, _hasher.hash(password),
                                  user.created_at):
            raise AccountError(f"The login '{login}' exists already.", code="login-exists")
    return user, generated


def _password_or_generated(password: str | None) -> tuple[str, str | None]:
    """The password to set and, when none was given, the same one as generated (to show once); AccountError
    for a length outside MIN_PASSWORD–MAX_PASSWORD."""
    generated = generate_password() if password is None else None
    password = generated or password or ""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"The password must be {MIN_PASSWORD}–{MAX_PASSWORD} characters long.",
                           code="bad-password")
    return password, generated


def verify_user(ws: Workspace, login: str, password: str) -> User | None:
    """The user if `password` is right for `login`, else None (the same work either way)."""
    password = (password or "")[:MAX_PASSWORD]
    with open_ledger(ws.ledger_path) as ledger:
        row = stored.user_row(ledger, login or "")
        kept = row["password_hash"] if row else _DUMMY_HASH
        try:
            _hasher.verify(kept, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _hasher.check_needs_rehash(kept):
            stored.set_password_hash(ledger, login, _hasher.hash(password))
    return User(row["login"], row["role"], row["unit_id"], row["created_at"])


def set_password(ws: Workspace, login: str, password: str | None = None) -> str | None:
    """Give `login` a new password (generated and returned when None) and end all its sessions."""
    password, generated = _password_or_generated(password)
    with open_ledger(ws.ledger_path) as ledger, ledger.transaction():
        if not stored.set_password_hash(ledger, login, _hasher.hash(password)):
            raise AccountError(f"There is no login '{login}'.", code="unknown-login")
        stored.delete_sessions_of(ledger, login)
    return generated


def remove_user(ws: Workspace, login: str) -> None:
    """Remove `login`; its sessions end at once (its audit entries and approvals stay)."""
    with open_ledger(ws.ledger_path) as ledger, ledger.transaction():
        if not stored.delete_user(ledger, login):
            raise AccountError(f"There is no login '{login}'.", code="unknown-login")
        stored.delete_sessions_of(ledger, login)


# --- sessions ----------------------------------------------------------------------------------------
def _session_key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "replace")).hexdigest()


def start_session(ws: Workspace, login: str) -> str:
    """A new session of `login`: the random id for the browser's cookie (the ledger keeps only its hash)."""
    session_id = secrets.token_urlsafe(32)
    now = time.time()
    with open_ledger(ws.ledger_path) as ledger, ledger.transaction():
        stored.delete_old_sessions(ledger, now - SESSION_IDLE_SECONDS, now - SESSION_MAX_SECONDS)
        stored.insert_session(ledger, _session_key(session_id), login, now)
    return session_id


def session_user(ws: Workspace, session_id: str) -> User | None:
    """The user of a live session, its last use now; None for an ended, idle, expired or unknown session."""
    if not session_id or len(session_id) > 100:
        return None
    key, now = _session_key(session_id), time.time()
    with open_ledger(ws.ledger_path) as ledger:
        row = stored.session_row(ledger, key)
        if row is None:
            return None
        if row["seen_at"] < now - SESSION_IDLE_SECONDS or row["started_at"] < now - SESSION_MAX_SECONDS:
            stored.delete_session(ledger, key)
            return None
        if row["seen_at"] < now - _SEEN_EVERY:
            stored.session_seen(ledger, key, now)
    return User(row["login"], row["role"], row["unit_id"], row["created_at"])


def end_session(ws: Workspace, session_id: str) -> None:
    """End one session (logging out)."""
    with open_ledger(ws.ledger_path) as ledger:
        stored.delete_session(ledger, _session_key(session_id))


# --- results shown after a redirect -------------------------------------------------------------------
RESULT_SECONDS = 3600


def keep_result(ws: Workspace, owner: str, result: dict) -> str:
    """Keep what a POST answered for `owner` (a session or an expert's address) for an hour; returns its
    random id, for the address of the page that shows it."""
    result_id, now = secrets.token_urlsafe(16), time.time()
    with open_ledger(ws.ledger_path) as ledger, ledger.transaction():
        stored.insert_result(ledger, _session_key(result_id), _session_key(owner), now,
                             json.dumps(result, ensure_ascii=False, default=str), now - RESULT_SECONDS)
    return result_id


def kept_result(ws: Workspace, owner: str, result_id: str) -> dict | None:
    """The result kept under `result_id` for this `owner`, if it is there and less than an hour old."""
    if not result_id or len(result_id) > 64:
        return None
    with open_ledger(ws.ledger_path) as ledger:
        kept = stored.result_json(ledger, _session_key(result_id), _session_key(owner), time.time() - RESULT_SECONDS)
    return json.loads(kept) if kept else None


def known_login(ws: Workspace, login: str) -> bool:
    """Whether `login` is an account (the audit log names only those; what was typed for others is not kept)."""
    with open_ledger(ws.ledger_path) as ledger:
        return stored.user_row(ledger, login) is not None


# --- audit log ------------------------------------------------------------------------------------
def audit(ws: Workspace, actor: str, action: str, subject: str = "", result: str = "") -> None:
    """Record who did what (login, upload, generate, download, approve, close); no personal data."""
    with open_ledger(ws.ledger_path) as ledger:
        stored.insert_audit(ledger, _now(), actor[:64], action[:32], subject[:200], result[:200])


def audit_log(ws: Workspace, limit: int = 200) -> list[dict]:
    """The newest `limit` audit entries, newest first."""
    with open_ledger(ws.ledger_path) as ledger:
        return stored.audit_rows(ledger, limit)


# --- a unit's approval of its fee notice ------------------------------------------------------------
def approve_notice(ws: Workspace, month: Month, unit_id: str, login: str, notice_sha256: str) -> None:
    """Record that `login` approved unit `unit_id`'s fee notice for `month` as it was (`notice_sha256`).

    Approving the same notice again keeps the first approval; approving a changed notice replaces the approval
    of the earlier one.
    """
    with open_ledger(ws.ledger_path) as ledger:
        stored.upsert_approval(ledger, month, unit_id, login, _now(), notice_sha256)


def notice_approvals(ws: Workspace, month: Month) -> dict[str, dict]:
    """Approvals of the month's notices by unit: {"approved_by", "approved_at", "notice_sha256"}."""
    with open_ledger(ws.ledger_path) as ledger:
        return stored.approvals_of(ledger, month)
