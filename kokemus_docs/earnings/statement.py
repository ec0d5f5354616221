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


__all__ = ["Statement", "check_year", "collect_statements"]
