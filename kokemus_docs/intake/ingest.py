"""Taking in returned hour forms: read, check the seal, apply the fee rules, record in the ledger, archive.

Each file makes its own crash-safe journey through the inbox (core/inbox.py, shared with feedback ingest), one
file at a time under the workspace lock:

1. a file in forms/inbox/ is first moved into forms/inbox/.ingesting/ (so a run killed half way can tell its
   own unfinished files from new ones sent later);
2. only a regular file is read (never through a symlink, never a fifo or a device), once, within a size limit;
3. in one ledger transaction: the decision, an archive copy written from exactly the bytes read (fsynced, in
   forms/processed/<month>/ or forms/rejected/, never overwriting: a clashing name gets -2, -3, ...), the
   submission row naming that copy, the form and its lines, the feedback file; then the commit;
4. only then the original leaves the inbox (files from elsewhere are copied and left where they are).

A run killed at any moment is finished by the next one: unfinished files in .ingesting/ are taken first, a file
whose row was committed is only removed, an archive copy whose row never committed is adopted, temp files are
removed. Any unexpected failure on one file rejects that file (moved to forms/rejected/, logged without personal
data in .kokemus/kokemus.log) and the run goes on with the next.

The pay decision on a file is in intake/decision.py, the expert's letter in intake/letter.py.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import time
import traceback
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

from kokemus_docs.core.errors import LedgerError, ledger_error
from kokemus_docs.core.fileio import safe_filename, write_new_durably
from kokemus_docs.core.formatting import money
from kokemus_docs.core.inbox import Inbox, NotRead, Source, free_names, node_kind
from kokemus_docs.core.ledger import Ledger, open_ledger
from kokemus_docs.core.model import Register
from kokemus_docs.core.paydates import payment_date
from kokemus_docs.core.report import Outcome, Progress, no_progress
from kokemus_docs.core.workspace import Workspace, WorkspaceBusy, workspace_lock
from kokemus_docs.earnings.limits import expected_text
from kokemus_docs.intake.decision import FormResult, PayDecision
from kokemus_docs.intake.letter import feedback_text, needs_feedback
from kokemus_docs.intake.messages import Finding
from kokemus_docs.intake.results import IngestOutcome, ingested
from kokemus_docs.pdfsafe.limits import MAX_FILE_BYTES, ReaderUnavailable

FEEDBACK_DIR = "feedback"
# Files committed together (see _Session.batch): one fsync of each archive folder and one commit for them all,
# while the ledger's write lock is held for at most about a second.
BATCH_FILES = 25
BATCH_SECONDS = 1.0
# Errors that would fail every file the same way: they stop the run instead of rejecting file after file.
_RUN_STOPPING_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


def ingest_forms(ws: Workspace, register: Register, paths: Sequence[Path] = (), *,
                 received_on: date | None = None, progress: Progress | None = None,
                 only_expert: str | None = None) -> IngestOutcome:
    """Ingest returned hour forms: files or folders (only *.pdf in folders, sorted); default forms/inbox/.

    Each file ends up 'accepted', 'replaced' (a corrected version of a form already in the ledger), 'duplicate'
    (these exact bytes were accepted before) or 'rejected' (with a feedback file for the expert in
    outputs/feedback/). `received_on` (default today) decides whether a form is late and so which payroll pays it.
    Takes the workspace lock (see workspace.workspace_lock) for the whole run.

    With `only_expert` (an expert uploading on their own page), a readable form of another expert (naming another
    expert, or another expert's contract or form) is not taken: it is 'foreign', leaves no ledger row, archive
    copy or feedback, and a file from the inbox is removed.
    """
    received_on = received_on or date.today()
    progress = progress or no_progress
    outcome = IngestOutcome()
    results: list[FormResult] = []
    with workspace_lock(ws, "forms ingest"), open_ledger(ws.ledger_path) as ledger, \
            closing(_Session(ws, register, received_on, ledger, only_expert)) as session:
        session.remove_stray_temps()
        sources, missing = session.inbox.collect(paths)
        for path in missing:
            outcome.errors.append(Finding("not-found").problem(path=str(path)))
        if not sources and not missing:
            where = ", ".join(str(p) for p in paths) or ws.rel(ws.inbox_dir)
            outcome.summary.append(f"No hour forms (*.pdf) to ingest in {where}.")
        done = 0
        stopped: Exception | None = None
        while done < len(sources) and stopped is None:
            with session.batch():
                for source, following in session.files_of_batch(sources, done):
                    try:
                        result = session.handle(source, following)
                    except Exception as exc:  # the run stops (disk, ledger, reader): the files before it commit
                        stopped = exc
                        break
                    done += 1
                    if result is not None:
                        results.append(result)
                        _report(session, result, outcome)
                    progress(done, len(sources), source.name)
        if stopped is not None:
            raise stopped
        session.inbox.remove_empty_claim_dir()
    outcome.forms = [ingested(r, session.rel) for r in results]
    if results:
        said = ["settled as adjustments" if r.correction is not None else r.status for r in results]
        counts = {s: said.count(s) for s in ("accepted", "replaced", "settled as adjustments", "duplicate", "rejected",
                                                "foreign")}
        outcome.summary.append("Hour forms: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n) + ".")
    return outcome


class _Session:
    """One ingest run: the workspace, the register, one ledger connection, the inbox, the pay decision."""

    def __init__(self, ws: Workspace, register: Register, received_on: date, ledger: Ledger,
                 only_expert: str | None = None):
        self.ws = ws
        self.register = register
        self.received_on = received_on
        self.ledger = ledger
        self.root = ws.root.resolve()
        self.processed_dir = ws.processed_dir.resolve()
        self.rejected_dir = ws.rejected_dir.resolve()
        self.inbox = Inbox(ws.inbox_dir, self.rejected_dir, suffixes=(".pdf",), limit=MAX_FILE_BYTES,
                           archives=(self.processed_dir,))
        self.decision = PayDecision(ws, register, ledger, received_on)
        self.only_expert = only_expert
        self.committed_later: list[Source] = []
        self.taken_up: dict[int, Exception | None] = {}  # id(source): None once claimed and read, else why not

    def rel(self, path: Path) -> str:
        """Workspace-relative path of an already resolved path (absolute if outside the workspace)."""
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)

    # --- a batch of files: one commit --------------------------------------------------------------
    @contextmanager
    def batch(self) -> Iterator[None]:
        """One ledger transaction for several files (each file's own work a savepoint in it, undone alone when
        that file fails); the archive folders are fsynced once, before the commit; the originals are removed
        after it. A run killed before the commit leaves archive copies no row names (adopted by the next run)
        and the originals in .ingesting/ (taken again); killed after it, the next run only removes them."""
        self.committed_later = []
        with self.ledger.transaction():
            yield
            self.inbox.sync()
        for source in self.committed_later:
            self.inbox.remove_original(source)

    def files_of_batch(self, sources: list[Source], start: int) -> Iterator[tuple[Source, Source | None]]:
        """The files from `start` on (each with the one after it, or None), while the batch holds the ledger's
        write lock for less than about BATCH_SECONDS."""
        started = time.monotonic()
        for index in range(start, len(sources)):
            if index > start and (index - start >= BATCH_FILES or time.monotonic() - started > BATCH_SECONDS):
                return
            yield sources[index], sources[index + 1] if index + 1 < len(sources) else None

    def _committed_then_removed(self, source: Source) -> None:
        """The original goes once the batch holding its row is committed."""
        self.committed_later.append(source)

    def close(self) -> None:
        self.decision.close()

    def remove_stray_temps(self) -> None:
        """Temp files of a killed run."""
        removed = self.inbox.remove_stray_temps()
        if removed:
            self.ws.log.info("ingest: removed %d temp file(s) left by an interrupted run", removed)

    # --- one file ------------------------------------------------------------------------------
    def handle(self, source: Source, following: Source | None = None) -> FormResult | None:
        """Take in one file; None when it only finished what an interrupted run had done already. The file
        `following` it is taken up meanwhile (claimed, read, and its reading started in the reading process).

        Nothing that goes wrong with this one file stops the run: it is rejected with the reason.
        """
        result = FormResult(path=source.shown)
        try:
            return self._journey(source, result, following)
        except sqlite3.Error as exc:  # busy, full, damaged: every file would fail the same way
            raise ledger_error(self.ledger.path, exc) from None
        except (LedgerError, WorkspaceBusy, ReaderUnavailable):
            raise
        except OSError as exc:
            if exc.errno in _RUN_STOPPING_ERRNOS:
                raise
            return self._reject_unexpected(source, FormResult(path=source.shown), exc)
        except Exception as exc:  # one bad file must never stop the others
            return self._reject_unexpected(source, FormResult(path=source.shown), exc)

    def _journey(self, source: Source, result: FormResult, following: Source | None) -> FormResult | None:
        self._take_up(source)
        if following is not None:
            self._take_up(following)
        failed = self.taken_up.pop(id(source))
        if isinstance(failed, FileNotFoundError):
            result.findings.append(Finding("not-found"))
            return result
        if isinstance(failed, NotRead):
            return self._reject_unread(source, result, _not_read_text(failed), archive=failed.mode is None)
        if failed is not None:
            raise failed
        data = source.data or b""
        if self.only_expert is not None and self.decision.is_foreign(source.path, data, self.only_expert):
            self.inbox.remove_original(source)
            result.status = "foreign"
            return result
        if self._finish_interrupted(source):
            return None
        return self._take_in(source, result)

    def _take_up(self, source: Source) -> None:
        """Claim and read a file, once; what went wrong is kept for its turn. A file read is handed to the reading
        process at once, so that it is parsed while the file before it is being recorded."""
        if id(source) in self.taken_up:
            return
        try:
            self.inbox.claim(source)
            self.inbox.read(source)
        except Exception as exc:  # raised again (or reported) when the file's turn comes
            self.taken_up[id(source)] = exc
            return
        self.taken_up[id(source)] = None
        if source.data is not None:
            self.decision.read_ahead(source.path, source.data)

    def _finish_interrupted(self, source: Source) -> bool:
        """True when this file's journey was committed by an interrupted run: only its removal was missing."""
        if not (source.left_over or source.from_rejected):
            return False
        row = self.ledger.latest_submission(source.sha256, source.name)
        if row is None or not row["archived_as"]:
            return False
        if source.left_over and not self.inbox.committed_before_claim(source, row["ingested_at"]):
            return False  # the same file sent again after an earlier run took it in (or rejected it): a new attempt
        archived = self.root / row["archived_as"]
        if archived == source.path:
            return False  # a file in forms/rejected/ read again: a new attempt
        if not archived.is_file():
            if source.from_rejected:
                return False
            self.inbox.archive_copy(source, archived.parent, name=archived.name)
        self.inbox.remove_original(source)
        self.ws.log.info("ingest: finished an interrupted run's file (sha256 %s)", source.sha256[:12])
        return True

    def _take_in(self, source: Source, result: FormResult) -> FormResult:
        """Decide, archive and record one file inside one ledger transaction; then remove the original.

        The transaction starts with BEGIN IMMEDIATE, so no other writer can close a month between the checks
        in `_accept` and `store_form`. On any failure the archive copy and the feedback file are removed again.
        """
        archived: Path | None = None
        try:
            with self.ledger.transaction():
                record = self.decision.decide(source.path, source.data or b"", source.sha256, result)
                archived = self._archive(source, self._archive_dir(result), sync_later=True)
                result.archived_as = archived
                submission_id = self._record(source, result)
                if record is not None:
                    result.status = self.ledger.store_form(record, result.lines, submission_id)
                if result.correction is not None:
                    correction = result.correction
                    self.ledger.store_adjustments(result.form_id, submission_id, correction.pay_month, self.received_on,
                                                  correction.additional, correction.withdrawn)
                expected = self._expected_payment(result)
                if result.form_id and (needs_feedback(result) or expected):
                    result.feedback = self._write_feedback(result, expected)
        except BaseException:
            if archived is not None and archived != source.path:
                archived.unlink(missing_ok=True)
            if result.feedback is not None:
                result.feedback.unlink(missing_ok=True)
            raise
        if archived != source.path:
            self._committed_then_removed(source)
        return result

    def _record(self, source: Source, result: FormResult) -> int:
        """The submission row of this file: its bytes, name, status, form, findings and archive copy."""
        return self.ledger.record_submission(
            sha256=source.sha256, file_name=source.name, received_on=self.received_on, status=result.status,
            form_id=result.form_id or None, problems=[{"severity": f.severity, **f.stored()} for f in result.findings],
            archived_as=self.rel(result.archived_as) if result.archived_as else None)

    def _archive(self, source: Source, target_dir: Path, *, sync_later: bool = False) -> Path:
        """The archive copy of exactly the bytes read, in `target_dir`; a copy a run killed before its commit
        left there (holding these bytes, named by no row) is adopted."""
        return self.inbox.archive_copy(source, target_dir, sync_later=sync_later, adopt=lambda path: (
            not self.ledger.names_archive(self.rel(path)) and self.inbox.is_copy_of(path, source)))

    # --- rejections without a reading ---------------------------------------------------------
    def _reject_unread(self, source: Source, result: FormResult, detail: str, *, archive: bool) -> FormResult:
        """Reject a file that was not read (not a regular file, too large, unreadable) and move it out of the inbox.

        A symlink in the inbox is removed (its target is never touched); another non-regular file or an unread
        regular one is moved, as it is, to forms/rejected/. Files from elsewhere are left where they are.
        """
        result.findings.append(Finding("unreadable", params={"detail": detail}))
        moved = self.inbox.refuse(source)
        if archive and moved is not None:
            result.archived_as = moved
        with self.ledger.transaction():
            self._record(source, result)
        return result

    def _reject_unexpected(self, source: Source, result: FormResult, exc: BaseException) -> FormResult:
        """Something failed unexpectedly on this file: reject it, move it to forms/rejected/, log where it failed.

        The log names the exception type and the code lines, never the exception's text (it may quote values
        from the file).
        """
        where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                           for f in reversed(traceback.extract_tb(exc.__traceback__)[-6:]))
        self.ws.log.error("ingest: %s while handling a file (sha256 %s); it was rejected. At %s",
                          type(exc).__name__, source.sha256[:12] or "not read", where)
        moved = " and moved to forms/rejected/" if source.moves else ""
        detail = (f"Handling this file failed unexpectedly ({type(exc).__name__}); it was rejected{moved} and the "
                  "run went on. Details (without personal data) are in .kokemus/kokemus.log.")
        try:
            if source.data is None:
                if not source.moves or not os.path.lexists(source.path):
                    result.findings.append(Finding("unreadable", params={"detail": detail}))
                    return result
                return self._reject_unread(source, result, detail, archive=True)
            result.findings.append(Finding("unreadable", params={"detail": detail}))
            archived = self._archive(source, self.rejected_dir)
            result.archived_as = archived
            with self.ledger.transaction():
                self._record(source, result)
            if archived != source.path:
                self._committed_then_removed(source)
        except (LedgerError, WorkspaceBusy, sqlite3.Error):
            raise
        except Exception as again:  # the file stays where it is; the next run tries it again
            self.ws.log.error("ingest: the rejected file could not be moved to forms/rejected/ (%s)",
                              type(again).__name__)
            result.archived_as = None
        return result

    def _archive_dir(self, result: FormResult) -> Path:
        if result.status == "rejected":
            return self.rejected_dir
        return self.processed_dir / safe_filename(result.month) if result.month else self.processed_dir

    def _expected_payment(self, result: FormResult) -> str:
        """For an accepted form of an expert who declared a limit: the fees their payment date is expected to
        pay them (this form, their other forms and adjustments of that payroll month) beside the limit."""
        expert = self.register.experts.get(result.expert_id)
        if (result.status not in ("accepted", "replaced") or result.pay_month is None or expert is None
                or expert.earnings_limit_eur is None):
            return ""
        fee = self.ledger.expert_fees_for_pay_month(expert.expert_id, result.pay_month)
        return expected_text(expert, payment_date(result.pay_month), fee)

    def _write_feedback(self, result: FormResult, expected: str = "") -> Path:
        """outputs/feedback/<form id>_<received on>.txt; a second one that day gets -2, -3, ... (never overwritten)."""
        name = f"{safe_filename(result.form_id)}_{self.received_on.isoformat()}.txt"
        text = result.letter = feedback_text(self.register, result, self.received_on, self.ws.coordinator_contact(),
                                             expected)
        return write_new_durably(self.ws.output(FEEDBACK_DIR), free_names(name), text.encode("utf-8"))


def _not_read_text(refused: NotRead) -> str:
    """Why a file was not read, and what to do, for the expert's feedback and the coordinator."""
    if refused.mode is not None:
        return (f"This is {node_kind(refused.mode)}, not a regular file, so it was not read. Save the returned form "
                "itself in the inbox as an ordinary file (not a link, a pipe or a device).")
    if refused.size is not None:
        return (f"The file is too large to be an hour form ({refused.size / 1024 / 1024:.1f} MB; at most "
                f"{MAX_FILE_BYTES // 1024 // 1024} MB), so it was not read. Ask the expert to send the filled form "
                "itself as a PDF.")
    return f"The file cannot be read ({refused.strerror}). Check its permissions and send it again."


# --- reporting -------------------------------------------------------------------------------------
def _report(session: _Session, result: FormResult, outcome: Outcome) -> None:
    rel = session.rel(result.path)
    outcome.errors += [f.problem(path=rel) for f in result.errors]
    outcome.warnings += [f.problem(path=rel) for f in result.warnings]
    if result.feedback is not None:
        outcome.written.append(result.feedback)
    label = result.form_id or "?"
    if result.correction is not None:
        text = (f"{rel}: corrected version of {label}, settled as adjustments with the payroll of "
                f"{result.correction.pay_month} ({result.correction.paid_month} is closed)")
    elif result.status in ("accepted", "replaced"):
        fees = sum((ln.fee_eur for ln in result.lines), start=Decimal("0.00"))
        travel = sum((ln.travel_eur for ln in result.lines), start=Decimal("0.00"))
        text = (f"{rel}: {result.status} {label}, {len(result.lines)} row{'' if len(result.lines) == 1 else 's'}, fees "
                f"{money(fees)}, travel {money(travel)}, "
                f"paid with {result.pay_month}" + (" (late)" if result.late else ""))
    elif result.status == "duplicate":
        text = f"{rel}: duplicate of {result.duplicate_of} ({label}); nothing changed"
    elif result.status == "foreign":
        text = f"{rel}: another expert's form, not taken"
    else:
        text = f"{rel}: rejected {label}, {len(result.errors)} error(s)"
        if result.feedback is not None:
            text += f"; feedback for the expert in {session.rel(result.feedback)}"
    outcome.summary.append(text)
