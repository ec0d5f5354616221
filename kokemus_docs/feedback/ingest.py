"""Taking in returned feedback: questionnaire PDFs and survey-tool exports (CSV, XLSX), from feedback/inbox/
by default. Each file makes the inbox journey of core/inbox.py (claimed, read once as a regular file within the
size limit, a link refused and removed, finished by the next run if a run is killed); it is checked and stored
in one ledger transaction; the same bytes twice are a `duplicate`; one bad file or row never stops the others.
Files taken from the inbox (or from feedback/rejected/) are then moved, durably, to feedback/processed/ or
feedback/rejected/ (never overwriting anything there); files given from elsewhere stay where they are.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kokemus_docs.core.errors import Problem
from kokemus_docs.core.fileio import DISK_ERRNOS, make_folder, text_path
from kokemus_docs.core.inbox import Inbox, NotRead, Source, node_kind
from kokemus_docs.core.ledger import Ledger, open_ledger
from kokemus_docs.core.model import Register
from kokemus_docs.core.report import Outcome, Progress, no_progress
from kokemus_docs.core.workspace import Workspace, workspace_lock
from kokemus_docs.feedback.answers import Answer, check_answer
from kokemus_docs.feedback.ledger import (
    accepted_file_respondent,
    latest_feedback_file,
    questionnaire_by_code,
    record_feedback_file,
    store_answers,
    stored_answer_keys,
)
from kokemus_docs.feedback.questions import (
    RESPONDENT_ALIASES,
    RESPONDENTS,
    identity_of,
    phone_code,
    questionnaire_seal_matches,
    reference_of,
)
from kokemus_docs.feedback.read import FeedbackUnreadable, ReturnedQuestionnaire, read_export, read_questionnaire
from kokemus_docs.pdfsafe.limits import MAX_FILE_BYTES, ReaderUnavailable

SUFFIXES = (".pdf", ".csv", ".xlsx")


@dataclass
class Entry:
    """What happened to one returned questionnaire, or to one data row of an export."""

    path: str
    status: str = "rejected"
    respondent: str | None = None
    unit_id: str | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    row: int | None = None
    archived_as: str | None = None

    def as_json(self) -> dict:
        result: dict[str, object] = {
            "path": self.path, "status": self.status, "respondent": self.respondent, "unit_id": self.unit_id,
            "errors": [p.as_dict() for p in self.errors]}
        if self.warnings:
            result["warnings"] = [p.as_dict() for p in self.warnings]
        if self.row is not None:
            result["row"] = self.row
        if self.archived_as:
            result["archived_as"] = self.archived_as
        return result


def ingest_feedback(ws: Workspace, register: Register, paths: Sequence[Path] = (), *,
                    received_on: date | None = None, progress: Progress | None = None) -> Outcome:
    """Read returned questionnaires and survey-tool exports (files or folders; default feedback/inbox/) into
    the ledger. JSON: "responses": one entry per questionnaire and per export data row. Takes the workspace
    lock for the whole run; each file makes the inbox journey of core/inbox.py."""
    received_on = received_on or date.today()
    progress = progress or no_progress
    outcome = Outcome()
    entries: list[Entry] = []
    with workspace_lock(ws, "feedback ingest"), open_ledger(ws.ledger_path) as ledger:
        make_folder(ws.feedback_inbox)
        session = _Session(ws, register, received_on, ledger)
        session.inbox.remove_stray_temps()
        sources, missing = session.inbox.collect(paths)
        for path in missing:
            outcome.errors.append(Problem("No such file or folder.", path=str(path), code="not-found"))
        if not sources and not missing:
            outcome.summary.append(f"No feedback files (*.pdf, *.csv, *.xlsx) in "
                                   f"{', '.join(str(p) for p in paths) or ws.rel(ws.feedback_inbox)}.")
        for done, source in enumerate(sources, start=1):
            try:
                found = session.ingest(source)
            except OSError as exc:  # the disk, not the file: say so and go on with the next file
                if exc.errno in DISK_ERRNOS:
                    raise  # full or read-only: every other file would fail the same way, and waits in the inbox
                rel = session.rel(source.shown)
                found = [Entry(rel, errors=[Problem(f"The file could not be handled ({exc.strerror}).", path=rel,
                                                    code="io-error")])]
            if found:
                entries += found
                outcome.summary.append(_file_summary(found))
            progress(done, len(sources), source.name)
        session.inbox.remove_empty_claim_dir()
    for entry in entries:
        outcome.errors += entry.errors
        outcome.warnings += entry.warnings
    outcome.extra["responses"] = [e.as_json() for e in entries]
    counts = {s: sum(e.status == s for e in entries) for s in ("accepted", "duplicate", "rejected")}
    if entries:
        outcome.summary.append("Feedback: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n) + ".")
    return outcome


def _file_summary(entries: list[Entry]) -> str:
    """One line per file for the terminal (no answer text: comments may hold personal details)."""
    first = entries[0]
    if first.row is None:
        who = " ".join(v for v in (first.respondent, first.unit_id) if v)
        return f"{first.path}: {first.status}" + (f" ({who})" if who else "")
    accepted = sum(e.status == "accepted" for e in entries)
    rejected = [e.row for e in entries if e.status == "rejected"]
    line = f"{first.path}: {accepted} row{'' if accepted == 1 else 's'} accepted"
    if rejected:
        shown = ", ".join(str(r) for r in rejected[:20]) + (" …" if len(rejected) > 20 else "")
        line += (f", {len(rejected)} rejected (row{'' if len(rejected) == 1 else 's'} {shown}); put the corrected rows "
                 f"alone in a new file, the "
                 "accepted ones are already counted")
    return line


class _Session:
    def __init__(self, ws: Workspace, register: Register, received_on: date, ledger: Ledger):
        self.ws = ws
        self.register = register
        self.received_on = received_on
        self.ledger = ledger
        self.key = ws.seal_key()
        self.root = ws.root.resolve()
        folder = ws.feedback_inbox.parent
        self.processed, self.rejected = folder / "processed", folder / "rejected"
        self.inbox = Inbox(ws.feedback_inbox, self.rejected, suffixes=SUFFIXES, limit=MAX_FILE_BYTES)
        self.mapping = {str(k): str(v) for k, v in (ws.config.get("feedback", {}).get("columns", {}) or {}).items()}

    def rel(self, path: Path) -> str:
        """The path as reported and recorded: workspace-relative, its name as text (see fileio.text_name)."""
        path = Path(os.path.abspath(path))
        return text_path(path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path))

    def ingest(self, source: Source) -> list[Entry]:
        """What became of one file (no entries when it only finished what an interrupted run had done)."""
        rel = self.rel(source.shown)
        self.inbox.claim(source)
        try:
            data = self.inbox.read(source)
        except FileNotFoundError:
            return [Entry(rel, errors=[Problem("No such file or folder.", path=rel, code="not-found")])]
        except NotRead as refused:
            return self._refuse(source, rel, refused)
        if self._finish_interrupted(source):
            return []
        duplicate = _duplicate_of(self.ledger, rel, source.sha256)
        if duplicate is not None:
            self._file_done(source, [duplicate], [])
            return [duplicate]
        answers: list[tuple[Answer, int | None]] = []
        keys: list[str | None] = []
        try:
            entries = self._read(self.ledger, source.path, rel, data, answers, keys)
        except FeedbackUnreadable as exc:
            entries = [Entry(rel, errors=[Problem(exc.message, path=rel, code=exc.code)])]
        except ReaderUnavailable:
            raise  # not this file's fault: the run stops and the file waits for the next one
        except Exception as exc:  # a file that trips a parser must not stop the others
            entries = [Entry(rel, errors=[Problem(f"The file cannot be read ({type(exc).__name__}).", path=rel,
                                                  code="unreadable")])]
            answers, keys = [], []
        self._file_done(source, entries, answers, keys)
        return entries

    def _refuse(self, source: Source, rel: str, refused: NotRead) -> list[Entry]:
        """A file that was not read: a link in the inbox is removed, anything else unread goes to rejected/."""
        if refused.mode is not None:
            self.inbox.refuse(source)
            return [Entry(rel, errors=[Problem(f"This is {node_kind(refused.mode)}, not a regular file; it was not "
                                               "read. Copy the file itself here.", path=rel, code="not-regular")])]
        if refused.size is not None:
            problem = Problem(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; it is not a "
                              "questionnaire or an export of answers.", path=rel, code="too-large")
        else:
            problem = Problem(f"The file cannot be read ({refused.strerror}). Check its permissions and put it "
                              "here again.", path=rel, code="io-error")
        entries = [Entry(rel, errors=[problem])]
        with self.ledger.transaction():
            self._record(source, "rejected", entries, 0)
        moved = self.inbox.refuse(source)
        if moved is not None:
            entries[0].archived_as = self.rel(moved)
        return entries

    def _finish_interrupted(self, source: Source) -> bool:
        """True when an interrupted run committed this left-over file: it only still had to be archived."""
        if not source.left_over:
            return False
        row = latest_feedback_file(self.ledger, source.sha256, source.name)
        if row is None or not self.inbox.committed_before_claim(source, row["ingested_at"]):
            return False
        self.inbox.archive_moving(source, self._archive_dir(row["status"]))
        self.ws.log.info("feedback ingest: finished an interrupted run's file (sha256 %s)", source.sha256[:12])
        return True

    def _archive_dir(self, status: str) -> Path:
        return self.rejected if status == "rejected" else self.processed

    def _read(self, ledger: Ledger, path: Path, rel: str, data: bytes, answers: list, keys: list) -> list[Entry]:
        if data.lstrip()[:5].startswith(b"%PDF-"):
            return [self._questionnaire(ledger, rel, data, answers)]
        kind = "xlsx" if data[:4] == b"PK\x03\x04" else "csv" if path.suffix.lower() == ".csv" else ""
        if not kind:
            raise FeedbackUnreadable("The file is neither a questionnaire PDF nor a CSV or XLSX export.",
                                     code="unknown-kind")
        entries = []
        rows = read_export(data, kind, self.mapping)
        earlier = stored_answer_keys(ledger, [r.key for r in rows])
        for export_row in rows:
            answer, problems = check_answer(export_row.values, self.register, self.received_on, channel=kind,
                                            row=export_row.row, path=rel)
            entry = Entry(rel, row=export_row.row, errors=[] if answer else problems, warnings=[
                *(problems if answer else []),
                *(Problem(f"Row {export_row.row}, column {name}: some bytes of this cell are not UTF-8 text and "
                          "were lost (shown as �); the rest of the file was read as it is. Check the cell in the "
                          "survey tool.", path=rel, row=export_row.row, field=name, code="not-utf8")
                  for name in export_row.broken_fields)])
            respondent = str(export_row.values.get("respondent") or "").strip().casefold()
            entry.unit_id = answer.unit_id if answer else (str(export_row.values.get("unit_id") or "").strip() or None)
            entry.respondent = answer.respondent if answer else RESPONDENT_ALIASES.get(respondent)
            if answer is not None and earlier.get(export_row.key, 0) > 0:
                # Counted from an earlier export (a tool exporting all answers to date): counted once.
                earlier[export_row.key] -= 1
                entry.status = "duplicate"
            elif answer is not None:
                entry.status = "accepted"
                answers.append((answer, export_row.row))
                keys.append(export_row.key)
                if export_row.values.get("response_id") not in (None, ""):
                    earlier[export_row.key] = len(rows)  # an id repeated further down is the same answer
            entries.append(entry)
        if not entries:
            raise FeedbackUnreadable("The export has a header row but no answers.", code="empty")
        return entries

    def _questionnaire(self, ledger: Ledger, rel: str, data: bytes, answers: list) -> Entry:
        returned = read_questionnaire(data)
        if returned.reference:
            return self._by_reference(ledger, rel, returned, answers)
        identity = {k: v.strip() for k, v in returned.identity.items()}
        entry = Entry(rel, respondent=identity.get("respondent") if identity.get("respondent") in RESPONDENTS else None,
                      unit_id=identity.get("unit_id") or None)
        if not questionnaire_seal_matches(self.key, identity, returned.seal):
            entry.errors.append(Problem(
                "The questionnaire's seal does not match its details: it was issued by another workspace or its "
                "locked details were edited. Use a questionnaire issued from this workspace.", path=rel,
                field="seal", code="seal-mismatch"))
            return entry
        return self._answer(entry, identity, returned, answers)

    def _by_reference(self, ledger: Ledger, rel: str, returned: ReturnedQuestionnaire, answers: list) -> Entry:
        """A flattened copy: its identity is that of the questionnaire issued with its printed reference."""
        issued = questionnaire_by_code(ledger, returned.reference)
        identity = identity_of(issued.unit_id, issued.respondent, issued.language) if issued else {}
        if not identity or phone_code(self.key, identity) != returned.reference:
            return Entry(rel, errors=[Problem(
                f"The reference {reference_of(returned.reference)} at the foot of the questionnaire is not one this "
                "workspace issued: it was issued by another workspace or changed. Use a questionnaire issued from "
                "this workspace.", path=rel, field="reference", code="reference-unknown")])
        return self._answer(Entry(rel, respondent=identity["respondent"], unit_id=identity["unit_id"]), identity,
                            returned, answers)

    def _answer(self, entry: Entry, identity: dict[str, str], returned: ReturnedQuestionnaire,
                answers: list) -> Entry:
        values = {**returned.values, "respondent": identity["respondent"], "unit_id": identity["unit_id"]}
        answer, problems = check_answer(values, self.register, self.received_on, channel="pdf",
                                        language=identity["language"], form_id=identity["form_id"],
                                        path=entry.path)
        if answer is None:
            entry.errors = problems
        else:
            entry.warnings = problems
            entry.status = "accepted"
            answers.append((answer, None))
        return entry

    def _file_done(self, source: Source, entries: list[Entry], answers: list[tuple[Answer, int | None]],
                   keys: list[str | None] | None = None) -> None:
        """Record the file and its answers in one transaction; then a file that leaves where it is (from the inbox
        or rejected/) is moved, durably, to processed/ or rejected/."""
        with self.ledger.transaction():
            # Checked again under the write lock: the same file ingested at the same time elsewhere counts once.
            duplicate = _duplicate_of(self.ledger, self.rel(source.shown), source.sha256) if answers else None
            if duplicate is not None:
                entries[:] = [duplicate]
                answers, keys = [], []
            status = ("duplicate" if entries and (entries[0].status == "duplicate" and entries[0].row is None
                                                  or not answers and all(e.status == "duplicate" for e in entries))
                      else "accepted" if answers else "rejected")
            file_id = self._record(source, status, entries, len(answers))
            store_answers(self.ledger, answers, file_id, keys)
        archived = self.inbox.archive_moving(source, self._archive_dir(status))
        if archived is not None:
            for entry in entries:
                entry.archived_as = self.rel(archived)

    def _record(self, source: Source, status: str, entries: list[Entry], answers: int) -> int:
        return record_feedback_file(self.ledger, sha256=source.sha256, file_name=source.name,
                                    received_on=self.received_on, status=status, answers=answers,
                                    problems=[p.as_dict() for e in entries for p in e.errors])


def _duplicate_of(ledger: Ledger, rel: str, sha256: str) -> Entry | None:
    """The `duplicate` entry for a file whose bytes were accepted before; None if they were not."""
    earlier = accepted_file_respondent(ledger, sha256)
    if earlier is None:
        return None
    return Entry(rel, status="duplicate", respondent=earlier[0], unit_id=earlier[1])
