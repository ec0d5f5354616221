"""Taking in returned feedback: questionnaire PDFs and survey-tool exports (CSV, XLSX), from feedback/inbox/
by default. Each file is checked and stored in one ledger transaction; the same bytes twice are a
`duplicate`; one bad file or row never stops the others. Files taken from the inbox are moved to
feedback/processed/ or feedback/rejected/ (never overwriting anything there); files given from elsewhere stay
where they are.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from kokemus_docs.core.errors import Problem
from kokemus_docs.core.fileio import (
    DISK_ERRNOS,
    FileTooLarge,
    NotRegularFile,
    fsync_dir,
    make_folder,
    make_private,
    read_regular,
    text_name,
    text_path,
)
from kokemus_docs.core.ledger import Ledger, open_ledger
from kokemus_docs.core.model import Register
from kokemus_docs.core.report import Outcome, Progress, no_progress
from kokemus_docs.core.workspace import Workspace, workspace_lock
from kokemus_docs.feedback.answers import (
    Answer,
    check_answer,
    questionnaire_by_code,
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
    warnings: list[Problem] = field(default_factory=list)

    def as_json(self) -> dict:
        result = {"path": self.path, "status": self.status, "respondent": self.respondent, "unit_id": self.unit_id,
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
    the ledger. JSON: "responses": one entry per questionnaire and per export data row."""
    received_on = received_on or date.today()
    progress = progress or no_progress
    outcome = Outcome()
    inbox = ws.feedback_inbox
    make_folder(inbox)
    files, missing = _collect(paths or [inbox])
    for path in missing:
        outcome.errors.append(Problem("No such file or folder.", path=str(path), code="not-found"))
    if not files and not missing:
        outcome.summary.append(f"No feedback files (*.pdf, *.csv, *.xlsx) in "
                               f"{', '.join(str(p) for p in paths) or ws.rel(inbox)}.")
    session = _Session(ws, register, received_on)
    entries: list[Entry] = []
    with workspace_lock(ws, "feedback ingest"), open_ledger(ws.ledger_path) as ledger:
        for done, path in enumerate(files, start=1):
            try:
                found = session.ingest(ledger, path)
            except OSError as exc:  # the disk, not the file: say so and go on with the next file
                if exc.errno in DISK_ERRNOS:
                    raise  # full or read-only: every other file would fail the same way, and waits in the inbox
                found = [Entry(session.rel(path), errors=[Problem(f"The file could not be handled ({exc.strerror}).",
                                                                  path=session.rel(path), code="io-error")])]
            entries += found
            outcome.summary.append(_file_summary(found))
            progress(done, len(files), text_name(path.name))
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


def _collect(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """Files to read, each once, in order (folders: their *.pdf, *.csv and *.xlsx by name); missing paths."""
    files: list[Path] = []
    missing: list[Path] = []
    seen: set[Path] = set()
    for given in (Path(p) for p in paths):
        if given.is_dir() and not given.is_symlink():
            found = sorted((p for p in given.iterdir() if p.suffix.lower() in SUFFIXES and not p.name.startswith(".")),
                           key=lambda p: p.name)
        elif given.exists() or given.is_symlink():
            found = [given]
        else:
            missing.append(given)
            continue
        for path in found:
            key = path.absolute()
            if key not in seen:
                seen.add(key)
                files.append(key)
    return files, missing


class _Session:
    def __init__(self, ws: Workspace, register: Register, received_on: date):
        self.ws = ws
        self.register = register
        self.received_on = received_on
        self.key = ws.seal_key()
        self.root = ws.root.resolve()
        self.inbox = ws.feedback_inbox.resolve()
        self.mapping = {str(k): str(v) for k, v in (ws.config.get("feedback", {}).get("columns", {}) or {}).items()}

    def rel(self, path: Path) -> str:
        """The path as reported and recorded: workspace-relative, its name as text (see fileio.text_name)."""
        path = Path(os.path.abspath(path))
        return text_path(path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path))

    def ingest(self, ledger: Ledger, path: Path) -> list[Entry]:
        rel = self.rel(path)
        try:
            data = read_regular(path, MAX_FILE_BYTES)
        except NotRegularFile:
            if path.parent.resolve() == self.inbox and path.is_symlink():
                path.unlink()  # the link alone (its target is never touched), so it is not refused again every run
                fsync_dir(path.parent)
            return [Entry(rel, errors=[Problem("Not a regular file (a link or a device); it was not read. Copy the "
                                               "file itself here.", path=rel, code="not-regular")])]
        except FileTooLarge:
            entries = [Entry(rel, errors=[Problem(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; "
                                                  "it is not a questionnaire or an export of answers.", path=rel,
                                                  code="too-large")])]
            self._file_done(ledger, path, "", entries)
            return entries
        sha256 = hashlib.sha256(data).hexdigest()
        duplicate = _duplicate_of(ledger, rel, sha256)
        if duplicate is not None:
            self._file_done(ledger, path, sha256, [duplicate], [])
            return [duplicate]
        answers: list[tuple[Answer, int | None]] = []
        keys: list[str | None] = []
        try:
            entries = self._read(ledger, path, rel, data, answers, keys)
        except FeedbackUnreadable as exc:
            entries = [Entry(rel, errors=[Problem(exc.message, path=rel, code=exc.code)])]
        except ReaderUnavailable:
            raise  # not this file's fault: the run stops and the file waits for the next one
        except Exception as exc:  # a file that trips a parser must not stop the others
            entries = [Entry(rel, errors=[Problem(f"The file cannot be read ({type(exc).__name__}).", path=rel,
                                                  code="unreadable")])]
            answers, keys = [], []
        self._file_done(ledger, path, sha256, entries, answers, keys)
        return entries

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

    def _file_done(self, ledger: Ledger, path: Path, sha256: str, entries: list[Entry],
                   answers: list[tuple[Answer, int | None]] | None = None, keys: list | None = None) -> None:
        """Record the file and its answers in one transaction, then move an inbox file to its archive folder."""
        answers = answers or []
        with ledger.transaction():
            # Checked again under the write lock: the same file ingested at the same time elsewhere counts once.
            duplicate = _duplicate_of(ledger, self.rel(path), sha256) if answers else None
            if duplicate is not None:
                entries[:] = [duplicate]
                answers, keys = [], []
            status = ("duplicate" if entries and (entries[0].status == "duplicate" and entries[0].row is None
                                                  or not answers and all(e.status == "duplicate" for e in entries))
                      else "accepted" if answers else "rejected")
            problems = [p.as_dict() for e in entries for p in e.errors]
            cursor = ledger.db.execute(
                "INSERT INTO feedback_files (sha256, file_name, received_on, ingested_at, status, answers,"
                " problems_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sha256, text_name(path.name), self.received_on.isoformat(),
                 datetime.now().isoformat(timespec="seconds"),
                 status, len(answers), json.dumps(problems, ensure_ascii=False)))
            store_answers(ledger, answers, int(cursor.lastrowid), keys)
        if path.parent.resolve() == self.inbox:
            archived = self.rel(_move(path, self.inbox.parent / ("rejected" if status == "rejected" else "processed")))
            for entry in entries:
                entry.archived_as = archived


def _duplicate_of(ledger: Ledger, rel: str, sha256: str) -> Entry | None:
    """The `duplicate` entry for a file whose bytes were accepted before; None if they were not."""
    earlier = ledger.db.execute("SELECT id FROM feedback_files WHERE sha256 = ? AND status = 'accepted'"
                                " ORDER BY id LIMIT 1", (sha256,)).fetchone()
    if earlier is None:
        return None
    first = ledger.db.execute("SELECT respondent, unit_id FROM feedback_answers WHERE file_id = ? ORDER BY id"
                              " LIMIT 1", (earlier["id"],)).fetchone()
    return Entry(rel, status="duplicate", respondent=first["respondent"] if first else None,
                 unit_id=first["unit_id"] if first else None)


def _move(path: Path, folder: Path) -> Path:
    """Move `path` into `folder` under a name not yet taken there (name.pdf, name-2.pdf, ...)."""
    make_folder(folder)
    make_private(path)  # client comments: the owner's only, however the file came into the inbox
    name = Path(text_name(path.name))
    stem, suffix = name.stem, name.suffix
    for number in range(1, 10_000):
        target = folder / (name.name if number == 1 else f"{stem}-{number}{suffix}")
        try:
            os.link(path, target)
        except FileExistsError:
            continue
        except OSError:
            if target.exists():
                continue
            os.replace(path, target)
            fsync_dir(folder)
            return target
        fsync_dir(folder)  # the archive copy is durable before the inbox name goes
        path.unlink()
        fsync_dir(path.parent)
        return target
    return path
