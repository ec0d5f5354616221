"""Taking in returned hour forms: read, check the seal, apply the fee rules, record in the ledger, archive.

Each file is handled in one ledger transaction, so the ledger holds either all of a submission or none of it.
The original file is never lost: files from the inbox (or re-read from forms/rejected/) are moved to
forms/processed/<month>/ or forms/rejected/, files from elsewhere are copied there and left in place, and an
existing archive file is never overwritten (a clashing name gets a -2, -3, ... suffix).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from pathlib import Path

from kokemus_docs.fileio import atomic_path, safe_filename
from kokemus_docs.formatting import ParseError, fi_date, fi_month, money, parse_time
from kokemus_docs.formfields import SEAL_FIELD, ReturnedForm, seal_matches
from kokemus_docs.formread import FormUnreadable, read_form
from kokemus_docs.ledger import FormRecord, Ledger, LedgerLine
from kokemus_docs.messages import Finding, month_genitive_text, month_text
from kokemus_docs.model import Register, next_month
from kokemus_docs.paydates import notice_deadline
from kokemus_docs.report import Outcome, Progress, no_progress
from kokemus_docs.rules import FormCheck, line_json, validate_form
from kokemus_docs.workspace import Workspace

FEEDBACK_DIR = "feedback"


@dataclass
class FormResult:
    """What happened to one file."""

    path: Path
    status: str = "rejected"
    form_id: str = ""
    contract_id: str = ""
    expert_id: str = ""
    unit_id: str = ""
    month: str = ""
    pay_month: str = ""
    late: bool = False
    findings: list[Finding] = field(default_factory=list)
    lines: list[LedgerLine] = field(default_factory=list)
    archived_as: Path | None = None
    feedback: Path | None = None
    duplicate_of: str = ""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]


def ingest_forms(ws: Workspace, register: Register, paths: Sequence[Path] = (), *,
                 received_on: date | None = None, progress: Progress | None = None) -> Outcome:
    """Ingest returned hour forms: files or folders (only *.pdf in folders, sorted); default forms/inbox/.

    Each file ends up 'accepted', 'replaced' (a corrected version of a form already in the ledger), 'duplicate'
    (these exact bytes were accepted before) or 'rejected' (with a feedback file for the expert in
    outputs/feedback/). `received_on` (default today) decides whether a form is late and so which payroll pays it.
    """
    received_on = received_on or date.today()
    progress = progress or no_progress
    outcome = Outcome()
    files, missing = _collect(ws, paths)
    for path in missing:
        outcome.errors.append(Finding("not-found").problem(path=str(path)))
    if not files and not missing:
        where = ", ".join(str(p) for p in paths) or ws.rel(ws.inbox_dir)
        outcome.summary.append(f"No hour forms (*.pdf) to ingest in {where}.")
    session = _Session(ws, register, received_on)
    results: list[FormResult] = []
    with Ledger(ws.ledger_path) as ledger:
        # One transaction per file. In WAL mode with synchronous=NORMAL a commit does not wait for the disk;
        # the checkpoint in `finish` makes the run durable before any inbox original is removed, so a power
        # cut can at worst leave a file in the inbox to be read again, never a file the ledger does not know.
        ledger.db.execute("PRAGMA journal_mode = WAL")
        ledger.db.execute("PRAGMA synchronous = NORMAL")
        session.ledger = ledger
        try:
            for done, path in enumerate(files, start=1):
                result = session.ingest(path)
                results.append(result)
                _report(session, result, outcome)
                progress(done, len(files), path.name)
        finally:
            session.finish()
    outcome.extra["forms"] = [_form_json(session, r) for r in results]
    if results:
        counts = {s: sum(r.status == s for r in results) for s in ("accepted", "replaced", "duplicate", "rejected")}
        outcome.summary.append("Hour forms: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n) + ".")
    return outcome


def _collect(ws: Workspace, paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """The files to read (resolved), in order, each once; and the given paths that do not exist."""
    files: list[Path] = []
    missing: list[Path] = []
    seen: set[Path] = set()
    for given in [Path(p) for p in paths] or [ws.inbox_dir]:
        if given.is_dir():
            found = sorted((p for p in given.resolve().iterdir() if p.is_file() and p.suffix.lower() == ".pdf"),
                           key=lambda p: p.name)
        elif given.is_file():
            found = [given.resolve()]
        else:
            missing.append(given)
            continue
        for path in found:
            if path not in seen:
                seen.add(path)
                files.append(path)
    return files, missing


class _Session:
    """One ingest run: the workspace, the register, one ledger connection, the sealing key, the settings."""

    ledger: Ledger

    def __init__(self, ws: Workspace, register: Register, received_on: date):
        self.ws = ws
        self.register = register
        self.received_on = received_on
        self.key = ws.seal_key()
        self.root = ws.root.resolve()
        self.processed_dir = ws.processed_dir.resolve()
        self.rejected_dir = ws.rejected_dir.resolve()
        self.managed_dirs = (ws.inbox_dir.resolve(), self.rejected_dir, self.processed_dir)
        self.to_remove: list[Path] = []  # originals moved to the archive, removed once the ledger is durable
        try:
            self.cutoff = parse_time(str(ws.config["deadlines"].get("cancellation_cutoff", "15:00")))
        except ParseError:
            self.cutoff = time(15, 0)
        self.max_travel = ws.max_travel_eur

    def rel(self, path: Path) -> str:
        """Workspace-relative path of an already resolved path (absolute if outside the workspace)."""
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)

    def finish(self) -> None:
        """Make the ledger durable, then remove the originals that were moved into the archive."""
        self.ledger.db.execute("PRAGMA wal_checkpoint(FULL)")
        for original in self.to_remove:
            original.unlink(missing_ok=True)
        self.to_remove.clear()

    def ingest(self, path: Path) -> FormResult:
        """Decide, archive and record one file inside one ledger transaction.

        The transaction starts with BEGIN IMMEDIATE, so no other run can close a month between the checks in
        `_accept` and `store_form`. A file moved out of the inbox is removed only at the end of the run; on any
        failure the archive copy and the feedback file are removed again and the original stays where it was.
        """
        result = FormResult(path=path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            result.findings.append(Finding("unreadable", params={
                "detail": f"The file cannot be read ({exc.strerror}). Check its permissions."}))
            return result
        sha256 = hashlib.sha256(data).hexdigest()
        archived: Path | None = None
        remove_after_commit: Path | None = None
        try:
            with self.ledger.transaction():
                record = self._decide(path, data, sha256, result)
                archived, remove_after_commit = _archive(path, data, self._archive_dir(result), self.managed_dirs)
                result.archived_as = archived
                problems = [{"severity": f.severity, **f.problem().as_dict()} for f in result.findings]
                submission_id = self.ledger.record_submission(
                    sha256=sha256, file_name=path.name, received_on=self.received_on, status=result.status,
                    form_id=result.form_id or None, problems=problems, archived_as=self.rel(archived))
                if record is not None:
                    result.status = self.ledger.store_form(record, result.lines, submission_id)
                if result.status == "rejected" and result.form_id:
                    result.feedback = self._write_feedback(result)
        except BaseException:
            if archived is not None and archived != path:
                archived.unlink(missing_ok=True)
            if result.feedback is not None:
                result.feedback.unlink(missing_ok=True)
            raise
        if remove_after_commit is not None:
            self.to_remove.append(remove_after_commit)
        return result

    def _decide(self, path: Path, data: bytes, sha256: str, result: FormResult) -> FormRecord | None:
        """Fill `result` from the file; return the FormRecord to store when the form is accepted."""
        earlier = self.ledger.submission_by_sha(sha256)
        if earlier is not None:
            result.status, result.form_id, result.duplicate_of = "duplicate", earlier["form_id"] or "", \
                earlier["archived_as"] or earlier["file_name"]
            stored = self.ledger.form(result.form_id) if result.form_id else None
            if stored is not None:
                result.expert_id, result.unit_id, result.month = stored.expert_id, stored.unit_id, stored.month
                result.pay_month = stored.pay_month
            return None
        try:
            form = read_form(path, data)
        except FormUnreadable as exc:
            result.findings.append(Finding("unreadable", params={"detail": exc.message}))
            return None
        except Exception as exc:  # a PDF that trips the reader must not stop the batch
            result.findings.append(Finding("unreadable", params={
                "detail": f"The file cannot be read as an hour form ({type(exc).__name__}). "
                          "Ask the expert to send the filled form as a PDF again."}))
            return None
        identity = {k: (v or "").strip() for k, v in form.identity.items()}
        result.form_id, result.contract_id = identity.get("form_id", ""), identity.get("contract_id", "")
        result.expert_id = identity.get("expert_id", "")
        result.unit_id, result.month = identity.get("unit_id", ""), identity.get("month", "")
        if not seal_matches(self.key, identity, form.seal):
            result.findings.append(Finding("seal-mismatch", field=SEAL_FIELD))
            return None
        check = validate_form(form, self.register, cutoff=self.cutoff, max_travel=self.max_travel)
        result.findings.extend(check.findings)
        for line in check.lines:
            if line.work_date > self.received_on:
                result.findings.append(Finding("date-after-received", row=line.row, field=f"row{line.row:02d}_date",
                                               params={"date": line.work_date, "received_on": self.received_on}))
        if result.errors:
            return None
        return self._accept(form, check, result)

    def _accept(self, form: ReturnedForm, check: FormCheck, result: FormResult) -> FormRecord | None:
        month = check.month
        earlier = self.ledger.form(check.form_id)
        if earlier is not None and self.ledger.is_closed(earlier.pay_month):
            result.findings.append(Finding("month-closed", params={"form_id": check.form_id,
                                                                   "pay_month": earlier.pay_month}))
            return None
        deadline = notice_deadline(month, self.ws.notice_day)
        late = self.received_on > deadline
        pay_month = self.ledger.next_open_month(next_month(month) if late else month)
        if late:
            result.findings.append(Finding("late", params={
                "received_on": self.received_on, "deadline": deadline, "month": month, "pay_month": pay_month}))
        elif pay_month != month:
            late = True
            result.findings.append(Finding("pay-month-moved", params={
                "month": month, "pay_month": pay_month, "month_name": month_text(month),
                "month_name_gen": month_genitive_text(month)}))
        result.status = "replaced" if earlier is not None else "accepted"
        result.lines, result.pay_month, result.late = check.lines, pay_month, late
        warnings = [f.problem().as_dict() for f in result.warnings]
        return FormRecord(form_id=check.form_id, contract_id=check.contract.contract_id, expert_id=check.expert.expert_id,
                          unit_id=check.unit.unit_id, month=month, pay_month=pay_month, received_on=self.received_on,
                          late=late, signed_on=check.signed_on, warnings=warnings)

    def _archive_dir(self, result: FormResult) -> Path:
        if result.status == "rejected":
            return self.rejected_dir
        return self.processed_dir / safe_filename(result.month) if result.month else self.processed_dir

    def _write_feedback(self, result: FormResult) -> Path:
        target = self.ws.output(FEEDBACK_DIR, f"{safe_filename(result.form_id)}_{self.received_on.isoformat()}.txt")
        text = feedback_text(self.register, result, self.received_on, self.ws.config.get("organisation", {}))
        with atomic_path(target) as tmp:
            tmp.write_text(text, encoding="utf-8")
        return target


def _archive(path: Path, data: bytes, target_dir: Path, managed_dirs: tuple[Path, ...]) -> tuple[Path, Path | None]:
    """Put the received file into `target_dir`; return (archived path, original to remove after the commit).

    Files in the inbox or in the forms/ archives are moved (hard-linked now, the original removed after the
    commit); other files are copied and left in place. A file already in `target_dir` stays where it is.
    Nothing is ever overwritten: a name already taken gets a -2, -3, ... suffix.
    """
    source = path  # resolved, like target_dir and managed_dirs
    if source.parent == target_dir:
        return source, None
    target_dir.mkdir(parents=True, exist_ok=True)
    managed = any(source.is_relative_to(d) for d in managed_dirs)
    to_remove = source if managed else None
    if managed:
        for target in _free_names(target_dir, path.name):
            try:
                os.link(source, target)
                return target, to_remove
            except FileExistsError:
                continue
            except OSError:
                break  # this file system has no hard links: copy instead
    fd, tmp_name = tempfile.mkstemp(prefix=".incoming.", suffix=".pdf.tmp", dir=target_dir)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        for target in _free_names(target_dir, path.name):
            try:
                os.link(tmp, target)
            except FileExistsError:
                continue
            except OSError:
                if target.exists():
                    continue
                os.replace(tmp, target)
            return target, to_remove
        raise OSError(f"no free file name for {path.name} in {target_dir}")
    finally:
        tmp.unlink(missing_ok=True)


def _free_names(folder: Path, name: str):
    """name.pdf, name-2.pdf, name-3.pdf, ... in `folder` (the caller claims one with an exclusive link)."""
    stem, suffix = Path(name).stem, Path(name).suffix
    yield folder / name
    for number in range(2, 100_000):
        yield folder / f"{stem}-{number}{suffix}"


# --- the feedback file ----------------------------------------------------------------------------
FEEDBACK_TEXT = {
    "fi": {
        "title": "Palaute tuntilomakkeesta",
        "form": "Lomake", "unit": "Yksikkö", "received": "Saapunut",
        "hello": "Hei {name},",
        "rejected": "tuntilomakettasi ei voitu hyväksyä. Korjaa alla luetellut kohdat samaan lomakkeeseen ja "
                    "palauta se uudelleen. Älä muuta lomakkeen tunnistetietoja (lomake, sopimus, yksikkö, kuukausi).",
        "errors": "Korjattavat kohdat:",
        "warnings": "Huomioitavaa (nämä eivät yksinään estä hyväksymistä):",
        "questions": "Kysyttävää? Ota yhteyttä järjestötyön ja osallisuuden asiantuntijaan.",
    },
    "sv": {
        "title": "Återkoppling på timblanketten",
        "form": "Blankett", "unit": "Enhet", "received": "Mottagen",
        "hello": "Hej {name},",
        "rejected": "din timblankett kunde inte godkännas. Rätta punkterna nedan på samma blankett och skicka den "
                    "på nytt. Ändra inte blankettens identifieringsuppgifter (blankett, avtal, enhet, månad).",
        "errors": "Att rätta:",
        "warnings": "Att observera (hindrar inte i sig att blanketten godkänns):",
        "questions": "Frågor? Kontakta experten på organisationsarbete och delaktighet.",
    },
}


def feedback_text(register: Register, result: FormResult, received_on: date, organisation: dict | None = None) -> str:
    """The expert's feedback on a rejected form, in the expert's language (fi or sv).

    Names the form, the unit and each row and field to correct, with what to do; lists the warnings too.
    Holds no henkilötunnus, IBAN or address.
    """
    contract = register.contracts.get(result.contract_id)
    expert = register.experts.get(contract.expert_id if contract else result.expert_id)
    unit = register.units.get(contract.unit_id if contract else result.unit_id)
    language = expert.document_language if expert else "fi"
    words = FEEDBACK_TEXT[language]
    month = result.month
    try:
        month_label = f" ({fi_month(month, language)})" if month else ""
    except ValueError:
        month_label = ""
    lines = [words["title"], "",
             f"{words['form']}: {result.form_id}{month_label}"]
    if unit is not None:
        lines.append(f"{words['unit']}: {unit.name(language)}")
    lines += [f"{words['received']}: {fi_date(received_on)}", ""]
    if expert is not None:
        lines += [words["hello"].format(name=expert.first_name), "", words["rejected"]]
    else:
        lines.append(words["rejected"][0].upper() + words["rejected"][1:])
    lines += ["", words["errors"]]
    lines += [_feedback_item(f, language) for f in result.errors]
    if result.warnings:
        lines += ["", words["warnings"]]
        lines += [_feedback_item(f, language) for f in result.warnings]
    lines += ["", words["questions"]]
    organisation = organisation or {}
    contact = ", ".join(v for v in (organisation.get("coordinator_name", ""), organisation.get("coordinator_email", ""))
                        if v)
    if contact:
        lines.append(contact)
    return "\n".join(lines) + "\n"


def _feedback_item(finding: Finding, language: str) -> str:
    where = finding.where(language)
    return f"- {where}: {finding.text(language)}" if where else f"- {finding.text(language)}"


# --- reporting -------------------------------------------------------------------------------------
def _report(session: _Session, result: FormResult, outcome: Outcome) -> None:
    rel = session.rel(result.path)
    outcome.errors += [f.problem(path=rel) for f in result.errors]
    outcome.warnings += [f.problem(path=rel) for f in result.warnings]
    if result.feedback is not None:
        outcome.written.append(result.feedback)
    label = result.form_id or "?"
    if result.status in ("accepted", "replaced"):
        fees = sum((ln.fee_eur for ln in result.lines), start=Decimal("0.00"))
        travel = sum((ln.travel_eur for ln in result.lines), start=Decimal("0.00"))
        text = (f"{rel}: {result.status} {label}, {len(result.lines)} row{'' if len(result.lines) == 1 else 's'}, fees {money(fees)}, travel {money(travel)}, "
                f"paid with {result.pay_month}" + (" (late)" if result.late else ""))
    elif result.status == "duplicate":
        text = f"{rel}: duplicate of {result.duplicate_of} ({label}); nothing changed"
    else:
        text = f"{rel}: rejected {label}, {len(result.errors)} error(s)"
        if result.feedback is not None:
            text += f"; feedback for the expert in {session.rel(result.feedback)}"
    outcome.summary.append(text)


def _form_json(session: _Session, result: FormResult) -> dict:
    rel = session.rel(result.path)
    return {
        "path": rel, "form_id": result.form_id or None, "expert_id": result.expert_id or None,
        "unit_id": result.unit_id or None, "month": result.month or None, "status": result.status,
        "errors": [f.problem(path=rel).as_dict() for f in result.errors],
        "warnings": [f.problem(path=rel).as_dict() for f in result.warnings],
        "lines": [line_json(ln) for ln in result.lines],
        "pay_month": result.pay_month or None, "late": result.late,
        "archived_as": session.rel(result.archived_as) if result.archived_as else None,
        "feedback": session.rel(result.feedback) if result.feedback else None,
    }


