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

from kokemus_docs.corrections import Correction, compare
from kokemus_docs.fileio import atomic_path, safe_filename
from kokemus_docs.formatting import ParseError, fi_date, fi_month, money, parse_time
from kokemus_docs.formfields import SEAL_FIELD, ReturnedForm, seal_matches
from kokemus_docs.formread import FormUnreadable, read_form
from kokemus_docs.ledger import FormRecord, Ledger, LedgerLine
from kokemus_docs.messages import ROW_WORD, Finding, month_genitive_text, month_text
from kokemus_docs.model import Register, next_month
from kokemus_docs.paydates import notice_deadline, payment_date
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
    correction: Correction | None = None  # a correction received after the form's payroll month was closed

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
                if result.correction is not None:
                    self.ledger.store_adjustments(result.form_id, submission_id, result.pay_month, self.received_on,
                                                  result.correction.additional, result.correction.withdrawn)
                if result.form_id and needs_feedback(result):
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
            # The closed month stays as it was paid: the correction's differences become adjustments.
            paid = self.ledger.lines_of([check.form_id])[check.form_id]
            additional, withdrawn = compare(paid, self.ledger.adjustments_of(check.form_id, closed_only=True),
                                            check.lines)
            pay_month = self.ledger.next_open_month(next_month(earlier.pay_month))
            result.correction = Correction(paid_month=earlier.pay_month, pay_month=pay_month,
                                           additional=additional, withdrawn=withdrawn)
            result.status, result.lines, result.pay_month = "replaced", additional, pay_month
            result.findings.append(Finding("corrected-after-close", params={
                "form_id": check.form_id, "paid_month": earlier.pay_month, "pay_month": pay_month,
                "additional": _amount_rows(additional), "withdrawn": _amount_rows(withdrawn)}))
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
        """outputs/feedback/<form id>_<received on>.txt; a second one that day gets -2, -3, ... (never overwritten)."""
        name = f"{safe_filename(result.form_id)}_{self.received_on.isoformat()}.txt"
        target = next(p for p in _free_names(self.ws.output(FEEDBACK_DIR), name) if not p.exists())
        text = feedback_text(self.register, result, self.received_on, self.ws.coordinator_contact())
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
        "accepted": "tuntilomakkeesi on hyväksytty, eikä sitä tarvitse lähettää uudelleen. Palkkiot maksetaan "
                    "{payment}.",
        "paid_rows": "Rivit, joilta ei makseta kaikkea tai jotka käsiteltiin toisin kuin merkitsit:",
        "notes": "Huomioitavaa:",
        "corrected": "korjattu tuntilomakkeesi saapui, kun lomakkeen palkkiot oli jo käsitelty "
                     "{paid_month_gen} maksuerässä. Korjaus ei korvaa käsiteltyä lomaketta, vaan alla on, mitä se "
                     "muuttaa maksuihin.",
        "paid_on_past": "Käsitellyn lomakkeen palkkiot maksettiin {paid_on}.",
        "paid_on_future": "Käsitellyn lomakkeen palkkiot maksetaan {paid_on}.",
        "additional": "Korjauksen perusteella maksetaan lisää {pays_on}:",
        "withdrawn": "Nämä aiemmin maksettavaksi käsitellyt rivit eivät korjauksen mukaan ole maksettavia. "
                     "Järjestötyön ja osallisuuden asiantuntija sopii kanssasi, miten ne hyvitetään:",
        "unchanged": "Korjaus ei muuta maksettavia palkkioita.",
        "row": "Rivi {row} ({date}, {task})",
        "fee_paid": "palkkio {fee} maksetaan",
        "fee_not_paid": "palkkiota ei makseta",
        "travel_paid": "matkakulut {travel} korvataan",
        "fee_more": "palkkio {fee}",
        "travel_more": "matkakulut {travel}",
        "was_paid": "palkkio {fee}",
        "was_travel": "matkakulut {travel}",
        "questions": "Kysyttävää? Ota yhteyttä järjestötyön ja osallisuuden asiantuntijaan:",
        "questions_no_contact": "Kysyttävää? Ota yhteyttä järjestötyön ja osallisuuden asiantuntijaan.",
        "reason": {
            "cancelled_in_time": "Tehtävä peruttiin maksuttoman peruutuksen aikarajaan mennessä.",
            "group_terminated": "Ryhmä lopetettiin painavasta tai etukäteen sovitusta syystä.",
            "expert_ill": "Kun sairastut itse etkä voi hoitaa tehtävää, palkkiota ei makseta.",
        },
    },
    "sv": {
        "title": "Återkoppling på timblanketten",
        "form": "Blankett", "unit": "Enhet", "received": "Mottagen",
        "hello": "Hej {name},",
        "rejected": "din timblankett kunde inte godkännas. Rätta punkterna nedan på samma blankett och skicka den "
                    "på nytt. Ändra inte blankettens identifieringsuppgifter (blankett, avtal, enhet, månad).",
        "errors": "Att rätta:",
        "warnings": "Att observera (hindrar inte i sig att blanketten godkänns):",
        "accepted": "din timblankett har godkänts och du behöver inte skicka den på nytt. Arvodena betalas "
                    "{payment}.",
        "paid_rows": "Rader som inte betalas helt eller som behandlades annorlunda än du angav:",
        "notes": "Att observera:",
        "corrected": "din rättade timblankett kom in när arvodena för blanketten redan hade behandlats i "
                     "utbetalningen för {paid_month}. Rättelsen ersätter inte den behandlade blanketten; nedan "
                     "ser du vad den ändrar i utbetalningarna.",
        "paid_on_past": "Arvodena för den behandlade blanketten betalades {paid_on}.",
        "paid_on_future": "Arvodena för den behandlade blanketten betalas {paid_on}.",
        "additional": "På grund av rättelsen betalas ytterligare {pays_on}:",
        "withdrawn": "De här raderna, som redan behandlats för utbetalning, ska enligt rättelsen inte betalas. "
                     "Experten på organisationsarbete och delaktighet kommer överens med dig om hur de regleras:",
        "unchanged": "Rättelsen ändrar inte arvodena som betalas.",
        "row": "Rad {row} ({date}, {task})",
        "fee_paid": "arvodet {fee} betalas",
        "fee_not_paid": "inget arvode betalas",
        "travel_paid": "resekostnaden {travel} ersätts",
        "fee_more": "arvode {fee}",
        "travel_more": "resekostnad {travel}",
        "was_paid": "arvode {fee}",
        "was_travel": "resekostnad {travel}",
        "questions": "Frågor? Kontakta experten på organisationsarbete och delaktighet:",
        "questions_no_contact": "Frågor? Kontakta experten på organisationsarbete och delaktighet.",
        "reason": {
            "cancelled_in_time": "Uppdraget avbokades inom tiden för avgiftsfri avbokning.",
            "group_terminated": "Gruppen avslutades av ett tungt vägande eller på förhand överenskommet skäl.",
            "expert_ill": "När du själv insjuknar och inte kan utföra uppdraget betalas inget arvode.",
        },
    },
}
# Findings that the feedback explains in its own words rather than listing them.
_EXPLAINED_ELSEWHERE = frozenset({"corrected-after-close"})


def needs_feedback(result: FormResult) -> bool:
    """A rejected form, a correction after its month was closed, or an accepted form that is paid differently
    from what the expert claimed, or with anything the expert should know (a warning)."""
    if result.status == "rejected" or result.correction is not None:
        return True
    return result.status in ("accepted", "replaced") and (
        bool(result.warnings) or any(not ln.payable for ln in result.lines))


def feedback_text(register: Register, result: FormResult, received_on: date,
                  coordinator: dict[str, str] | None = None) -> str:
    """The expert's feedback on a form, in the expert's language (fi or sv).

    A rejected form: each row and field to correct, with what to do. An accepted form: for each row paid
    differently from what was claimed, what is paid and why. A correction after the form's month was closed:
    what is paid more, and when, and what was paid but is withdrawn. Ends with the coordinator's name, e-mail
    and phone (`coordinator`, as Workspace.coordinator_contact gives them). Holds no henkilötunnus, IBAN or
    address.
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
    lines = [words["title"], "", f"{words['form']}: {result.form_id}{month_label}"]
    if unit is not None:
        lines.append(f"{words['unit']}: {unit.name(language)}")
    lines += [f"{words['received']}: {fi_date(received_on)}", ""]
    if result.status == "rejected":
        opening = words["rejected"]
    elif result.correction is not None:
        paid_month = result.correction.paid_month
        opening = words["corrected"].format(paid_month_gen=month_genitive_text(paid_month).text("fi").lower(),
                                            paid_month=fi_month(paid_month, language))
    else:
        opening = words["accepted"].format(payment=fi_date(payment_date(result.pay_month)))
    if expert is not None:
        lines += [words["hello"].format(name=expert.first_name), "", opening]
    else:
        lines.append(opening[0].upper() + opening[1:])

    warnings = [f for f in result.warnings if f.code not in _EXPLAINED_ELSEWHERE]
    if result.status == "rejected":
        lines += ["", words["errors"], *(_feedback_item(f, language) for f in result.errors)]
        if warnings:
            lines += ["", words["warnings"], *(_feedback_item(f, language) for f in warnings)]
    elif result.correction is not None:
        lines += _correction_lines(register, result.correction, received_on, language)
        if warnings:
            lines += ["", words["notes"], *(_feedback_item(f, language) for f in warnings)]
    else:
        explained = _paid_rows(register, result, language)
        row_findings = {id(f) for f in warnings if f.row is not None}
        if explained:
            lines += ["", words["paid_rows"], *explained]
        others = [f for f in warnings if id(f) not in row_findings]
        if others:
            lines += ["", words["notes"], *(_feedback_item(f, language) for f in others)]
    lines += ["", *_contact_lines(coordinator, words)]
    return "\n".join(lines) + "\n"


def _contact_lines(coordinator: dict[str, str] | None, words: dict) -> list[str]:
    parts = [v for v in (coordinator or {}).values() if v]
    if not parts:
        return [words["questions_no_contact"]]
    return [words["questions"], ", ".join(parts)]


def _row_label(register: Register, line: LedgerLine, language: str) -> str:
    return FEEDBACK_TEXT[language]["row"].format(row=line.row, date=fi_date(line.work_date),
                                                 task=register.task_label(line.task, language))


def _paid_rows(register: Register, result: FormResult, language: str) -> list[str]:
    """'- Rivi 3 (...): palkkiota ei makseta. Why.' for each row not paid as claimed, in row order."""
    words = FEEDBACK_TEXT[language]
    by_row: dict[int, list[Finding]] = {}
    for finding in result.warnings:
        if finding.row is not None:
            by_row.setdefault(finding.row, []).append(finding)
    items = []
    lines_by_row = {ln.row: ln for ln in result.lines}
    for row in sorted(set(by_row) | {ln.row for ln in result.lines if not ln.payable}):
        line = lines_by_row.get(row)
        reasons = [f.text(language) for f in by_row.get(row, [])]
        if line is None:  # a row with only a warning and no line (cannot happen for accepted rows; be safe)
            items += [f"- {ROW_WORD[language]} {row}: {r}" for r in reasons]
            continue
        paid = [words["fee_paid"].format(fee=money(line.fee_eur)) if line.payable else words["fee_not_paid"]]
        if line.travel_eur > 0:
            paid.append(words["travel_paid"].format(travel=money(line.travel_eur)))
        reason = words["reason"].get(line.status, "") if not line.payable else ""
        if reason and not any(f.code == "status-corrected" for f in by_row.get(row, [])):
            reasons.insert(0, reason)
        text = f"- {_row_label(register, line, language)}: {', '.join(paid)}."
        items.append(" ".join([text, *reasons]))
    return items


def _correction_lines(register: Register, correction: Correction, received_on: date, language: str) -> list[str]:
    words = FEEDBACK_TEXT[language]
    paid_on = correction.paid_on
    lines = [words["paid_on_past" if paid_on <= received_on else "paid_on_future"].format(paid_on=fi_date(paid_on))]
    if correction.additional:
        lines += ["", words["additional"].format(pays_on=fi_date(correction.pays_on))]
        for line in correction.additional:
            amounts = [words["fee_more"].format(fee=money(line.fee_eur)) if line.fee_eur else "",
                       words["travel_more"].format(travel=money(line.travel_eur)) if line.travel_eur else ""]
            lines.append(f"- {_row_label(register, line, language)}: {', '.join(a for a in amounts if a)}")
    if correction.withdrawn:
        lines += ["", words["withdrawn"]]
        for line in correction.withdrawn:
            amounts = [words["was_paid"].format(fee=money(line.fee_eur)) if line.fee_eur else "",
                       words["was_travel"].format(travel=money(line.travel_eur)) if line.travel_eur else ""]
            lines.append(f"- {_row_label(register, line, language)}: {', '.join(a for a in amounts if a)}")
    if not correction.additional and not correction.withdrawn:
        lines += ["", words["unchanged"]]
    return lines


def _amount_rows(lines: list[LedgerLine]) -> str:
    """'2 rows, 57.40' for the coordinator's terminal."""
    if not lines:
        return "none"
    total = sum((ln.fee_eur + ln.travel_eur for ln in lines), start=Decimal("0.00"))
    return f"{len(lines)} row{'' if len(lines) == 1 else 's'} ({', '.join(str(ln.row) for ln in lines)}), {money(total)}"


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


