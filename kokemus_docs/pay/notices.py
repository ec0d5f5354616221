"""Fee notices: per unit, what its cost centre pays the experts in one payroll month.

The unit's named employee checks the notice and approves it by signing. A notice lists the lines the
payroll pays (the same lines as the payroll workbook), grouped by expert, with totals; then the rows of
the unit's hour forms that pay nothing or differently from what the form claimed, each with the reason
(expert ill, cancelled in time, travel without a pre-approval reference …). It never shows
henkilötunnus, IBAN or home address.

Language: every unit gets the Finnish notice; the Swedish one is written too when any expert on the
notice works in Swedish, so the Swedish-speaking expert's work can be checked in their language.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from kokemus_docs.core.errors import Problem
from kokemus_docs.core.fileio import safe_filename
from kokemus_docs.core.formatting import fi_date, fi_month, hours_text, money, money_json
from kokemus_docs.core.ledger import open_ledger
from kokemus_docs.core.model import BASIS_LABELS, Register, Unit, status_label
from kokemus_docs.core.month import Month
from kokemus_docs.core.records import Adjustment, FormRecord, LedgerLine
from kokemus_docs.core.report import Outcome, Progress
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.documents.context import common_context, unit_context
from kokemus_docs.documents.render import DocumentJob, check_formats, render_documents
from kokemus_docs.pay.paymonth import ZERO, PayLine, PayMonth, collect_pay_month

# Why a claimed row pays nothing or differently from the form, in the notice's language.
REASON_TEXTS: dict[str, dict[str, str]] = {
    "no-fee": {"fi": "{status}: ei palkkiota", "sv": "{status}: inget arvode"},
    "status-by-rule": {"fi": "tila määräytyi peruutusajankohdan mukaan", "sv": "statusen bestämdes av tidpunkten "
                                                                               "för avbokningen"},
    "late-cancellation-paid": {"fi": "{status}: palkkio maksetaan, koska peruutus tuli maksuttoman peruutusajan "
                                     "jälkeen",
                               "sv": "{status}: arvodet betalas, eftersom avbokningen kom efter den avgiftsfria "
                                     "avbokningstiden"},
    "travel-no-ref": {"fi": "matkakulut{amount} ilman ennakkohyväksynnän viitettä: ei korvata",
                      "sv": "resekostnader{amount} utan referens till förhandsgodkännande: ersätts inte"},
    "travel-not-payable": {"fi": "matkakulut{amount} riviltä, josta ei makseta palkkiota: ei korvata",
                           "sv": "resekostnader{amount} på en rad utan arvode: ersätts inte"},
}
# Form warnings (stored with the form by ingest) that mean a row is paid differently from the form.
_TRAVEL_WARNINGS = ("travel-no-ref", "travel-not-payable")
_AMOUNT = re.compile(r"\d[\d\u00a0 ]*,\d{2}\u00a0?€")


@dataclass(frozen=True)
class ClaimedRow:
    """A row of an accepted hour form that pays nothing, or pays differently from what the form claimed.

    `reasons` are (code, params) pairs; `reason_text` puts them into words.
    """

    form: FormRecord
    line: LedgerLine
    reasons: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]

    def reason_text(self, language: str) -> str:
        """The reasons in `language`, e.g. "Kokemusasiantuntija sairastui: ei palkkiota"."""
        texts = []
        for code, params in self.reasons:
            values = {key: status_label(value, language) if key == "status" else value for key, value in params}
            texts.append(REASON_TEXTS[code][language].format(**values))
        text = "; ".join(texts)
        return text[:1].upper() + text[1:]


def claimed_rows(forms: Sequence[FormRecord], lines_by_form: Mapping[str, Sequence[LedgerLine]]) -> list[ClaimedRow]:
    """The rows of `forms` whose fee is not paid, whose status the cancellation time decided, or whose
    claimed travel is not reimbursed; in form order and row order."""
    rows = []
    for form in forms:
        warnings_by_row: dict[int, list[dict]] = defaultdict(list)
        for warning in form.warnings:
            if isinstance(warning, dict) and isinstance(warning.get("row"), int):
                warnings_by_row[warning["row"]].append(warning)
        for line in lines_by_form.get(form.form_id, ()):
            codes = {str(w.get("code", "")): w for w in warnings_by_row.get(line.row, [])}
            status = ("status", line.status)
            reasons: list[tuple[str, tuple[tuple[str, str], ...]]] = []
            if not line.payable:
                reasons.append(("no-fee", (status,)))
                if "status-corrected" in codes:
                    reasons.append(("status-by-rule", ()))
            elif "status-corrected" in codes:
                reasons.append(("late-cancellation-paid", (status,)))
            for code in _TRAVEL_WARNINGS:
                if code in codes:
                    reasons.append((code, (("amount", _claimed_amount(codes[code])),)))
            if reasons:
                rows.append(ClaimedRow(form, line, tuple(reasons)))
    return rows


def _claimed_amount(warning: dict) -> str:
    """' 12,40 €': the claimed travel of a stored warning, from its parameters (warnings stored before they were
    kept only have the English text, read as a fallback); '' when neither holds it."""
    amount = (warning.get("params_fi") or {}).get("amount")
    if amount:
        return f" {amount}"
    found = _AMOUNT.search(str(warning.get("message", "")))
    return f" {found.group(0)}" if found else ""


def notice_languages(register: Register, lines: Sequence[PayLine]) -> list[str]:
    """['fi'], or ['fi', 'sv'] when an expert on the notice works in Swedish."""
    swedish = any((e := register.experts.get(p.form.expert_id)) is not None and e.document_language == "sv"
                  for p in lines)
    return ["fi", "sv"] if swedish else ["fi"]


def _late_note(lines: Sequence[PayLine], month: Month, language: str) -> str:
    """A sentence about work from earlier months that is paid in this month, or ''."""
    earlier = sorted({p.form.month for p in lines if p.form.month != month})
    if not earlier:
        return ""
    months = ", ".join(fi_month(m, language) for m in earlier)
    if language == "sv":
        return (f"Anmälan omfattar också arbete från tidigare månader ({months}) vars timblankett kom in "
                "efter att den månadens löner redan hade stängts.")
    return (f"Ilmoitus sisältää myös aiempien kuukausien työtä ({months}), jonka tuntilomake saapui vasta "
            "sen kuukauden palkka-ajon sulkemisen jälkeen.")


def notice_context(ws: Workspace, register: Register, pay: PayMonth, unit: Unit, lines: Sequence[PayLine],
                   language: str, today: date | None = None,
                   claimed: Sequence[ClaimedRow] = (), withdrawn: Sequence[tuple[FormRecord, Adjustment]] = ()
                   ) -> dict[str, Any]:
    """Context for fee_notice_<lang>.docx: every value already formatted as text.

    `claimed`: the unit's rows that pay nothing or differently from the form (see `claimed_rows`).
    Corrections of earlier, closed months are not listed as ordinary tasks: they have their own section
    (`corrections`): the month, what changed and the difference, with the rows a correction withdrew
    (`withdrawn`: paid before, now to be settled) and their amounts.
    """
    context = common_context(ws, language, today)
    by_expert: dict[str, list[PayLine]] = defaultdict(list)
    for paid in lines:
        if not paid.adjustment:
            by_expert[paid.form.expert_id].append(paid)
    experts = []
    for expert_id in sorted(by_expert, key=lambda e: _sort_name(register, e)):
        expert = register.experts.get(expert_id)
        own = sorted(by_expert[expert_id], key=lambda p: (p.line.work_date, p.line.start, p.line.row))
        fee = sum((p.fee for p in own), ZERO)
        travel = sum((p.travel for p in own), ZERO)
        experts.append({
            "expert_id": expert_id,
            "full_name": expert.full_name if expert else expert_id,
            "lines": [_line_context(register, p, language) for p in own],
            "fee_total": money(fee),
            "travel_total": money(travel),
            "total": money(fee + travel),
        })
    fee_total = sum((p.fee for p in lines), ZERO)
    travel_total = sum((p.travel for p in lines), ZERO)
    context.update({
        "unit": unit_context(unit, language),
        "month": pay.month,
        "month_label": fi_month(pay.month, language),
        "notice_deadline": fi_date(pay.notice_deadline),
        "payment_date": fi_date(pay.payment_date),
        "experts": experts,
        "fee_total": money(fee_total),
        "travel_total": money(travel_total),
        "total": money(fee_total + travel_total),
        "late_note": _late_note([p for p in lines if not p.adjustment], pay.month, language),
        "corrections": _corrections(register, [p for p in lines if p.adjustment], withdrawn, language),
        "unpaid": [_claimed_context(register, row, language) for row in sorted(
            claimed, key=lambda r: (r.line.work_date, _sort_name(register, r.form.expert_id), r.line.start,
                                    r.line.row))],
    })
    return context


CHANGE_TEXTS = {
    "additional": {"fi": "lisää maksettavaa: {what}", "sv": "mer att betala: {what}"},
    "withdrawn": {"fi": "poistui korjauksessa, maksettu jo {paid_in}: sovitaan erikseen",
                  "sv": "struken i rättelsen, redan betald {paid_in}: regleras separat"},
    "fee": {"fi": "palkkio {amount}", "sv": "arvode {amount}"},
    "travel": {"fi": "matkat {amount}", "sv": "resor {amount}"},
}


def _corrections(register: Register, additional: Sequence[PayLine], withdrawn: Sequence[tuple[FormRecord, Adjustment]],
                 language: str) -> list[dict[str, str]]:
    """The correction rows: per corrected row its work month, expert, date, task, what changed and the
    difference (+ paid now with this notice, − paid before and withdrawn by the correction)."""
    rows = []
    for paid in additional:
        parts = [CHANGE_TEXTS[kind][language].format(amount=money(amount))
                 for kind, amount in (("fee", paid.fee), ("travel", paid.travel)) if amount]
        rows.append((paid.form, paid.line, CHANGE_TEXTS["additional"][language].format(what=", ".join(parts)),
                     f"+{money(paid.fee + paid.travel)}"))
    for form, adjustment in withdrawn:
        line = adjustment.line
        amount = (line.fee_eur if line.payable else ZERO) + line.travel_eur
        rows.append((form, line, CHANGE_TEXTS["withdrawn"][language].format(paid_in=fi_month(form.pay_month, language)),
                     f"−{money(amount)}"))
    rows.sort(key=lambda r: (r[0].month, _sort_name(register, r[0].expert_id), r[1].work_date, r[1].row))
    return [{"month": fi_month(form.month, language),
             "expert": (e.full_name if (e := register.experts.get(form.expert_id)) else form.expert_id),
             "date": fi_date(line.work_date), "task_label": register.task_label(line.task, language),
             "change": change, "difference": difference} for form, line, change, difference in rows]


def _claimed_context(register: Register, row: ClaimedRow, language: str) -> dict[str, str]:
    expert = register.experts.get(row.form.expert_id)
    return {
        "date": fi_date(row.line.work_date),
        "expert": expert.full_name if expert else row.form.expert_id,
        "task_label": register.task_label(row.line.task, language),
        "reason": row.reason_text(language),
    }


def _sort_name(register: Register, expert_id: str) -> tuple[str, str, str]:
    expert = register.experts.get(expert_id)
    return (expert.last_name.casefold(), expert.first_name.casefold(), expert_id) if expert else ("", "", expert_id)


def _line_context(register: Register, paid: PayLine, language: str) -> dict[str, str]:
    line = paid.line
    return {
        "date": fi_date(line.work_date),
        "task_label": register.task_label(line.task, language),
        "status_label": status_label(line.status, language),
        "hours": hours_text(line.hours),
        "basis_label": BASIS_LABELS.get(line.basis, {}).get(language, line.basis),
        "rate": money(line.rate_eur),
        "fee": money(paid.fee),
        "travel": money(paid.travel) if paid.travel else "",
    }


def notice_path(ws: Workspace, month: Month, unit_id: str, language: str):
    return ws.output("notices", month, f"{safe_filename(unit_id)}_{language}.docx")


def write_notices(ws: Workspace, register: Register, month: Month, *, unit_ids: Sequence[str] = (),
                  formats: Sequence[str] = ("docx",), progress: Progress | None = None) -> Outcome:
    """One fee notice per unit with paid lines in payroll month `month` (or per asked unit).

    Written to outputs/notices/<month>/<unit_id>_fi.docx, plus <unit_id>_sv.docx when an expert on the
    notice works in Swedish (and .pdf with "pdf" in `formats`). An unknown unit id is an error; an asked
    unit with nothing to pay is a warning.
    """
    formats = check_formats(formats)
    with open_ledger(ws.ledger_path) as ledger:
        pay = collect_pay_month(ledger, register, month, ws.notice_day, with_checks=False)
        lines_by_form = ledger.lines_of([form.form_id for form in pay.forms])
        withdrawn_by_unit: dict[str, list[tuple[FormRecord, Adjustment]]] = defaultdict(list)
        for adjustment in pay.withdrawn:
            form = ledger.form(adjustment.form_id)
            if form is not None:
                withdrawn_by_unit[form.unit_id].append((form, adjustment))
    claimed_by_unit: dict[str, list[ClaimedRow]] = defaultdict(list)
    for row in claimed_rows(pay.forms, lines_by_form):
        claimed_by_unit[row.form.unit_id].append(row)

    errors: list[Problem] = []
    warnings: list[Problem] = []
    for unit_id in unit_ids:
        if unit_id not in register.units:
            errors.append(Problem(f"No unit {unit_id} in the register; check the id with 'kokemus check'.",
                                  sheet="units", field="unit_id", code="unknown-unit"))
    by_unit: dict[str, list[PayLine]] = defaultdict(list)
    for paid in pay.lines:
        by_unit[paid.form.unit_id].append(paid)
    for unit_id in sorted(set(by_unit) - set(register.units)):
        errors.append(Problem(f"Unit {unit_id} has paid lines in {month} but is not in the register; its notice "
                              "was not written. Add the unit back to the units sheet.",
                              sheet="units", field="unit_id", code="unknown-unit"))
    for unit_id in unit_ids:
        if unit_id in register.units and unit_id not in by_unit:
            warnings.append(Problem(f"Unit {unit_id} has nothing to pay for {month}; no notice written.",
                                    code="nothing-to-pay"))

    chosen = [u for u in sorted(by_unit) if u in register.units and (not unit_ids or u in unit_ids)]
    jobs = []
    totals: dict[str, Decimal] = {}
    for unit_id in chosen:
        unit, lines = register.units[unit_id], by_unit[unit_id]
        totals[unit_id] = sum((p.fee + p.travel for p in lines), ZERO)
        for language in notice_languages(register, lines):
            context = notice_context(ws, register, pay, unit, lines, language,
                                     claimed=claimed_by_unit.get(unit_id, ()),
                                     withdrawn=withdrawn_by_unit.get(unit_id, ()))
            jobs.append(DocumentJob(f"fee_notice_{language}.docx", context,
                                    notice_path(ws, month, unit_id, language),
                                    {"kind": "fee_notice", "unit_id": unit_id, "month": month,
                                     "language": language, "cost_center": unit.cost_center,
                                     "total_eur": money_json(totals[unit_id])}))

    outcome = render_documents(ws, jobs, formats, progress)
    outcome.errors[:0] = errors
    outcome.warnings[:0] = warnings
    outcome.extra.update({"month": month, "notice_deadline": pay.notice_deadline.isoformat(),
                          "payment_date": pay.payment_date.isoformat()})
    outcome.summary.append(
        f"{len(outcome.extra['documents'])} fee notice(s) for {len(chosen)} unit(s), payroll month {month}, "
        f"written to {ws.rel(ws.output('notices', month))}/; they must reach the units by "
        f"{fi_date(pay.notice_deadline)}.")
    if not chosen and not unit_ids:
        outcome.summary.append(f"Nothing is paid for {month} yet: no accepted hour forms in the ledger.")
    return outcome
