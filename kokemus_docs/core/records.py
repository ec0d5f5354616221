"""What the ledger records about returned hour forms: an accepted form, its lines, corrections' adjustments, and a
form's state as the month's overview shows it. Money is Decimal, never float."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from kokemus_docs.core.month import Month


@dataclass(frozen=True)
class LedgerLine:
    """One row of an accepted hour form, with what it pays. Money is Decimal, never float."""

    row: int
    work_date: date
    start: str
    end: str
    task: str
    status: str
    hours: Decimal
    participants: int | None
    payable: bool
    basis: str
    rate_eur: Decimal
    fee_eur: Decimal
    travel_eur: Decimal
    travel_ref: str = ""
    income_type: str = ""
    notes: str = ""
    form_id: str = ""


@dataclass
class FormRecord:
    """An accepted hour form: whose, which month, when received, and which payroll run pays it."""

    form_id: str
    contract_id: str
    expert_id: str
    unit_id: str
    month: Month
    pay_month: Month
    received_on: date
    late: bool = False
    signed_on: date | None = None
    versions: int = 1
    warnings: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Adjustment:
    """A difference between a correction sent after its month was closed and what had been paid for the form.

    'additional': the corrected row pays more than was paid (a new row, a higher fee, travel now approved);
    the line's fee_eur and travel_eur hold the difference, paid with the payroll of `pay_month`.
    'withdrawn': a row that was paid is gone from the correction or now pays less; fee_eur and travel_eur hold
    what was paid too much, for the coordinator to settle with the expert (listed in `pay_month`'s checks).
    """

    form_id: str
    pay_month: Month
    kind: str
    line: LedgerLine
    received_on: date
    submission_id: int

    @property
    def amount(self) -> Decimal:
        return self.line.fee_eur + self.line.travel_eur


@dataclass
class FormState:
    """What the ledger holds about one hour form, as the month's overview shows it.

    `status` is 'accepted', 'replaced' (accepted in more than one version) or 'rejected' (only rejected copies
    came in; `problems` are the latest rejection's); `fee_eur` sums the payable fees, `travel_eur` the travel.
    """

    status: str
    received_on: str
    versions: int = 0
    late: bool = False
    pay_month: Month | None = None
    fee_eur: Decimal = Decimal("0.00")
    travel_eur: Decimal = Decimal("0.00")
    problems: list[dict] = field(default_factory=list)
