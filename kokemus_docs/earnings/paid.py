"""What each expert is paid on one payment date: fees by income type, travel, hours, days worked and units.

A payroll month M pays on `payment_date(M)`. Its lines are those `collect_pay_month` gathers (the forms whose
pay month is M and the adjustment lines of corrections received after their own month was closed), so a
correction paid later counts on that later payment date. A closed month's amounts are taken from the copy of
its workbook kept at closing, so that a statement's sums are the closed payroll's, whatever changed in the
register since; an open month's are what the ledger holds today (expected, not yet paid).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from kokemus_docs.core.ledger import Ledger, open_ledger
from kokemus_docs.core.model import Register
from kokemus_docs.core.month import Month
from kokemus_docs.core.paydates import payment_date
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.earnings.limits import LimitFinding, expected_text, experts_with_limits
from kokemus_docs.pay.corrections import row_key
from kokemus_docs.pay.paymonth import PayLine, add_limit_findings, collect_pay_month
from kokemus_docs.pay.payroll import closed_result

ZERO = Decimal("0.00")


@dataclass
class ExpertPayment:
    """One expert's payment on one payment date (payroll month `pay_month`)."""

    expert_id: str
    pay_month: Month
    payment_date: date
    paid: bool  # the month is closed: paid; else expected
    fees: dict[str, Decimal] = field(default_factory=dict)  # income type -> gross fees
    travel: Decimal = ZERO
    hours: Decimal = ZERO
    days: set[date] = field(default_factory=set)
    unit_ids: set[str] = field(default_factory=set)
    work_months: set[Month] = field(default_factory=set)

    @property
    def fee(self) -> Decimal:
        """Gross fees of every income type together (travel is a tax-free reimbursement, not earnings)."""
        return sum(self.fees.values(), ZERO)


def month_payments(ws: Workspace, ledger: Ledger, register: Register, month: Month,
                   experts: set[str] | None = None) -> dict[str, ExpertPayment]:
    """Every expert's payment (of these `experts` only, if given) in payroll month `month`, by expert id."""
    pay = collect_pay_month(ledger, register, month, ws.notice_day, with_checks=False, experts=experts)
    paid = pay.closed_at is not None
    when = payment_date(month)
    counted = _rows_paid_before(ledger, [p for p in pay.lines if p.adjustment])
    result: dict[str, ExpertPayment] = {}
    for line in pay.lines:
        expert_id = line.form.expert_id
        entry = result.get(expert_id)
        if entry is None:
            entry = result[expert_id] = ExpertPayment(expert_id, month, when, paid)
        entry.fees[line.income_type] = entry.fees.get(line.income_type, ZERO) + line.fee
        entry.travel += line.travel
        entry.unit_ids.add(line.form.unit_id)
        entry.work_months.add(line.form.month)
        if line.line.payable and (line.form.form_id, row_key(line.line)) not in counted:
            entry.hours += line.line.hours
            entry.days.add(line.line.work_date)
    if paid:
        _amounts_as_closed(ws, ledger, month, result, experts)
    return result


def _rows_paid_before(ledger: Ledger, adjustments: list[PayLine]) -> set[tuple[str, tuple]]:
    """(form id, row key) of adjustment lines whose row was already paid with the form: their hours and day
    were counted on the earlier payment date, and only the money difference is paid now."""
    form_ids = sorted({p.form.form_id for p in adjustments})
    before = ledger.lines_of(form_ids)
    return {(form_id, row_key(line)) for form_id, lines in before.items() for line in lines if line.payable}


def _amounts_as_closed(ws: Workspace, ledger: Ledger, month: Month, result: dict[str, ExpertPayment],
                       experts: set[str] | None = None) -> None:
    """Replace the amounts of a closed month with those of its workbook as it was closed (if that copy is kept
    and unchanged)."""
    closed = closed_result(ws, ledger, month)
    if closed is None:
        return
    fees: dict[str, dict[str, Decimal]] = defaultdict(dict)
    travel: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in closed.get("experts", []):
        expert_id, income_type = str(entry["expert_id"]), str(entry.get("income_type", ""))
        if experts is not None and expert_id not in experts:
            continue
        fees[expert_id][income_type] = fees[expert_id].get(income_type, ZERO) + Decimal(entry["fee_eur"])
        travel[expert_id] += Decimal(entry["travel_eur"])
    for expert_id in set(fees) | set(result):
        entry = result.get(expert_id)
        if entry is None:
            entry = result[expert_id] = ExpertPayment(expert_id, month, payment_date(month), True)
        entry.fees = dict(fees.get(expert_id, {}))
        entry.travel = travel.get(expert_id, ZERO)


def month_limits(ws: Workspace, register: Register, month: Month) -> list[LimitFinding]:
    """The experts near or over their declared limit on payroll month `month`'s payment date (as `payroll`
    warns), for the coordinator while the month is still open."""
    limited = experts_with_limits(register)
    if not limited:
        return []
    with open_ledger(ws.ledger_path) as ledger:  # only the lines of the experts who declared a limit
        pay = collect_pay_month(ledger, register, month, ws.notice_day, with_checks=False, experts=limited)
        add_limit_findings(ledger, register, pay)
    return pay.limits


def expected_payment(ws: Workspace, register: Register, expert_id: str, pay_month: Month,
                     language: str | None = None, ledger: Ledger | None = None) -> str:
    """For the expert only: what payroll month `pay_month` is expected to pay them beside their limit
    ("Odotettu maksu 31.12.2026: 842,50 €; ilmoittamasi raja 1 000,00 €."); '' without a declared limit."""
    expert = register.experts.get(expert_id)
    if expert is None or expert.earnings_limit_eur is None:
        return ""
    if ledger is None:
        with open_ledger(ws.ledger_path) as own:
            fee = own.expert_fees_for_pay_month(expert_id, pay_month)
    else:
        fee = ledger.expert_fees_for_pay_month(expert_id, pay_month)
    return expected_text(expert, payment_date(pay_month), fee, language)


def year_pay_months(year: int) -> list[Month]:
    """The payroll months whose payment date falls in `year` (work of December the year before to November)."""
    months = [Month.of(year - 1, 12)] + [Month.of(year, m) for m in range(1, 12)]
    return [m for m in months if payment_date(m).year == year]


__all__ = ["ExpertPayment", "expected_payment", "month_limits", "month_payments", "year_pay_months"]
