"""Warnings before an expert's declared monthly limit is passed, by payment date.

An expert may ask to be warned when the fees paid to them on one payment date (every unit and income type
together, corrections included; travel reimbursements are not earnings) come near or pass an amount they name:
`earnings_limit_eur` on the experts sheet. The reason (a pension, a rehabilitation subsidy, an unemployment
benefit) is never asked and never stored. Only the expert, the coordinator and payroll ever see these texts;
nothing about a limit goes on anything a unit reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kokemus_docs.core.errors import Problem
from kokemus_docs.core.formatting import fi_date, money
from kokemus_docs.core.model import Expert, Register

NEAR_SHARE = Decimal("0.80")  # from 80 % of the limit: near it
MONTHS_IN_A_ROW = 3  # payment months over the limit in a row that get their own warning
ZERO = Decimal("0.00")


def limit_state(fee: Decimal, limit: Decimal | None) -> str | None:
    """'over-limit' when `fee` is more than `limit`, 'near-limit' from 80 % of it, else None."""
    if limit is None:
        return None
    if fee > limit:
        return "over-limit"
    if fee >= limit * NEAR_SHARE and fee > 0:
        return "near-limit"
    return None


@dataclass(frozen=True)
class LimitFinding:
    """One expert's fees on one payment date against their limit. `code`: near-limit, over-limit or
    over-limit-3 (the third payment month or more in a row over it; `months` says how many)."""

    expert_id: str
    code: str
    fee: Decimal
    limit: Decimal
    payment_date: date
    months: int = 1

    def text(self, language: str) -> str:
        """The finding for the coordinator or payroll, in Finnish or Swedish."""
        day, fee, limit = fi_date(self.payment_date), money(self.fee), money(self.limit)
        if language == "sv":
            return {
                "near-limit": f"Arvoden som betalas {day}: {fee}, minst 80 % av expertens gräns {limit}.",
                "over-limit": f"Arvoden som betalas {day}: {fee}, över expertens gräns {limit}.",
                "over-limit-3": f"Arvodena har varit över expertens gräns {limit} {self.months} "
                                f"utbetalningsmånader i rad (senast {day}: {fee}).",
            }[self.code]
        return {
            "near-limit": f"Maksupäivänä {day} maksettavat palkkiot {fee}, vähintään 80 % asiantuntijan rajasta "
                          f"{limit}.",
            "over-limit": f"Maksupäivänä {day} maksettavat palkkiot {fee} ylittävät asiantuntijan rajan {limit}.",
            "over-limit-3": f"Palkkiot ovat ylittäneet asiantuntijan rajan {limit} {self.months} maksukuukautena "
                            f"peräkkäin (viimeksi {day}: {fee}).",
        }[self.code]

    def problem(self) -> Problem:
        """The warning for the terminal and --json (the expert's id, never their name or the reason)."""
        day, fee, limit = self.payment_date.isoformat(), money(self.fee), money(self.limit)
        message = {
            "near-limit": f"Expert {self.expert_id}: fees paid on {day} come to {fee}, at least 80 % of the "
                          f"limit {limit} the expert asked to be warned about.",
            "over-limit": f"Expert {self.expert_id}: fees paid on {day} come to {fee}, over the limit {limit} "
                          "the expert asked to be warned about.",
            "over-limit-3": f"Expert {self.expert_id}: fees have been over the limit {limit} for {self.months} "
                            f"payment months in a row (this one, {day}: {fee}). Talk it over with the expert.",
        }[self.code]
        return Problem(message, sheet="experts", field="earnings_limit_eur", code=self.code)


def limit_findings(register: Register, month_fees: list[dict[str, Decimal]], paid_on: date) -> list[LimitFinding]:
    """The findings of one payment date. `month_fees` holds each expert's fees per payroll month, this month
    first, then the months before it in order (at least MONTHS_IN_A_ROW - 1 of them for `over-limit-3`)."""
    findings: list[LimitFinding] = []
    current = month_fees[0] if month_fees else {}
    for expert_id in sorted(current):
        expert = register.experts.get(expert_id)
        if expert is None or expert.earnings_limit_eur is None:
            continue
        limit = expert.earnings_limit_eur
        fee = current[expert_id]
        state = limit_state(fee, limit)
        if state is None:
            continue
        findings.append(LimitFinding(expert_id, state, fee, limit, paid_on))
        if state == "over-limit":
            months = 1
            for earlier in month_fees[1:]:
                if earlier.get(expert_id, ZERO) <= limit:
                    break
                months += 1
            if months >= MONTHS_IN_A_ROW:
                findings.append(LimitFinding(expert_id, "over-limit-3", fee, limit, paid_on, months))
    return findings


def experts_with_limits(register: Register) -> set[str]:
    return {e.expert_id for e in register.experts.values() if e.earnings_limit_eur is not None}


def expected_text(expert: Expert, paid_on: date, fee: Decimal, language: str | None = None) -> str:
    """'expected on 31.12.2026: 842,50 €; your limit 1 000,00 €' in the expert's language, for the expert
    only; '' when the expert has declared no limit."""
    limit = expert.earnings_limit_eur
    if limit is None:
        return ""
    language = language or expert.document_language
    day, amount, most = fi_date(paid_on), money(fee), money(limit)
    if language == "sv":
        text = f"Väntad utbetalning {day}: {amount}; din gräns {most}."
        state = {"near-limit": " Det är minst 80 % av din gräns.", "over-limit": " Det är över din gräns."}
    else:
        text = f"Odotettu maksu {day}: {amount}; ilmoittamasi raja {most}."
        state = {"near-limit": " Se on vähintään 80 % rajastasi.", "over-limit": " Se ylittää rajasi."}
    return text + state.get(limit_state(fee, limit) or "", "")


__all__ = ["LimitFinding", "NEAR_SHARE", "MONTHS_IN_A_ROW", "expected_text", "experts_with_limits",
           "limit_findings", "limit_state"]
