"""Each expert's yearly earnings statement by payment date: what the statement holds, and its --json shape.

One row per payment date in the year: the payroll month that pays (the work month; late forms of earlier
months are paid with it and named too), hours and distinct days of the paid rows, gross fees by Incomes
Register income type, travel reimbursements (tax-free, apart) and the units. A closed month is paid; a month
not closed yet is expected. Totals count both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from kokemus_docs.core.errors import KokemusError, Problem
from kokemus_docs.core.formatting import money_json
from kokemus_docs.core.ledger import open_ledger
from kokemus_docs.core.model import Expert, Register
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.earnings.limits import limit_state
from kokemus_docs.earnings.paid import ExpertPayment, month_payments, year_pay_months
from kokemus_docs.pay.payroll import closed_result

ZERO = Decimal("0.00")
FIRST_YEAR, LAST_YEAR = 2000, 2099


@dataclass
class Statement:
    """One expert's year: their payments in payment-date order."""

    expert: Expert
    year: int
    payments: list[ExpertPayment] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)  # unit id -> its name in the expert's language

    def unit_names(self, payment: ExpertPayment) -> str:
        return ", ".join(sorted(self.units.get(u, u) for u in payment.unit_ids))

    @property
    def limit(self) -> Decimal | None:
        return self.expert.earnings_limit_eur

    @property
    def fee(self) -> Decimal:
        return sum((p.fee for p in self.payments), ZERO)

    @property
    def travel(self) -> Decimal:
        return sum((p.travel for p in self.payments), ZERO)

    @property
    def hours(self) -> Decimal:
        return sum((p.hours for p in self.payments), ZERO)

    @property
    def days(self) -> int:
        return sum(len(p.days) for p in self.payments)

    @property
    def income_types(self) -> list[str]:
        """The income types paid in the year, in code order (one column each)."""
        return sorted({code for p in self.payments for code in p.fees})

    def fee_of_type(self, code: str) -> Decimal:
        return sum((p.fees.get(code, ZERO) for p in self.payments), ZERO)

    def over_limit(self, payment: ExpertPayment) -> bool:
        return limit_state(payment.fee, self.limit) == "over-limit"

    def as_json(self) -> dict:
        """The statement as SPEC.md's `statements` entry."""
        return {
            "expert_id": self.expert.expert_id, "year": self.year,
            "limit_eur": money_json(self.limit) if self.limit is not None else None,
            "payments": [{
                "payment_date": p.payment_date.isoformat(), "work_month": p.pay_month, "paid": p.paid,
                "fee_eur": money_json(p.fee), "travel_eur": money_json(p.travel), "hours": f"{p.hours:.2f}",
                "days": len(p.days), "by_income_type": {code: money_json(p.fees[code]) for code in sorted(p.fees)},
                "over_limit": self.over_limit(p)} for p in self.payments],
            "fee_eur": money_json(self.fee), "travel_eur": money_json(self.travel),
        }


def check_year(year: int) -> int:
    """`year` if it is 2000–2099, else a usage error."""
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise KokemusError(f"'{year}' is not a year from {FIRST_YEAR} to {LAST_YEAR}.", code="bad-year")
    return year


def collect_statements(ws: Workspace, register: Register, year: int, expert_ids: tuple[str, ...] = ()
                       ) -> tuple[list[Statement], list[Problem]]:
    """The statements of `year`: of the named experts (even with nothing paid), else of every expert paid or
    expected to be paid in the year; and the problems (an expert not in the register)."""
    check_year(year)
    problems: list[Problem] = []
    wanted = list(dict.fromkeys(expert_ids))
    for expert_id in wanted:
        if expert_id not in register.experts:
            problems.append(Problem(f"Expert {expert_id} is not in the register; no statement was written.",
                                    sheet="experts", field="expert_id", code="unknown-expert"))
    by_expert: dict[str, list[ExpertPayment]] = {}
    only = set(wanted) if wanted else None  # read only the named experts' forms
    with open_ledger(ws.ledger_path) as ledger:
        for month in year_pay_months(year):
            for expert_id, payment in month_payments(ws, ledger, register, month, only).items():
                by_expert.setdefault(expert_id, []).append(payment)
    chosen = [e for e in wanted if e in register.experts] if wanted else sorted(by_expert)
    names = {language: {unit_id: unit.name(language) for unit_id, unit in register.units.items()}
             for language in ("fi", "sv")}
    statements = []
    for expert_id in chosen:
        expert = register.experts.get(expert_id)
        if expert is None:
            problems.append(Problem(f"Expert {expert_id} was paid in {year} but is not in the register, so "
                                    "their statement (name, henkilötunnus) cannot be written. Add them back to "
                                    "the experts sheet.", sheet="experts", field="expert_id",
                                    code="unknown-expert"))
            continue
        statements.append(Statement(expert, year, by_expert.get(expert_id, []), names[expert.document_language]))
    return statements, problems


@dataclass(frozen=True)
class YearTotals:
    """One expert's line in the coordinator's list of a year's statements: the payment dates, how many of them
    are still expected (their month is not closed), and the fees and travel over the year."""

    expert: Expert
    payments: int
    expected: int
    fee: Decimal
    travel: Decimal


def year_totals(ws: Workspace, register: Register, year: int) -> list[YearTotals]:
    """The list of `year`'s statements: every expert in the register paid or expected to be paid in the year,
    with the totals their statements show (a closed month's amounts as its kept copy holds them), from one
    ledger query and the closed months' copies, without building each statement."""
    check_year(year)
    months = year_pay_months(year)
    by_month: dict[str, dict[str, tuple[Decimal, Decimal]]] = {month: {} for month in months}
    paid: dict[str, bool] = {}
    with open_ledger(ws.ledger_path) as ledger:
        for (expert_id, month), amounts in ledger.pay_month_totals(months).items():
            by_month[month][expert_id] = amounts
        for month in months:
            paid[month] = ledger.is_closed(month)
            closed = closed_result(ws, ledger, month) if paid[month] else None
            if closed is not None:
                by_month[month] = _as_closed(closed, by_month[month])
    totals: dict[str, list] = {}
    for month in months:
        for expert_id, (fee, travel) in by_month[month].items():
            entry = totals.setdefault(expert_id, [0, 0, ZERO, ZERO])
            entry[0] += 1
            entry[1] += 0 if paid[month] else 1
            entry[2] += fee
            entry[3] += travel
    return [YearTotals(register.experts[expert_id], *totals[expert_id]) for expert_id in sorted(totals)
            if expert_id in register.experts]


def _as_closed(closed: dict, counted: dict[str, tuple[Decimal, Decimal]]) -> dict[str, tuple[Decimal, Decimal]]:
    """A closed month's amounts by expert as its kept workbook holds them; an expert the ledger counts but the
    copy does not is there with nothing paid (as on their statement)."""
    fees: dict[str, Decimal] = {}
    travel: dict[str, Decimal] = {}
    for entry in closed.get("experts", []):
        expert_id = str(entry["expert_id"])
        fees[expert_id] = fees.get(expert_id, ZERO) + Decimal(entry["fee_eur"])
        travel[expert_id] = travel.get(expert_id, ZERO) + Decimal(entry["travel_eur"])
    return {e: (fees.get(e, ZERO), travel.get(e, ZERO)) for e in set(fees) | set(counted)}


__all__ = ["Statement", "YearTotals", "check_year", "collect_statements", "year_totals"]
