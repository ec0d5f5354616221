"""A corrected hour form received after its payroll month was closed: what changes in what is paid.

The closed month stays exactly as it was paid. The correction is compared with what was paid for the form
(its lines plus any adjustments already paid in closed months), row by row: a row is the same row when its
date, start, end and task are the same.

- what the correction pays more (a new row, a fee now payable, travel now approved) is paid as adjustment
  lines with the next open payroll month;
- what was paid but the correction no longer pays (a row removed, a fee no longer payable, travel dropped)
  is listed as withdrawn, for the coordinator to settle with the expert: nothing is recovered automatically.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from kokemus_docs.core.month import Month
from kokemus_docs.core.paydates import payment_date
from kokemus_docs.core.records import Adjustment, LedgerLine

ZERO = Decimal("0.00")


@dataclass
class Correction:
    """The differences a correction makes, and which payroll months they concern."""

    paid_month: Month  # the closed payroll month that paid the form
    pay_month: Month  # the open payroll month that pays `additional` and lists `withdrawn`
    additional: list[LedgerLine] = field(default_factory=list)  # fee_eur/travel_eur: the difference to pay
    withdrawn: list[LedgerLine] = field(default_factory=list)  # fee_eur/travel_eur: what was paid too much

    @property
    def paid_on(self) -> date:
        """The payment day of the closed month that paid the form."""
        return payment_date(self.paid_month)

    @property
    def pays_on(self) -> date:
        """The payment day of the month that pays the additional rows."""
        return payment_date(self.pay_month)

    @property
    def additional_total(self) -> Decimal:
        return sum((ln.fee_eur + ln.travel_eur for ln in self.additional), ZERO)

    @property
    def withdrawn_total(self) -> Decimal:
        return sum((ln.fee_eur + ln.travel_eur for ln in self.withdrawn), ZERO)


def paid_amounts(line: LedgerLine) -> tuple[Decimal, Decimal]:
    """(fee, travel) a ledger line pays."""
    return (line.fee_eur if line.payable else ZERO), line.travel_eur


def row_key(line: LedgerLine) -> tuple:
    return line.work_date, line.start, line.end, line.task


def compare(paid: list[LedgerLine], adjustments: list[Adjustment], corrected: list[LedgerLine]
            ) -> tuple[list[LedgerLine], list[LedgerLine]]:
    """(additional, withdrawn): how `corrected` differs from what `paid` and the paid `adjustments` paid."""
    was: dict[tuple, list] = {}
    for line in paid:
        fee, travel = paid_amounts(line)
        entry = was.setdefault(row_key(line), [ZERO, ZERO, line])
        entry[0] += fee
        entry[1] += travel
    for adjustment in adjustments:
        sign = 1 if adjustment.kind == "additional" else -1
        fee, travel = adjustment.line.fee_eur, adjustment.line.travel_eur
        entry = was.setdefault(row_key(adjustment.line), [ZERO, ZERO, adjustment.line])
        entry[0] += sign * fee
        entry[1] += sign * travel
    now: dict[tuple, list] = {}
    for line in corrected:
        fee, travel = paid_amounts(line)
        entry = now.setdefault(row_key(line), [ZERO, ZERO, line])
        entry[0] += fee
        entry[1] += travel

    additional: list[LedgerLine] = []
    withdrawn: list[LedgerLine] = []
    for key in [*now, *(k for k in was if k not in now)]:
        new_fee, new_travel, new_line = now.get(key, [ZERO, ZERO, None])
        old_fee, old_travel, old_line = was.get(key, [ZERO, ZERO, None])
        more_fee, more_travel = max(new_fee - old_fee, ZERO), max(new_travel - old_travel, ZERO)
        less_fee, less_travel = max(old_fee - new_fee, ZERO), max(old_travel - new_travel, ZERO)
        if more_fee or more_travel:
            additional.append(dataclasses.replace(new_line, fee_eur=more_fee, travel_eur=more_travel,
                                                  payable=more_fee > 0))
        if less_fee or less_travel:
            withdrawn.append(dataclasses.replace(old_line, fee_eur=less_fee, travel_eur=less_travel,
                                                 payable=less_fee > 0))
    return additional, withdrawn


__all__ = ["Correction", "compare", "paid_amounts", "row_key"]
