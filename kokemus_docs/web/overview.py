"""What the web pages show, read from the workspace: no Flask here, so it can be tested and timed alone.

The month's forms per signed contract (issued, returned, accepted, rejected with reasons, replaced, missing),
the files a role may download, an expert's year, and the steps the coordinator runs (under one lock).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from kokemus_docs.core.ledger import open_ledger
from kokemus_docs.core.model import LANGUAGES, Register
from kokemus_docs.core.month import Month
from kokemus_docs.core.paydates import notice_deadline, payment_date
from kokemus_docs.core.report import Outcome
from kokemus_docs.core.workspace import Workspace, workspace_lock
from kokemus_docs.forms.fields import form_id_for, issued_form_name, issued_form_path
from kokemus_docs.pay.closing import delivered_workbooks, finish_interrupted_closes
from kokemus_docs.register.sheets import RegisterCheck, load_register

ZERO = Decimal("0.00")
# Folders of outputs/ the coordinator may download from. The payroll workbooks hold personal data and are
# downloaded by the payroll role only (under /payroll/).
COORDINATOR_FOLDERS = ("contracts", "intro-packs", "forms", "notices", "indicators", "feedback")

FORM_STATES = ("missing", "accepted", "replaced", "rejected")

_register_cache: dict[Path, tuple[tuple[int, int], RegisterCheck]] = {}
_register_lock = threading.Lock()
# Seconds a page waits for another command (CLI or web) writing the workspace before it says so.
WEB_LOCK_WAIT = 15.0


def writing(ws: Workspace, what: str):
    """Hold the workspace's write lock, as every CLI command that writes does (WorkspaceBusy after a wait)."""
    return workspace_lock(ws, f"web: {what}", wait=WEB_LOCK_WAIT)


def _file_stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_size)


_figures_cache: dict[tuple, object] = {}


def cached_year_figures(ws: Workspace, check: RegisterCheck, year: int):
    """indicators.year_figures for the charts, computed again only when the forms in the ledger (its
    forms_version, bumped in every writer's transaction), the ledger file itself or the register changed. Other
    writes (a login's session, the audit log) leave it cached."""
    from kokemus_docs.indicators.workbook import year_figures

    with open_ledger(ws.ledger_path) as ledger:
        ledger_file = ws.ledger_path.stat()
        key = (str(ws.root), year, _file_stamp(ws.register_path), ledger_file.st_dev, ledger_file.st_ino,
               ledger.forms_version())
        with _register_lock:
            figures = _figures_cache.get(key)
        if figures is None:
            figures = year_figures(ledger, check.register, year)
            with _register_lock:
                _figures_cache.clear()
                _figures_cache[key] = figures
    return figures


def register_check(ws: Workspace) -> RegisterCheck:
    """The register as loaded and checked, read again only when register.xlsx changes."""
    path = ws.register_path
    stamp = _file_stamp(path)
    with _register_lock:
        cached = _register_cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        check = load_register(path)
        _register_cache[path] = (stamp, check)
        return check


@dataclass
class FormRow:
    """One signed contract's hour form in a month, as the month page shows it."""

    contract_id: str
    expert_id: str
    expert_name: str
    unit_id: str
    unit_name: str
    form_id: str
    issued: bool = False
    status: str = "missing"  # missing | accepted | replaced | rejected
    received_on: str = ""
    late: bool = False
    pay_month: Month | None = None
    fee_eur: Decimal = ZERO
    travel_eur: Decimal = ZERO
    reasons: list[str] = field(default_factory=list)
    versions: int = 0


@dataclass
class MonthOverview:
    month: Month
    notice_deadline: date
    payment_date: date
    closed_at: str | None
    rows: list[FormRow]

    def days_to(self, day: date, today: date | None = None) -> int:
        return (day - (today or date.today())).days

    @cached_property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for row in self.rows:
            counts[row.status] += 1
            counts["issued"] += row.issued
        return dict(counts)


def month_overview(ws: Workspace, register: Register, month: Month, language: str = "fi", *,
                   unit_id: str | None = None) -> MonthOverview:
    """Every signed contract valid in `month` (of one unit, if given) with its form's state in the ledger."""
    contracts = [c for c in sorted(register.contracts.values(), key=lambda c: c.contract_id)
                 if c.signed_on is not None and c.overlaps_month(month) and (unit_id is None or c.unit_id == unit_id)
                 and c.expert_id in register.experts and register.experts[c.expert_id].active]
    issued = _listing(ws.output("forms", month))
    rows: list[FormRow] = []
    for contract in contracts:
        expert, unit = register.experts[contract.expert_id], register.units.get(contract.unit_id)
        rows.append(FormRow(contract.contract_id, expert.expert_id, expert.full_name, contract.unit_id,
                            unit.name(language) if unit else contract.unit_id,
                            form_id_for(contract.contract_id, month),
                            issued=issued_form_name(contract.contract_id, month) in issued))
    with open_ledger(ws.ledger_path) as ledger:
        closed_at = ledger.closed_at(month)
        states = ledger.form_states([row.form_id for row in rows])
    for row in rows:
        state = states.get(row.form_id)
        if state is None:
            continue
        row.status, row.received_on, row.versions = state.status, state.received_on, state.versions
        row.late, row.pay_month = state.late, state.pay_month
        row.fee_eur, row.travel_eur = state.fee_eur, state.travel_eur
        # Finnish and Swedish texts where the ledger has them (older rows hold English only)
        row.reasons = [p.get(language) or p.get("message", "") for p in state.problems
                       if p.get("severity", "error") == "error"]
    return MonthOverview(month, notice_deadline(month, ws.notice_day), payment_date(month), closed_at, rows)


def month_downloads(ws: Workspace, month: Month, *, unit_id: str | None = None) -> list[str]:
    """Workspace-relative paths of the month's fee notices (one unit's, if given) and the year's indicators."""
    found: list[str] = []
    notices = ws.output("notices", month)
    units = None if unit_id is None else _notice_names(ws, month, unit_id)
    if notices.is_dir():
        for path in sorted(notices.iterdir()):
            if path.is_file() and path.suffix in (".docx", ".pdf") and (units is None or path.name in units):
                found.append(ws.rel(path))
    found = with_pdfs(ws, found)
    if unit_id is None:
        indicators = ws.output("indicators", f"indicators_{month.year}.xlsx")
        if indicators.is_file():
            found.append(ws.rel(indicators))
    return found


def _notice_names(ws: Workspace, month: Month, unit_id: str) -> set[str]:
    """The file names the unit's fee notices for `month` have, as `write_notices` names them (DOCX and PDF)."""
    from kokemus_docs.pay.notices import notice_path

    docx = [notice_path(ws, month, unit_id, language) for language in LANGUAGES]
    return {path.name for path in docx} | {path.with_suffix(".pdf").name for path in docx}


def notice_units(ws: Workspace, register: Register, month: Month) -> dict[str, str]:
    """Which unit each of the month's fee notice files (workspace-relative) is for."""
    folder = ws.output("notices", month)
    return {_rel(ws, folder / name): unit_id for unit_id in register.units
            for name in _notice_names(ws, month, unit_id)}


def notice_digest(ws: Workspace, month: Month, unit_id: str) -> str:
    """The SHA-256 of the unit's fee notices (DOCX, each language) for `month` as they are now; '' when none."""
    digest, found = hashlib.sha256(), False
    for rel in month_downloads(ws, month, unit_id=unit_id):
        path = ws.root / rel
        if rel.endswith(".docx") and path.is_file() and not path.is_symlink():
            digest.update(rel.encode("utf-8") + b"\0" + hashlib.sha256(path.read_bytes()).digest())
            found = True
    return digest.hexdigest() if found else ""


def unit_notice_months(ws: Workspace, unit_id: str) -> list[dict]:
    """The months that have a fee notice for `unit_id`, newest first: {"month", "waiting"}, `waiting` when the
    notice as it is now has not been approved (so the unit contact finds the month whose notice is due)."""
    folder = ws.output("notices")
    months = []
    if folder.is_dir():
        for path in sorted(folder.iterdir(), reverse=True):
            if not (Month.is_valid(path.name) and path.is_dir() and not path.is_symlink()):
                continue
            month = Month.parse(path.name)
            names = {name for name in _notice_names(ws, month, unit_id) if name.endswith(".docx")}
            if any(p.name in names and p.is_file() for p in path.iterdir()):
                approval = notice_approvals(ws, month).get(unit_id)
                months.append({"month": month, "waiting": not (approval and approval["current"])})
    return months


def notice_approvals(ws: Workspace, month: Month) -> dict[str, dict]:
    """The month's approvals by unit, each marked `current` (it approved the notice as it is now) or not (the
    notice has changed since: it needs approving again)."""
    from kokemus_docs.accounts.logins import notice_approvals as recorded

    approvals = recorded(ws, month)
    for unit_id, approval in approvals.items():
        approval["current"] = bool(approval["notice_sha256"]) and (
            approval["notice_sha256"] == notice_digest(ws, month, unit_id))
    return approvals


def _listing(folder: Path) -> set[str]:
    """The names in `folder` (one directory scan), or none when it is not a folder."""
    try:
        return set(os.listdir(folder)) if folder.is_dir() else set()
    except OSError:
        return set()


def row_files(ws: Workspace, register: Register, rows: list[FormRow], month: Month) -> dict[str, list[str]]:
    """Per row: the issued hour form, the contract and the introduction pack (their PDFs too: made on request
    when missing). Each folder is listed once and the rows' file names are looked up in it."""
    from kokemus_docs.documents.assignments import contract_name, intro_pack_name

    folders = {"forms": ws.output("forms", month), "contracts": ws.output("contracts"),
               "intro-packs": ws.output("intro-packs")}
    listed = {kind: _listing(folder) for kind, folder in folders.items()}
    found: dict[str, list[str]] = {}
    for row in rows:
        files = found[row.form_id] = []
        form = issued_form_name(row.contract_id, month)
        if form in listed["forms"]:
            files.append(_rel(ws, folders["forms"] / form))
        expert = register.experts.get(row.expert_id)
        candidates = [("intro-packs", intro_pack_name(row.unit_id, row.expert_id))]
        if expert is not None:
            candidates.insert(0, ("contracts", contract_name(row.contract_id, expert.last_name)))
        for kind, name in candidates:
            if name in listed[kind]:
                docx = folders[kind] / name
                files += [_rel(ws, docx), _rel(ws, docx.with_suffix(".pdf"))]
    return found


def _rel(ws: Workspace, path: Path) -> str:
    """A path under the workspace as a download names it (outputs/...), without following links."""
    return path.relative_to(ws.root).as_posix()


def with_pdfs(ws: Workspace, rels: list[str]) -> list[str]:
    """`rels` with each DOCX followed by its PDF (existing, or made on request by `pdf_on_request`)."""
    result = []
    for rel in rels:
        if rel in result:
            continue
        result.append(rel)
        if rel.endswith(".docx"):
            pdf = rel[:-5] + ".pdf"
            if pdf not in rels:
                result.append(pdf)
    return result


def pdf_on_request(ws: Workspace, rel: str, folders: tuple[str, ...]) -> Path | None:
    """The PDF at `rel`, converted now from the DOCX beside it when it is missing or older (warm LibreOffice)."""
    from kokemus_docs.documents.warmoffice import warm_office

    if not rel.endswith(".pdf"):
        return None
    docx = download_path(ws, rel[:-4] + ".docx", folders)
    if docx is None:
        return None
    pdf = docx.with_suffix(".pdf")
    if pdf.is_symlink():
        return None
    if not pdf.is_file() or pdf.stat().st_mtime_ns < docx.stat().st_mtime_ns:
        with writing(ws, f"PDF of {docx.name}"):
            warm_office().convert(docx, pdf)
    return pdf


def download_path(ws: Workspace, rel: str, folders: tuple[str, ...]) -> Path | None:
    """The file at `rel` under one of outputs/<folders>, or None (outside, missing, a link, a folder)."""
    if not rel or "\\" in rel or "\x00" in rel:
        return None
    candidate = ws.root / rel
    try:
        if candidate.is_symlink():
            return None
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    outputs = ws.outputs_dir.resolve()
    if not any(resolved.is_relative_to(outputs / folder) for folder in folders) or not resolved.is_file():
        return None
    return resolved


def payroll_workbooks(ws: Workspace) -> list[dict]:
    """The payroll workbooks: file name, month, when the file was made (ISO, local time), and whether the month
    is closed. A close an earlier run left half done is finished first, so a closed month's workbook is there."""
    finish_interrupted_closes(ws)
    books = []
    with open_ledger(ws.ledger_path) as ledger:
        for month, path in delivered_workbooks(ws):
            made = datetime.fromtimestamp(path.stat().st_mtime).isoformat(timespec="minutes")
            books.append({"name": path.name, "month": month, "made_at": made, "closed_at": ledger.closed_at(month)})
    return books


@dataclass
class ExpertForm:
    form_id: str
    month: Month
    unit_name: str
    status: str
    fee_eur: Decimal
    travel_eur: Decimal
    pay_month: Month
    payment_date: date


def expert_year(ws: Workspace, register: Register, expert_id: str, year: int, language: str) -> list[ExpertForm]:
    """The expert's accepted forms of `year`, with the fees and the day each is paid."""
    with open_ledger(ws.ledger_path) as ledger:
        forms = [f for f in ledger.forms_for_year(year) if f.expert_id == expert_id]
        lines = ledger.lines_of([f.form_id for f in forms])
    result = []
    for form in forms:
        unit = register.units.get(form.unit_id)
        fee = sum((ln.fee_eur for ln in lines[form.form_id] if ln.payable), ZERO)
        travel = sum((ln.travel_eur for ln in lines[form.form_id]), ZERO)
        result.append(ExpertForm(form.form_id, form.month, unit.name(language) if unit else form.unit_id,
                                 "replaced" if form.versions > 1 else "accepted", fee, travel, form.pay_month,
                                 payment_date(form.pay_month)))
    return result


def issued_forms(ws: Workspace, register: Register, expert_id: str, month: Month) -> dict[str, Path]:
    """The hour forms issued to `expert_id` for `month` (one per contract), by file name."""
    forms: dict[str, Path] = {}
    for contract in register.contracts.values():
        if contract.expert_id == expert_id:
            path = issued_form_path(ws, contract.contract_id, month)
            if path.is_file() and not path.is_symlink():
                forms[path.name] = path
    return dict(sorted(forms.items()))


STEPS = ("contracts", "intro-packs", "forms", "notices", "payroll", "close", "indicators")
# What a closed month still offers: nothing that would change its hour forms, notices or payroll (the payroll
# step prints the copy kept at closing).
CLOSED_MONTH_STEPS = ("contracts", "intro-packs", "payroll", "indicators")


def steps_for(ws: Workspace, month: Month) -> tuple[str, ...]:
    """The steps the month's page offers: all while it is open, none that changes its documents once closed."""
    with open_ledger(ws.ledger_path) as ledger:
        closed = ledger.is_closed(month)
    return CLOSED_MONTH_STEPS if closed else STEPS


@dataclass
class ClosingChecks:
    """What the coordinator sees before closing a month: the payroll's checks in the page's language (missing
    forms, tax cards, late forms, the forms' own warnings, register problems) and the rejected forms."""

    closed_at: str | None
    checks: list[tuple[str, str]]  # (what, text)
    rejected: list[FormRow]
    errors: int  # problems that stop the close (an expert or unit missing from the register)


def closing_checks(ws: Workspace, register: Register, month: Month, language: str) -> ClosingChecks:
    """The month's warnings as the payroll will list them, read without writing anything."""
    from kokemus_docs.pay.paymonth import CHECK_KINDS, collect_pay_month

    with open_ledger(ws.ledger_path) as ledger:
        pay = collect_pay_month(ledger, register, month, ws.notice_day)
    side = 1 if language == "sv" else 0
    checks = [(CHECK_KINDS[c.kind].split(" / ")[side], c.sv if language == "sv" else c.fi) for c in pay.checks]
    rejected = [row for row in month_overview(ws, register, month, language).rows if row.status == "rejected"]
    return ClosingChecks(pay.closed_at, checks, rejected, len(pay.errors))


def run_step(ws: Workspace, register: Register, step: str, month: Month,
             formats: tuple[str, ...] = ("docx",)) -> Outcome:
    """Run one of the month's steps as the CLI command of the same name does (the caller holds `writing`)."""
    from kokemus_docs.documents.assignments import render_contracts, render_intro_packs
    from kokemus_docs.forms.issue import issue_forms
    from kokemus_docs.indicators.workbook import write_indicators
    from kokemus_docs.pay.notices import write_notices
    from kokemus_docs.pay.payroll import write_payroll

    if step == "contracts":
        return render_contracts(ws, register, formats=formats)
    if step == "intro-packs":
        return render_intro_packs(ws, register, formats=formats)
    if step == "forms":
        return issue_forms(ws, register, month=month)
    if step == "notices":
        return write_notices(ws, register, month, formats=formats)
    if step in ("payroll", "close"):
        return write_payroll(ws, register, month, close=step == "close")
    if step == "indicators":
        return write_indicators(ws, register, month.year)
    raise ValueError(step)
