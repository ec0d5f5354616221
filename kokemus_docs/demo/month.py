"""`kokemus demo`: a workspace with the fictional register and a whole month cycle run in it.

The story of October 2026: contracts and introduction packs are printed, hour forms issued, the experts fill
them in (the rows below, typed the way people type), the forms come back in early November — one twice, one
with a mistake that the expert then corrects, one updated, one late — and the coordinator produces the fee
notices, the payroll workbook for HPK Palvelut and the year's indicators.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from kokemus_docs.core.errors import LibreOfficeMissing, Problem
from kokemus_docs.core.fileio import write_bytes_atomic
from kokemus_docs.core.formatting import fi_date
from kokemus_docs.core.month import Month
from kokemus_docs.core.report import Outcome, Progress, no_progress, step_progress
from kokemus_docs.core.workspace import CONFIG_NAME, Workspace, init_workspace
from kokemus_docs.forms.fields import form_id_for, row_field
from kokemus_docs.register.sample import demo_register, write_sample_register

DEMO_MONTH = Month.parse("2026-10")
ON_TIME = date(2026, 11, 5)

# What each expert writes on the October form: (date, start, end, task, status, cancelled_at, participants,
# travel_eur, travel_ref). Codes and Finnish/Swedish labels are mixed on purpose, as are date and time styles.
Row = tuple[str, str, str, str, str, str, str, str, str]
DEMO_ROWS: dict[str, list[Row]] = {
    "S-2026-001": [
        ("6.10.2026", "9.00", "10.00", "individual", "held", "", "", "", ""),
        ("8.10.2026", "13.00", "14.30", "group", "held", "", "6", "", ""),
        ("15.10.2026", "13.00", "14.30", "group", "group_no_participants", "", "0", "", ""),
        ("20.10.2026", "10.00", "11.00", "individual", "cancelled_in_time", "19.10.2026 15.00", "", "", ""),
        ("22.10.2026", "10.00", "11.00", "individual", "cancelled_late", "21.10.2026 15.01", "", "", ""),
        ("28.10.2026", "17.00", "19.00", "common_meeting", "held", "", "", "12,40", "MATKA-2026-14"),
    ],
    "S-2026-002": [
        ("7.10.", "9.30", "10.30", "Yksilötyö", "Toteutui", "", "", "", ""),
        ("9.10.", "12:00", "13:00", "pair", "no_show", "", "", "", ""),
        ("14.10.", "18.00", "19.30", "lecture", "held", "", "40", "", ""),
        ("21.10.", "9.00", "10.00", "individual", "expert_ill", "", "", "", ""),
        ("23.10.", "9.00", "10.00", "individual", "cancelled_in_time", "22.10.2026 16.20", "", "", ""),
    ],
    "S-2026-003": [
        ("2026-10-01", "17.00", "18.30", "Grupphandledning", "Genomfördes", "", "5", "", ""),
        ("2026-10-08", "17.00", "18.30", "group", "held", "", "4", "", ""),
        ("2026-10-15", "17.00", "18.30", "group", "group_no_participants", "", "0", "", ""),
        ("2026-10-22", "17.00", "18.30", "group", "group_terminated", "", "", "", ""),
        ("2026-10-28", "17.00", "19.00", "common_meeting", "held", "", "", "8,60", ""),
    ],
    "S-2026-004": [
        ("5.10.2026", "10.00", "11.00", "individual", "held", "", "", "", ""),
        ("12.10.2026", "9.00", "12.00", "development", "held", "", "", "", ""),
        ("19.10.2026", "10.00", "11.00", "individual", "cancelled_in_time", "17.10.2026 9.15", "", "", ""),
    ],
    "S-2026-005": [
        ("13.10.2026", "13.00", "14.00", "individual", "held", "", "", "", ""),
        ("27.10.2026", "9.00", "11.00", "lecture", "held", "", "25", "20,00", "RESA-7"),
    ],
    "S-2026-006": [
        ("6.10.2026", "16.00", "17.30", "group", "held", "", "7", "", ""),
        ("13.10.2026", "16.00", "17.30", "group", "held", "", "6", "", ""),
        ("20.10.2026", "16.00", "17.30", "group", "held", "", "6", "", ""),
    ],
    "S-2026-007": [
        ("16.10.2026", "10.00", "11.00", "individual", "held", "", "", "", ""),
        ("28.10.2026", "17.00", "19.00", "common_meeting", "held", "", "", "15,00", "RESA-2026-3"),
    ],
    "S-2026-008": [
        ("2.10.2026", "9.00", "10.00", "individual", "held", "", "", "", ""),
        ("2.10.2026", "10.30", "11.30", "pair", "held", "", "", "", ""),
        ("30.10.2026", "9.00", "10.00", "individual", "no_show", "", "", "", ""),
    ],
    "S-2026-009": [
        ("14.10.2026", "12.00", "13.00", "pair", "cancelled_late", "14.10.2026 8.00", "", "", ""),
    ],
    "S-2026-010": [
        ("7.10.2026", "13.00", "15.00", "group", "held", "", "8", "", ""),
        ("21.10.2026", "13.00", "15.00", "group", "held", "", "9", "", ""),
    ],
    "S-2026-011": [
        ("9.10.2026", "14.00", "15.00", "individual", "held", "", "", "", ""),
    ],
    "S-2026-012": [
        ("29.10.2026", "13.00", "16.00", "development", "held", "", "", "", ""),
    ],
    "S-2026-014": [
        ("26.10.2026", "10.00", "11.00", "individual", "held", "", "", "", ""),
    ],
    "S-2026-015": [
        ("30.10.2026", "13.00", "14.30", "lecture", "held", "", "60", "", ""),
    ],
}

# Returned later: S-2026-006 first with a November date by mistake, corrected the next day; S-2026-011 sends an
# updated form with one more row; S-2026-007 arrives after the 9th and is paid in November's run.
MISTAKEN_006: list[Row] = DEMO_ROWS["S-2026-006"][:2] + [
    ("3.11.2026", "16.00", "17.30", "group", "held", "", "6", "", "")]
UPDATED_011: list[Row] = DEMO_ROWS["S-2026-011"] + [
    ("23.10.2026", "14.00", "15.00", "individual", "held", "", "", "", "")]
LATE_CONTRACTS = {"S-2026-007"}
# Two experts have asked to be warned before their fees paid in one month pass an amount (the reason is theirs):
# Jukka's October (350 €) comes near his 400 €, Henrik's (300 €) goes over his 250 €.
DEMO_LIMITS = {"KA-004": Decimal("400.00"), "KA-012": Decimal("250.00")}
NOT_RETURNED = {"S-2026-013"}


def form_values(rows: list[Row], signed_on: str = "4.11.2026") -> dict[str, str]:
    """The field values an expert types into an hour form for `rows`."""
    names = ("date", "start", "end", "task", "status", "cancelled_at", "participants", "travel_eur", "travel_ref")
    values = {row_field(number, name): value
              for number, row in enumerate(rows, start=1) for name, value in zip(names, row, strict=True) if value}
    values["signed_on"] = signed_on
    return values


# The fictional county's settings that `kokemus init` leaves for the coordinator to fill in.
DEMO_SETTINGS = {
    "business_id": "3221372-6",
    "postal_address_fi": "PL 46, 06151 Porvoo",
    "postal_address_sv": "PB 46, 06151 Borgå",
    "coordinator_name": "Helena Kallio-Söderström",
    "coordinator_email": "kokemusasiantuntijat@example.fi",
    "coordinator_phone": "040 100 2000",
}


# Web app logins of the demo, with known passwords printed at the end (a real workspace never has these).
DEMO_USERS = (
    ("koordinaattori", "coordinator", None, "demo-koordinaattori"),
    ("yksikko", "unit", "MTP-PORVOO", "demo-yksikko-mtp"),
    ("palkat", "payroll", None, "demo-palkanlaskenta"),
)
# The expert whose own page the demo points to: Swedish-speaking, with an open month for late forms.
DEMO_EXPERT, DEMO_EXPERT_MONTH = "KA-003", DEMO_MONTH.next()


def kokemus_command() -> str:
    """The command that runs this kokemus from the current folder: 'kokemus' when that is the one on PATH (an
    active venv), else its path ('.venv/bin/kokemus'), so the printed commands work as they are pasted."""
    python = Path(os.path.abspath(sys.executable))  # a venv's python is a link: keep the venv's path
    script = python.parent / "kokemus"
    if not script.is_file():
        return f"{_shown_path(python)} -m kokemus_docs"
    on_path = shutil.which("kokemus")
    if on_path and os.path.abspath(on_path) == str(script):
        return "kokemus"
    return _shown_path(script)


def _shown_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def add_demo_users(ws: Workspace) -> list[str]:
    """Create the demo logins; the lines that tell how to log in to the web app."""
    from kokemus_docs.accounts.logins import add_user
    from kokemus_docs.forms.links import expert_upload_url

    lines = [f"Web app: start it with '{kokemus_command()} -w {ws.root} serve' (Ctrl+C stops it), then log in as"]
    for login, role, unit_id, password in DEMO_USERS:
        add_user(ws, login, role, unit_id=unit_id, password=password)
        lines.append(f"  {role}{' of ' + unit_id if unit_id else ''}: login {login}, password {password}")
    url = expert_upload_url(ws, DEMO_EXPERT, DEMO_EXPERT_MONTH)
    lines.append(f"  an expert's own page ({DEMO_EXPERT}, in Swedish; no login): {url}")
    lines.append(f"open {ws.public_url or 'http://127.0.0.1:8000'}")
    return lines


def configure_demo_workspace(ws: Workspace) -> Workspace:
    """Fill in the demo county's business ID, postal address and coordinator in kokemus.toml."""
    config_path = ws.root / CONFIG_NAME
    text = config_path.read_text(encoding="utf-8")
    for key, value in DEMO_SETTINGS.items():
        text = text.replace(f'\n{key} = ""\n', f'\n{key} = "{value}"\n', 1)
    write_bytes_atomic(config_path, text.encode("utf-8"))
    return Workspace.open(ws.root)


def run_demo(root: str | Path, progress: Progress = no_progress) -> tuple[Outcome, Workspace]:
    """Create the demo workspace in `root` and run the October 2026 cycle in it."""
    from kokemus_docs.demo.bookings import book_demo
    from kokemus_docs.demo.feedback import run_feedback_round
    from kokemus_docs.documents.assignments import render_contracts, render_intro_packs
    from kokemus_docs.documents.office import find_soffice
    from kokemus_docs.earnings.documents import write_statements
    from kokemus_docs.forms.fill import fill_form
    from kokemus_docs.forms.issue import issue_forms
    from kokemus_docs.indicators.workbook import write_indicators
    from kokemus_docs.intake.ingest import ingest_forms
    from kokemus_docs.pay.notices import write_notices
    from kokemus_docs.pay.payroll import write_payroll

    ws, written = init_workspace(root)
    ws = configure_demo_workspace(ws)
    register = demo_register()
    for expert_id, limit in DEMO_LIMITS.items():
        register.experts[expert_id] = replace(register.experts[expert_id], earnings_limit_eur=limit)
    write_sample_register(ws.register_path, register)
    outcome = Outcome(written=written + [ws.register_path])
    formats: tuple[str, ...] = ("docx", "pdf")
    try:
        find_soffice()
    except LibreOfficeMissing as missing:
        formats = ("docx",)
        outcome.warnings.append(Problem(f"Documents are written as DOCX only: {missing.message}",
                                        code="libreoffice-missing"))

    steps = Outcome()
    steps.merge(render_contracts(ws, register, formats=formats, progress=step_progress(progress, "contracts")))
    steps.merge(render_intro_packs(ws, register, formats=formats,
                                   progress=step_progress(progress, "introduction packs")))
    booked = book_demo(ws, register)  # before the forms: October's booked sessions come out prefilled
    issued = issue_forms(ws, register, month=DEMO_MONTH, progress=step_progress(progress, "hour forms issued"))
    steps.merge(issued)

    # The experts fill in their forms and send them back.
    issued_paths = {item["form_id"]: ws.root / item["path"] for item in issued.extra.get("forms", [])}
    returned = _returned_forms(ws, issued_paths, fill_form)
    ingests = []
    for received_on, paths in returned:
        result = ingest_forms(ws, register, paths, received_on=received_on,
                              progress=step_progress(progress, f"forms received {fi_date(received_on)}"))
        ingests.append(result)
        steps.merge(result)

    steps.merge(write_notices(ws, register, DEMO_MONTH, formats=formats,
                              progress=step_progress(progress, "fee notices")))
    payroll = write_payroll(ws, register, DEMO_MONTH, close=True, progress=step_progress(progress, "payroll"))
    steps.merge(payroll)
    # The late form's payroll run; its "no form yet" checks for November are not part of October's story.
    steps.written += write_payroll(ws, register, DEMO_MONTH.next(), progress=step_progress(progress, "payroll")).written
    feedback = run_feedback_round(ws, register, progress=progress)
    steps.merge(feedback)
    steps.merge(write_indicators(ws, register, 2026, progress=step_progress(progress, "indicators")))
    statements = write_statements(ws, register, 2026, expert_ids=tuple(DEMO_LIMITS), formats=("pdf", "xlsx"))
    steps.merge(statements)

    statuses = [form.status for result in ingests for form in result.forms]
    outcome.written += steps.written
    # Rejected forms are part of the story (the expert gets feedback and corrects); they are not a demo failure.
    outcome.warnings += steps.warnings + steps.errors
    outcome.extra = {
        "month": DEMO_MONTH,
        "experts": len(register.experts),
        "forms_issued": len(issued_paths),
        "forms": {status: statuses.count(status) for status in ("accepted", "replaced", "duplicate", "rejected")},
        "payment_date": payroll.extra.get("payment_date"),
        "notice_deadline": payroll.extra.get("notice_deadline"),
        "total_eur": payroll.extra.get("total_eur"),
        "feedback": {status: sum(r["status"] == status for r in feedback.extra.get("responses", []))
                     for status in ("accepted", "duplicate", "rejected")},
    }
    outcome.summary = [
        f"Demo workspace: {ws.root}",
        f"  {len(register.experts)} experts, {len(register.units)} units, {len(register.contracts)} contracts "
        f"(register.xlsx)",
        f"  contracts and introduction packs ({', '.join(formats)}): outputs/contracts/, outputs/intro-packs/",
        f"  {len(issued_paths)} hour forms issued for {DEMO_MONTH}: outputs/forms/{DEMO_MONTH}/",
        "  forms returned: " + ", ".join(f"{n} {s}" for s, n in outcome.extra["forms"].items()),
        "  feedback to experts: outputs/feedback/; originals archived in forms/processed/ and forms/rejected/",
        f"  fee notices per unit: outputs/notices/{DEMO_MONTH}/",
        f"  payroll for HPK Palvelut: outputs/payroll/payroll_{DEMO_MONTH}.xlsx (personal data, owner-only); "
        f"total {outcome.extra['total_eur']} €, paid {outcome.extra['payment_date']}, "
        f"notice due {outcome.extra['notice_deadline']}; the late form is in payroll_2026-11.xlsx",
        "  client feedback questionnaires: outputs/feedback-forms/; answers returned as PDF, CSV and XLSX: "
        + ", ".join(f"{n} {s}" for s, n in outcome.extra["feedback"].items())
        + (f"; {feedback.extra['phone_answers']} on the phone page" if "phone_answers" in feedback.extra else ""),
        *booked,
        "  indicators (with the feedback sheets): outputs/indicators/indicators_2026.xlsx",
        "  earnings by payment date for the two experts with a declared limit (one near it, one over; the "
        "payroll's checks sheet warns): outputs/statements/2026/ (each holds its expert's henkilötunnus)",
        f"Try: {kokemus_command()} -w {ws.root} check",
        *add_demo_users(ws),
    ]
    return outcome, ws


def _returned_forms(ws: Workspace, issued: dict[str, Path], fill_form) -> list[tuple[date, list[Path]]]:
    """Fill the demo forms as the experts would and drop them into the inbox, batch by batch of arrival."""
    inbox = ws.inbox_dir

    def fill(contract_id: str, rows: list[Row], name: str) -> Path:
        form_id = form_id_for(contract_id, DEMO_MONTH)
        target = inbox / name
        fill_form(issued[form_id], form_values(rows), target)
        return target

    first = []
    for contract_id, rows in DEMO_ROWS.items():
        if (contract_id in LATE_CONTRACTS or contract_id in NOT_RETURNED
                or form_id_for(contract_id, DEMO_MONTH) not in issued):
            continue
        filled_rows = MISTAKEN_006 if contract_id == "S-2026-006" else rows
        first.append(fill(contract_id, filled_rows, f"{contract_id}.pdf"))
    # The same file sent twice by e-mail.
    twice = inbox / "S-2026-002 (copy).pdf"
    shutil.copyfile(inbox / "S-2026-002.pdf", twice)
    first.append(twice)
    batches = [(ON_TIME, first)]
    batches.append((date(2026, 11, 6), [fill("S-2026-006", DEMO_ROWS["S-2026-006"], "S-2026-006 korjattu.pdf")]))
    batches.append((date(2026, 11, 7), [fill("S-2026-011", UPDATED_011, "S-2026-011 v2.pdf")]))
    batches.append((date(2026, 11, 12), [fill(c, DEMO_ROWS[c], f"{c}.pdf") for c in sorted(LATE_CONTRACTS)]))
    return batches
