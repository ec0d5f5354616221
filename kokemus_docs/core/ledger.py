"""The SQLite ledger: every returned file, the accepted hour forms and their lines, and closed months.

One `Ledger` per command, used as a context manager. Each ingested file is recorded inside one
`transaction()`, so a crash leaves either all of a form or none of it.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from kokemus_docs.core.errors import KokemusError, MonthClosed
from kokemus_docs.core.fileio import DISK_ERRNOS, disk_error
from kokemus_docs.core.month import Month

SCHEMA_VERSION = 2  # 2: bookings, their sessions and offers, the mail outbox
BUSY_TIMEOUT = 10.0  # seconds a connection waits for another one's write transaction before giving up

# Tables every ledger has had since its first version: one missing from a ledger that has a schema version
# (and does not yet list its tables in meta) is damage.
CORE_TABLES = frozenset({"meta", "submissions", "forms", "lines", "months"})

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    archived_as TEXT,
    received_on TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    form_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'duplicate', 'replaced')),
    problems_json TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS submissions_sha ON submissions (sha256);
CREATE TABLE IF NOT EXISTS forms (
    form_id TEXT PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    contract_id TEXT NOT NULL,
    expert_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    month TEXT NOT NULL,
    pay_month TEXT NOT NULL,
    received_on TEXT NOT NULL,
    late INTEGER NOT NULL DEFAULT 0,
    signed_on TEXT,
    versions INTEGER NOT NULL DEFAULT 1,
    warnings_json TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS forms_pay_month ON forms (pay_month);
CREATE TABLE IF NOT EXISTS lines (
    id INTEGER PRIMARY KEY,
    form_id TEXT NOT NULL REFERENCES forms (form_id) ON DELETE CASCADE,
    row INTEGER NOT NULL,
    work_date TEXT NOT NULL,
    start TEXT NOT NULL,
    end TEXT NOT NULL,
    task TEXT NOT NULL,
    status TEXT NOT NULL,
    hours TEXT NOT NULL,
    participants INTEGER,
    payable INTEGER NOT NULL,
    basis TEXT NOT NULL,
    rate_eur TEXT NOT NULL,
    fee_eur TEXT NOT NULL,
    travel_eur TEXT NOT NULL,
    travel_ref TEXT NOT NULL DEFAULT '',
    income_type TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    UNIQUE (form_id, row)
);
CREATE TABLE IF NOT EXISTS months (month TEXT PRIMARY KEY, closed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS adjustments (
    id INTEGER PRIMARY KEY,
    form_id TEXT NOT NULL REFERENCES forms (form_id),
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    pay_month TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('additional', 'withdrawn')),
    received_on TEXT NOT NULL,
    row INTEGER NOT NULL,
    work_date TEXT NOT NULL,
    start TEXT NOT NULL,
    end TEXT NOT NULL,
    task TEXT NOT NULL,
    status TEXT NOT NULL,
    hours TEXT NOT NULL,
    participants INTEGER,
    payable INTEGER NOT NULL,
    basis TEXT NOT NULL,
    rate_eur TEXT NOT NULL,
    fee_eur TEXT NOT NULL,
    travel_eur TEXT NOT NULL,
    travel_ref TEXT NOT NULL DEFAULT '',
    income_type TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS adjustments_pay_month ON adjustments (pay_month);
CREATE INDEX IF NOT EXISTS adjustments_form ON adjustments (form_id);
-- Client feedback (kokemus_docs.feedback): issued questionnaires, received files and anonymous answers.
-- Nothing here identifies a respondent: no name, address, IP address or browser.
CREATE TABLE IF NOT EXISTS feedback_questionnaires (
    code TEXT PRIMARY KEY,
    form_id TEXT NOT NULL UNIQUE,
    unit_id TEXT NOT NULL,
    respondent TEXT NOT NULL,
    language TEXT NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback_files (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    received_on TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'duplicate')),
    answers INTEGER NOT NULL DEFAULT 0,
    problems_json TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS feedback_files_sha ON feedback_files (sha256);
CREATE TABLE IF NOT EXISTS feedback_answers (
    id INTEGER PRIMARY KEY,
    file_id INTEGER REFERENCES feedback_files (id),
    source_row INTEGER,
    channel TEXT NOT NULL CHECK (channel IN ('pdf', 'csv', 'xlsx', 'web')),
    form_id TEXT,
    unit_id TEXT NOT NULL,
    respondent TEXT NOT NULL CHECK (respondent IN ('client', 'employee', 'expert')),
    language TEXT,
    answered_on TEXT NOT NULL,
    recommend INTEGER NOT NULL CHECK (recommend BETWEEN 0 AND 10),
    s1 INTEGER CHECK (s1 BETWEEN 1 AND 5),
    s2 INTEGER CHECK (s2 BETWEEN 1 AND 5),
    s3 INTEGER CHECK (s3 BETWEEN 1 AND 5),
    s4 INTEGER CHECK (s4 BETWEEN 1 AND 5),
    s5 INTEGER CHECK (s5 BETWEEN 1 AND 5),
    comment TEXT NOT NULL DEFAULT '',
    answer_key TEXT  -- an export row's response id or content, so that a later export counts it once
);
CREATE INDEX IF NOT EXISTS feedback_answers_date ON feedback_answers (answered_on);
-- The web app: logins, its audit log, units' approvals of fee notices.
CREATE TABLE IF NOT EXISTS web_users (
    login TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('coordinator', 'payroll', 'unit')),
    unit_id TEXT,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS web_audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL DEFAULT ''
);
-- A logged-in browser: the hash of the random id its cookie holds, whose it is, and when it was last used.
CREATE TABLE IF NOT EXISTS web_sessions (
    id_sha256 TEXT PRIMARY KEY,
    login TEXT NOT NULL,
    started_at REAL NOT NULL,
    seen_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS web_sessions_login ON web_sessions (login);
-- What a step or an upload answered, kept for the page a browser is sent to after its POST (an hour).
CREATE TABLE IF NOT EXISTS web_results (
    id_sha256 TEXT PRIMARY KEY,
    owner_sha256 TEXT NOT NULL,
    kept_at REAL NOT NULL,
    result_json TEXT NOT NULL
);
-- What a unit approved: the checksum of its fee notices as they were; a changed notice is not approved.
CREATE TABLE IF NOT EXISTS notice_approvals (
    month TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    approved_at TEXT NOT NULL,
    notice_sha256 TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (month, unit_id)
);
-- Experts' personal upload addresses: a hash of each token, and the generation that revokes older ones.
CREATE TABLE IF NOT EXISTS expert_links (
    token_sha256 TEXT PRIMARY KEY,
    expert_id TEXT NOT NULL,
    month TEXT NOT NULL,
    generation INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS expert_link_generations (
    expert_id TEXT NOT NULL,
    month TEXT NOT NULL,
    generation INTEGER NOT NULL,
    revoked_at TEXT,
    PRIMARY KEY (expert_id, month)
);
-- Bookings (kokemus_docs.bookings): a unit's request for an expert, its sessions, the offers made, and the
-- messages sent about it. A note never names a client.
CREATE TABLE IF NOT EXISTS bookings (
    id INTEGER PRIMARY KEY,
    unit_id TEXT NOT NULL,
    task TEXT NOT NULL,
    topics_json TEXT NOT NULL DEFAULT '[]',
    language TEXT NOT NULL CHECK (language IN ('fi', 'sv', 'any')),
    place TEXT NOT NULL DEFAULT '',
    audience TEXT NOT NULL DEFAULT '',
    group_size INTEGER,
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('requested', 'offered', 'booked', 'unfilled', 'cancelled')),
    expert_id TEXT,
    contract_id TEXT,
    requested_at TEXT NOT NULL,
    requested_by TEXT NOT NULL DEFAULT '',
    booked_at TEXT,
    cancelled_at TEXT,
    closed_at TEXT,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS bookings_status ON bookings (status);
CREATE INDEX IF NOT EXISTS bookings_unit ON bookings (unit_id);
CREATE INDEX IF NOT EXISTS bookings_expert ON bookings (expert_id);
CREATE INDEX IF NOT EXISTS bookings_contract ON bookings (contract_id);
CREATE TABLE IF NOT EXISTS booking_sessions (
    booking INTEGER NOT NULL REFERENCES bookings (id),
    number INTEGER NOT NULL,
    work_date TEXT NOT NULL,
    start TEXT NOT NULL,
    end TEXT NOT NULL,
    cancelled_at TEXT,
    PRIMARY KEY (booking, number)
);
CREATE INDEX IF NOT EXISTS booking_sessions_date ON booking_sessions (work_date);
CREATE TABLE IF NOT EXISTS booking_offers (
    id INTEGER PRIMARY KEY,
    booking INTEGER NOT NULL REFERENCES bookings (id),
    expert_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'accepted', 'declined', 'withdrawn')),
    offered_at TEXT NOT NULL,
    offered_by TEXT NOT NULL DEFAULT '',
    answered_at TEXT,
    reason TEXT
);
-- One expert at a time: two coordinators offering at once leave one open offer.
CREATE UNIQUE INDEX IF NOT EXISTS booking_offers_one_open ON booking_offers (booking) WHERE state = 'open';
CREATE INDEX IF NOT EXISTS booking_offers_expert ON booking_offers (expert_id, state);
CREATE TABLE IF NOT EXISTS mail_outbox (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    booking INTEGER,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_attempt_at TEXT,
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS mail_outbox_unsent ON mail_outbox (sent_at);
"""


# Columns added to existing tables since they were first made: (table, column, definition).
ADDED_COLUMNS = (
    ("notice_approvals", "notice_sha256", "TEXT NOT NULL DEFAULT ''"),  # what an approval approved
    ("feedback_answers", "answer_key", "TEXT"),  # an export row's identity, for exports of all answers to date
)


@dataclass(frozen=True)
class LedgerLine:
    """One row of an accepted hour form, with what it pays. Money is Decimal, never float."""

    row: int
    work_date: date
    start: str
    end: str
    task: str
    status: str
    hours: Decimal
    participants: int | None
    payable: bool
    basis: str
    rate_eur: Decimal
    fee_eur: Decimal
    travel_eur: Decimal
    travel_ref: str = ""
    income_type: str = ""
    notes: str = ""
    form_id: str = ""


@dataclass
class FormRecord:
    """An accepted hour form: whose, which month, when received, and which payroll run pays it."""

    form_id: str
    contract_id: str
    expert_id: str
    unit_id: str
    month: str
    pay_month: str
    received_on: date
    late: bool = False
    signed_on: date | None = None
    versions: int = 1
    warnings: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Adjustment:
    """A difference between a correction sent after its month was closed and what had been paid for the form.

    'additional': the corrected row pays more than was paid (a new row, a higher fee, travel now approved);
    the line's fee_eur and travel_eur hold the difference, paid with the payroll of `pay_month`.
    'withdrawn': a row that was paid is gone from the correction or now pays less; fee_eur and travel_eur hold
    what was paid too much, for the coordinator to settle with the expert (listed in `pay_month`'s checks).
    """

    form_id: str
    pay_month: str
    kind: str
    line: LedgerLine
    received_on: date
    submission_id: int

    @property
    def amount(self) -> Decimal:
        return self.line.fee_eur + self.line.travel_eur


@dataclass
class FormState:
    """What the ledger holds about one hour form, as the month's overview shows it.

    `status` is 'accepted', 'replaced' (accepted in more than one version) or 'rejected' (only rejected copies
    came in; `problems` are the latest rejection's); `fee_eur` sums the payable fees, `travel_eur` the travel.
    """

    status: str
    received_on: str
    versions: int = 0
    late: bool = False
    pay_month: str = ""
    fee_eur: Decimal = Decimal("0.00")
    travel_eur: Decimal = Decimal("0.00")
    problems: list[dict] = field(default_factory=list)


class LedgerError(KokemusError):
    """The ledger file cannot be opened, is busy, or is from a newer version of kokemus-docs."""


class LedgerDamaged(LedgerError):
    """The ledger's file or contents are not what kokemus-docs wrote: nothing is read from it or rebuilt."""

    def __init__(self, path: str | Path, detail: str):
        super().__init__(
            f"The ledger is damaged: {Path(path).name} {detail}. Nothing was written, and kokemus never rebuilds "
            "a damaged ledger (that would lose what it records). Restore .kokemus/ledger.sqlite from your latest "
            "backup, then run the command again.", path=str(path), code="ledger-damaged")


def ledger_busy_error(path: str | Path, exc: sqlite3.OperationalError) -> LedgerError | None:
    """The clear error for SQLite's 'database is locked' / 'busy'; None for other errors."""
    text = str(exc).lower()
    if "locked" not in text and "busy" not in text:
        return None
    return LedgerError(f"The ledger {Path(path).name} is busy: another program is writing it (another kokemus "
                       "command, the web app, or a program that opened the file). Try again in a moment; if it "
                       "stays busy, close the other program.", path=str(path), code="ledger-busy")


def ledger_error(path: str | Path, exc: sqlite3.Error) -> LedgerError:
    """The plain error for anything SQLite raises about the ledger: busy, disk full, read-only, or damaged."""
    text = str(exc).lower()
    busy = ledger_busy_error(path, exc) if isinstance(exc, sqlite3.OperationalError) else None
    if busy is not None:
        return busy
    name = Path(path).name
    if "disk is full" in text or "database or disk is full" in text:
        return LedgerError(f"The disk is full: the ledger {name} cannot be written. Nothing was half-written; "
                           "free some space and run the command again.", path=str(path), code="disk-full")
    if "readonly" in text or "read-only" in text:
        return LedgerError(f"The ledger {name} cannot be written: the workspace is read-only. Nothing was "
                           "changed; run the command where the workspace can be written.", path=str(path),
                           code="read-only")
    if isinstance(exc, sqlite3.OperationalError) and ("unable to open" in text or "i/o" in text
                                                      or "permission" in text):
        return LedgerError(f"The ledger {name} cannot be used ({exc}). Check the folder {Path(path).parent}, its "
                           "permissions and the disk.", path=str(path), code="ledger-unreadable")
    return LedgerDamaged(path, f"cannot be read ({exc})")


class Ledger:
    """One connection to the ledger (.kokemus/ledger.sqlite, mode 0600, WAL journal, busy timeout)."""

    def __init__(self, path: str | Path, *, busy_timeout: float | None = None):
        self.path = Path(path)
        timeout = BUSY_TIMEOUT if busy_timeout is None else busy_timeout
        try:
            _create_private(self.path)
            self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)  # explicit transactions
        except OSError as exc:
            if exc.errno in DISK_ERRNOS:
                raise disk_error(exc) from None
            raise LedgerError(f"The ledger {self.path.name} cannot be opened ({exc.strerror or exc}). Check the "
                              f"folder {self.path.parent} and its permissions.", path=str(self.path),
                              code="ledger-unreadable") from None
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"The ledger {self.path.name} cannot be opened ({exc}). Check the folder "
                              f"{self.path.parent} and its permissions.", path=str(self.path),
                              code="ledger-unreadable") from None
        try:
            self.db.row_factory = sqlite3.Row
            self.db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            self.db.execute("PRAGMA foreign_keys = ON")
            # WAL: readers (the web app, notices) never wait for a writer; FULL: each commit is on disk when
            # it returns, so a file removed from the inbox after its commit is never lost by a power cut.
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = FULL")
            self._migrate()
        except sqlite3.Error as exc:
            self.db.close()
            raise ledger_error(self.path, exc) from None
        except LedgerError:
            self.db.close()
            raise

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def _tables(self) -> set[str]:
        return {r["name"] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def _migrate(self) -> None:
        """Create a new ledger's tables, or check an existing one: its schema version, and every table it has
        had (recorded in meta) still there. A missing table is damage, never recreated empty."""
        existing = self._tables()
        version = self._check_existing(existing) if existing else None
        self.db.executescript(SCHEMA)  # IF NOT EXISTS: no write, and no wait for a writer, once it is all there
        for table, column, definition in ADDED_COLUMNS:  # columns newer than the ledger's tables
            if column not in {r["name"] for r in self.db.execute(f"PRAGMA table_info({table})")}:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
        self.db.execute("CREATE INDEX IF NOT EXISTS feedback_answers_key ON feedback_answers (answer_key)"
                        " WHERE answer_key IS NOT NULL")
        if version is None or version < SCHEMA_VERSION:
            # Versions before this one lack only tables, which the script above has just created.
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                            (str(SCHEMA_VERSION),))
        tables = sorted(self._tables())
        if tables != self._recorded_tables():
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('tables', ?)", (json.dumps(tables),))

    def _recorded_tables(self) -> list[str] | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'tables'").fetchone()
        if row is None:
            return None
        try:
            tables = json.loads(row["value"])
        except ValueError:
            tables = None
        if not isinstance(tables, list) or not all(isinstance(t, str) for t in tables):
            raise LedgerDamaged(self.path, "does not list its own tables")
        return sorted(tables)

    def _check_existing(self, existing: set[str]) -> int:
        """The schema version of an existing ledger, after checking it and that no table it had is lost."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() \
            if "meta" in existing else None
        if row is None:
            raise LedgerDamaged(self.path, "has no schema version")
        version = str(row["value"])
        if not version.isdigit() or not 1 <= int(version) < 1_000_000:
            raise LedgerDamaged(self.path, f"has an unknown schema version ({version[:20]!r})")
        if int(version) > SCHEMA_VERSION:
            raise LedgerError(f"The ledger was written by a newer kokemus-docs (schema {version}); "
                              "upgrade kokemus-docs to read it.", path=str(self.path), code="ledger-newer")
        expected = set(self._recorded_tables() or CORE_TABLES)
        missing = sorted(expected - existing)
        if missing:
            raise LedgerDamaged(self.path, f"has lost its table{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        return int(version)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: commit on success, roll back on any exception.

        Waits up to the busy timeout for another writer; then raises LedgerError ('ledger-busy').
        """
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise ledger_error(self.path, exc) from None
        try:
            yield
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        try:
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise ledger_error(self.path, exc) from None

    # --- submissions (every file received) ----------------------------------------------------
    def submission_by_sha(self, sha256: str) -> sqlite3.Row | None:
        """The first accepted or replaced submission of exactly these bytes, if any."""
        return self.db.execute(
            "SELECT * FROM submissions WHERE sha256 = ? AND status IN ('accepted', 'replaced') ORDER BY id LIMIT 1",
            (sha256,)).fetchone()

    def record_submission(self, *, sha256: str, file_name: str, received_on: date, status: str,
                          form_id: str | None, problems: list[dict], archived_as: str | None = None) -> int:
        cur = self.db.execute(
            "INSERT INTO submissions (sha256, file_name, archived_as, received_on, ingested_at, form_id, status,"
            " problems_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (sha256, file_name, archived_as, received_on.isoformat(), datetime.now().isoformat(timespec="seconds"),
             form_id, status, json.dumps(problems, ensure_ascii=False)))
        return int(cur.lastrowid or 0)

    def latest_submission(self, sha256: str, file_name: str) -> sqlite3.Row | None:
        """The latest submission, whatever its status, of these bytes under this file name."""
        return self.db.execute("SELECT * FROM submissions WHERE sha256 = ? AND file_name = ? ORDER BY id DESC LIMIT 1",
                               (sha256, file_name)).fetchone()

    def names_archive(self, archived_as: str) -> bool:
        """Whether any submission names this archive file (workspace-relative) as its copy."""
        return self.db.execute("SELECT 1 FROM submissions WHERE archived_as = ? LIMIT 1",
                               (archived_as,)).fetchone() is not None

    def set_archived_as(self, submission_id: int, archived_as: str) -> None:
        self.db.execute("UPDATE submissions SET archived_as = ? WHERE id = ?", (archived_as, submission_id))

    # --- forms and lines ----------------------------------------------------------------------
    def form(self, form_id: str) -> FormRecord | None:
        row = self.db.execute("SELECT * FROM forms WHERE form_id = ?", (form_id,)).fetchone()
        return _form_record(row) if row else None

    def accepted_copy(self, form_id: str) -> str | None:
        """The archived file (workspace-relative) of the submission a form was last accepted from."""
        row = self.db.execute("SELECT s.archived_as FROM forms f JOIN submissions s ON s.id = f.submission_id"
                              " WHERE f.form_id = ?", (form_id,)).fetchone()
        return row["archived_as"] if row else None

    def store_form(self, record: FormRecord, lines: list[LedgerLine], submission_id: int) -> str:
        """Store an accepted form and its lines; returns 'accepted' or 'replaced' (an earlier version existed).

        Raises MonthClosed if the earlier version was paid in a closed month, or if `record.pay_month` is closed.
        Call inside `transaction()`.
        """
        earlier = self.form(record.form_id)
        if earlier is not None and self.is_closed(earlier.pay_month):
            raise MonthClosed(
                f"Form {record.form_id} was already paid in the payroll of {earlier.pay_month}, which is closed; "
                "a correction cannot replace it. Agree an adjustment with the coordinator.",
                code="month-closed")
        if self.is_closed(record.pay_month):
            raise MonthClosed(f"The payroll month {record.pay_month} is closed; it cannot take new forms.",
                              code="month-closed")
        versions = 1
        if earlier is not None:
            versions = earlier.versions + 1
            self.db.execute("DELETE FROM lines WHERE form_id = ?", (record.form_id,))
            self.db.execute("DELETE FROM forms WHERE form_id = ?", (record.form_id,))
        self.db.execute(
            "INSERT INTO forms (form_id, submission_id, contract_id, expert_id, unit_id, month, pay_month, received_on,"
            " late, signed_on, versions, warnings_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record.form_id, submission_id, record.contract_id, record.expert_id, record.unit_id, record.month,
             record.pay_month, record.received_on.isoformat(), int(record.late),
             record.signed_on.isoformat() if record.signed_on else None, versions,
             json.dumps(record.warnings, ensure_ascii=False)))
        self.db.executemany(
            "INSERT INTO lines (form_id, row, work_date, start, end, task, status, hours, participants, payable,"
            " basis, rate_eur, fee_eur, travel_eur, travel_ref, income_type, notes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(record.form_id, ln.row, ln.work_date.isoformat(), ln.start, ln.end, ln.task, ln.status, str(ln.hours),
              ln.participants, int(ln.payable), ln.basis, str(ln.rate_eur), str(ln.fee_eur), str(ln.travel_eur),
              ln.travel_ref, ln.income_type, ln.notes) for ln in lines])
        return "replaced" if earlier is not None else "accepted"

    def forms_for_pay_month(self, pay_month: str) -> list[FormRecord]:
        rows = self.db.execute("SELECT * FROM forms WHERE pay_month = ? ORDER BY expert_id, unit_id, form_id",
                               (pay_month,)).fetchall()
        return [_form_record(r) for r in rows]

    def forms_for_year(self, year: int) -> list[FormRecord]:
        rows = self.db.execute("SELECT * FROM forms WHERE month LIKE ? ORDER BY month, form_id",
                               (f"{year}-%",)).fetchall()
        return [_form_record(r) for r in rows]

    def lines_of(self, form_ids: list[str]) -> dict[str, list[LedgerLine]]:
        """All lines (payable or not) of the given forms, by form id, in row order."""
        result: dict[str, list[LedgerLine]] = {fid: [] for fid in form_ids}
        if not form_ids:
            return result
        for chunk_start in range(0, len(form_ids), 500):
            chunk = form_ids[chunk_start:chunk_start + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.db.execute(f"SELECT * FROM lines WHERE form_id IN ({marks}) ORDER BY form_id, row", chunk):
                result[r["form_id"]].append(_ledger_line(r))
        return result

    def expert_fees_for_pay_month(self, expert_id: str, pay_month: str) -> Decimal:
        """The gross fees payroll month `pay_month` pays one expert: payable lines of the forms it pays and the
        additional adjustments it pays (travel not included)."""
        rows = self.db.execute(
            "SELECT l.fee_eur FROM lines l JOIN forms f ON f.form_id = l.form_id"
            " WHERE f.expert_id = ? AND f.pay_month = ? AND l.payable = 1"
            " UNION ALL SELECT a.fee_eur FROM adjustments a JOIN forms f ON f.form_id = a.form_id"
            " WHERE f.expert_id = ? AND a.pay_month = ? AND a.kind = 'additional' AND a.payable = 1",
            (expert_id, pay_month, expert_id, pay_month)).fetchall()
        return sum((Decimal(r[0]) for r in rows), Decimal("0.00"))

    def paid_lines_of_expert(self, expert_id: str, dates: list[date], other_than: str) -> list[tuple[str, LedgerLine]]:
        """The payable lines on `dates` of the expert's accepted forms other than `other_than`, each with the
        unit of its form: what is already paid for those days."""
        found: list[tuple[str, LedgerLine]] = []
        days = sorted({d.isoformat() for d in dates})
        for chunk_start in range(0, len(days), 500):
            chunk = days[chunk_start:chunk_start + 500]
            marks = ",".join("?" * len(chunk))
            found += [(r["unit_id"], _ledger_line(r)) for r in self.db.execute(
                "SELECT lines.*, forms.unit_id FROM lines JOIN forms ON forms.form_id = lines.form_id"
                f" WHERE forms.expert_id = ? AND lines.form_id != ? AND lines.payable = 1 AND lines.work_date IN"
                f" ({marks}) ORDER BY lines.work_date, lines.start, lines.form_id", [expert_id, other_than, *chunk])]
        return found

    def form_states(self, form_ids: list[str]) -> dict[str, FormState]:
        """The state of each of `form_ids` the ledger knows (forms it never received are left out)."""
        states: dict[str, FormState] = {}
        for start in range(0, len(form_ids), 500):
            chunk = form_ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for record in self.db.execute(f"SELECT * FROM forms WHERE form_id IN ({marks})", chunk):
                states[record["form_id"]] = FormState(
                    "replaced" if record["versions"] > 1 else "accepted", record["received_on"], record["versions"],
                    bool(record["late"]), record["pay_month"])
            for line in self.db.execute(
                    f"SELECT form_id, fee_eur, travel_eur, payable FROM lines WHERE form_id IN ({marks})", chunk):
                state = states[line["form_id"]]
                if line["payable"]:
                    state.fee_eur += Decimal(line["fee_eur"])
                state.travel_eur += Decimal(line["travel_eur"])
            for sub in self.db.execute(
                    f"SELECT form_id, received_on, problems_json FROM submissions WHERE form_id IN ({marks})"
                    " AND status = 'rejected' ORDER BY id", chunk):
                known = states.get(sub["form_id"])
                if known is None or known.status == "rejected":
                    states[sub["form_id"]] = FormState("rejected", sub["received_on"],
                                                       problems=json.loads(sub["problems_json"]))
        return states

    # --- adjustments: corrections received after the form's payroll month was closed -------------
    def store_adjustments(self, form_id: str, submission_id: int, pay_month: str, received_on: date,
                          additional: list[LedgerLine], withdrawn: list[LedgerLine]) -> None:
        """Record a correction's differences, paid or listed in `pay_month`; call inside `transaction()`.

        Adjustments of an earlier correction of the same form whose month is still open are not paid yet:
        they are replaced by these. Those in closed months stay as they were paid.
        """
        if self.is_closed(pay_month):
            raise MonthClosed(f"The payroll month {pay_month} is closed; it cannot take adjustments.",
                              code="month-closed")
        earlier = self.db.execute("SELECT DISTINCT pay_month FROM adjustments WHERE form_id = ?", (form_id,))
        for row in earlier.fetchall():
            if not self.is_closed(row["pay_month"]):
                self.db.execute("DELETE FROM adjustments WHERE form_id = ? AND pay_month = ?",
                                (form_id, row["pay_month"]))
        self.db.executemany(
            "INSERT INTO adjustments (form_id, submission_id, pay_month, kind, received_on, row, work_date, start, end,"
            " task, status, hours, participants, payable, basis, rate_eur, fee_eur, travel_eur, travel_ref,"
            " income_type, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(form_id, submission_id, pay_month, kind, received_on.isoformat(), ln.row, ln.work_date.isoformat(),
              ln.start, ln.end, ln.task, ln.status, str(ln.hours), ln.participants, int(ln.payable), ln.basis,
              str(ln.rate_eur), str(ln.fee_eur), str(ln.travel_eur), ln.travel_ref, ln.income_type, ln.notes)
             for kind, lines in (("additional", additional), ("withdrawn", withdrawn)) for ln in lines])

    def adjustments_of(self, form_id: str, *, closed_only: bool = False) -> list[Adjustment]:
        """The adjustments of one form in the order they were made (with `closed_only`: those already paid)."""
        rows = self.db.execute("SELECT * FROM adjustments WHERE form_id = ? ORDER BY id", (form_id,)).fetchall()
        found = [_adjustment(r) for r in rows]
        return [a for a in found if self.is_closed(a.pay_month)] if closed_only else found

    def adjustments_for_pay_month(self, pay_month: str) -> list[Adjustment]:
        """The adjustments paid (additional) or to be settled (withdrawn) in payroll month `pay_month`."""
        rows = self.db.execute("SELECT * FROM adjustments WHERE pay_month = ? ORDER BY form_id, kind, row, id",
                               (pay_month,)).fetchall()
        return [_adjustment(r) for r in rows]

    # --- months -------------------------------------------------------------------------------
    def is_closed(self, month: str) -> bool:
        return self.db.execute("SELECT 1 FROM months WHERE month = ?", (month,)).fetchone() is not None

    def closed_at(self, month: str) -> str | None:
        row = self.db.execute("SELECT closed_at FROM months WHERE month = ?", (month,)).fetchone()
        return row["closed_at"] if row else None

    def close_month(self, month: str) -> bool:
        """Lock a payroll month; returns False if it was closed already."""
        if self.is_closed(month):
            return False
        self.db.execute("INSERT INTO months (month, closed_at) VALUES (?, ?)",
                        (month, datetime.now().isoformat(timespec="seconds")))
        return True

    def closed_copy_digest(self, month: str) -> str | None:
        """The SHA-256 of the copy of `month`'s payroll workbook kept at closing; None for months closed before
        it was recorded."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (f"closed_copy_sha256:{month}",)).fetchone()
        return row["value"] if row else None

    def record_closed_copy_digest(self, month: str, digest: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                        (f"closed_copy_sha256:{month}", digest))


_shared: ContextVar[dict[Path, Ledger] | None] = ContextVar("kokemus_shared_ledgers", default=None)


@contextmanager
def one_connection() -> Iterator[None]:
    """Within this block (one web request), every `open_ledger` of a ledger gets the same connection; the
    connections are closed when the block ends."""
    opened: dict[Path, Ledger] = {}
    token = _shared.set(opened)
    try:
        yield
    finally:
        _shared.reset(token)
        for ledger in opened.values():
            ledger.close()


@contextmanager
def open_ledger(path: str | Path) -> Iterator[Ledger]:
    """The ledger at `path` for one `with` block: the connection of the enclosing `one_connection()` if there is
    one, else a connection of its own, closed when the block ends."""
    opened = _shared.get()
    if opened is None:
        with Ledger(path) as ledger:
            yield ledger
        return
    key = Path(path)
    if key not in opened:
        opened[key] = Ledger(path)
    yield opened[key]


def _create_private(path: Path) -> None:
    """Create the ledger's folder (0700) and an empty ledger file (0600) if missing; make an existing one 0600.

    SQLite creates the -wal and -shm files with the database file's mode, so they are 0600 too.
    """
    folder = path.parent
    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o777 != 0o600:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        try:
            if side.stat().st_mode & 0o777 != 0o600:
                os.chmod(side, 0o600)
        except OSError:
            pass


@contextmanager
def _stored(table: str, row: sqlite3.Row) -> Iterator[None]:
    """Turn a value that kokemus-docs never writes (a wrong date, amount or JSON) into LedgerDamaged."""
    try:
        yield
    except (ValueError, TypeError, KeyError, ArithmeticError) as exc:
        raise LedgerDamaged(Path("ledger.sqlite"),
                            f"holds a value it never writes in table {table} ({type(exc).__name__})") from None


def _form_record(row: sqlite3.Row) -> FormRecord:
    with _stored("forms", row):
        return _form_record_of(row)


def _form_record_of(row: sqlite3.Row) -> FormRecord:
    return FormRecord(
        form_id=row["form_id"], contract_id=row["contract_id"], expert_id=row["expert_id"], unit_id=row["unit_id"],
        month=Month(row["month"]), pay_month=Month(row["pay_month"]),
        received_on=date.fromisoformat(row["received_on"]),
        late=bool(row["late"]), signed_on=date.fromisoformat(row["signed_on"]) if row["signed_on"] else None,
        versions=row["versions"], warnings=json.loads(row["warnings_json"]))


def _adjustment(row: sqlite3.Row) -> Adjustment:
    with _stored("adjustments", row):
        return _adjustment_of(row)


def _adjustment_of(row: sqlite3.Row) -> Adjustment:
    return Adjustment(form_id=row["form_id"], pay_month=Month(row["pay_month"]), kind=row["kind"],
                      line=_ledger_line(row),
                      received_on=date.fromisoformat(row["received_on"]), submission_id=row["submission_id"])


def _ledger_line(row: sqlite3.Row) -> LedgerLine:
    with _stored("lines", row):
        return _ledger_line_of(row)


def _ledger_line_of(row: sqlite3.Row) -> LedgerLine:
    return LedgerLine(
        row=row["row"], work_date=date.fromisoformat(row["work_date"]), start=row["start"], end=row["end"],
        task=row["task"], status=row["status"], hours=Decimal(row["hours"]), participants=row["participants"],
        payable=bool(row["payable"]), basis=row["basis"], rate_eur=Decimal(row["rate_eur"]),
        fee_eur=Decimal(row["fee_eur"]), travel_eur=Decimal(row["travel_eur"]), travel_ref=row["travel_ref"],
        income_type=row["income_type"], notes=row["notes"], form_id=row["form_id"])
