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
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from kokemus_docs.core.errors import LedgerDamaged, LedgerError, MonthClosed, ledger_error
from kokemus_docs.core.fileio import DISK_ERRNOS, disk_error
from kokemus_docs.core.ledger_schema import ADDED_COLUMNS, CORE_TABLES, SCHEMA, SCHEMA_VERSION
from kokemus_docs.core.month import Month
from kokemus_docs.core.records import Adjustment, FormRecord, FormState, LedgerLine

BUSY_TIMEOUT = 10.0  # seconds a connection waits for another one's write transaction before giving up


class Ledger:
    """One connection to the ledger (.kokemus/ledger.sqlite, mode 0600, WAL journal, busy timeout)."""

    def __init__(self, path: str | Path, *, busy_timeout: float | None = None):
        self.path = Path(path)
        self._savepoints = 0
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

        Waits up to the busy timeout for another writer; then raises LedgerError ('ledger-busy'). Inside another
        transaction of this connection it is a savepoint: an exception undoes this block alone, and what it
        wrote commits (or not) with the enclosing transaction.
        """
        if self.db.in_transaction:
            with self._savepoint():
                yield
            return
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

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        self._savepoints += 1
        name = f"kokemus_{self._savepoints}"
        self.db.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            if self.db.in_transaction:  # an error may have ended the whole transaction already
                self.db.execute(f"ROLLBACK TO {name}")
                self.db.execute(f"RELEASE {name}")
            raise
        self.db.execute(f"RELEASE {name}")

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

    def forms_version(self) -> int:
        """A number that changes with every change to the forms or their lines (the schema's triggers bump it in
        the writer's transaction): what is computed from them may be cached under it."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'forms_version'").fetchone()
        return int(row["value"]) if row is not None and str(row["value"]).isdigit() else 0

    def forms_for_pay_month(self, pay_month: Month) -> list[FormRecord]:
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

    def expert_fees_for_pay_month(self, expert_id: str, pay_month: Month) -> Decimal:
        """The gross fees payroll month `pay_month` pays one expert: payable lines of the forms it pays and the
        additional adjustments it pays (travel not included)."""
        rows = self.db.execute(
            "SELECT l.fee_eur FROM lines l JOIN forms f ON f.form_id = l.form_id"
            " WHERE f.expert_id = ? AND f.pay_month = ? AND l.payable = 1"
            " UNION ALL SELECT a.fee_eur FROM adjustments a JOIN forms f ON f.form_id = a.form_id"
            " WHERE f.expert_id = ? AND a.pay_month = ? AND a.kind = 'additional' AND a.payable = 1",
            (expert_id, pay_month, expert_id, pay_month)).fetchall()
        return sum((Decimal(r[0]) for r in rows), Decimal("0.00"))

    def pay_month_totals(self, pay_months: list[Month]) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
        """(expert id, payroll month) -> (fees, travel) that each of `pay_months` pays, counted as its payroll
        counts them: the lines with a payable fee or a travel reimbursement of the forms it pays, and the
        additional adjustments it pays (a fee only where payable). One query for a whole year."""
        totals: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
        if not pay_months:
            return totals
        marks = ",".join("?" * len(pay_months))
        rows = self.db.execute(
            "SELECT f.expert_id, f.pay_month, l.payable, l.fee_eur, l.travel_eur, 0 AS adjustment"
            f" FROM lines l JOIN forms f ON f.form_id = l.form_id WHERE f.pay_month IN ({marks})"
            " UNION ALL SELECT f.expert_id, a.pay_month, a.payable, a.fee_eur, a.travel_eur, 1 AS adjustment"
            " FROM adjustments a JOIN forms f ON f.form_id = a.form_id"
            f" WHERE a.kind = 'additional' AND a.pay_month IN ({marks})", [*pay_months, *pay_months])
        zero = Decimal("0.00")
        amount: dict[str, Decimal] = {}  # each stored amount text parsed once: a year repeats a few hundred
        try:
            for expert_id, pay_month, payable, fee_text, travel_text, adjustment in rows:
                fee = amount.get(fee_text)
                if fee is None:
                    fee = amount[fee_text] = Decimal(fee_text)
                travel = amount.get(travel_text)
                if travel is None:
                    travel = amount[travel_text] = Decimal(travel_text)
                if not (adjustment or payable or travel > 0):
                    continue  # neither paid nor reimbursed: not on the payroll
                fees, travels = totals.get((expert_id, pay_month), (zero, zero))
                totals[expert_id, pay_month] = (fees + (fee if payable else zero), travels + travel)
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise LedgerDamaged(self.path, f"holds a value it never writes in table lines or adjustments "
                                           f"({type(exc).__name__})") from None
        return totals

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
                with _stored("forms", record):
                    states[record["form_id"]] = FormState(
                        "replaced" if record["versions"] > 1 else "accepted", record["received_on"],
                        record["versions"], bool(record["late"]), Month.parse(record["pay_month"]))
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
    def store_adjustments(self, form_id: str, submission_id: int, pay_month: Month, received_on: date,
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

    def adjustments_for_pay_month(self, pay_month: Month) -> list[Adjustment]:
        """The adjustments paid (additional) or to be settled (withdrawn) in payroll month `pay_month`."""
        rows = self.db.execute("SELECT * FROM adjustments WHERE pay_month = ? ORDER BY form_id, kind, row, id",
                               (pay_month,)).fetchall()
        return [_adjustment(r) for r in rows]

    # --- months -------------------------------------------------------------------------------
    def is_closed(self, month: Month) -> bool:
        return self.db.execute("SELECT 1 FROM months WHERE month = ?", (month,)).fetchone() is not None

    def closed_at(self, month: Month) -> str | None:
        row = self.db.execute("SELECT closed_at FROM months WHERE month = ?", (month,)).fetchone()
        return row["closed_at"] if row else None

    def close_month(self, month: Month) -> str:
        """Lock a payroll month; returns when it was closed (ISO seconds). MonthClosed if it was closed already."""
        if self.is_closed(month):
            raise MonthClosed(f"The payroll month {month} is closed already.", code="month-closed")
        closed_at = datetime.now().isoformat(timespec="seconds")
        self.db.execute("INSERT INTO months (month, closed_at) VALUES (?, ?)", (month, closed_at))
        return closed_at

    def closed_copy_digest(self, month: Month) -> str | None:
        """The SHA-256 of the copy of `month`'s payroll workbook kept at closing; None for months closed before
        it was recorded."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (f"closed_copy_sha256:{month}",)).fetchone()
        return row["value"] if row else None

    def record_closed_copy_digest(self, month: Month, digest: str) -> None:
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
        month=Month.parse(row["month"]), pay_month=Month.parse(row["pay_month"]),
        received_on=date.fromisoformat(row["received_on"]),
        late=bool(row["late"]), signed_on=date.fromisoformat(row["signed_on"]) if row["signed_on"] else None,
        versions=row["versions"], warnings=json.loads(row["warnings_json"]))


def _adjustment(row: sqlite3.Row) -> Adjustment:
    with _stored("adjustments", row):
        return _adjustment_of(row)


def _adjustment_of(row: sqlite3.Row) -> Adjustment:
    return Adjustment(form_id=row["form_id"], pay_month=Month.parse(row["pay_month"]), kind=row["kind"],
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
