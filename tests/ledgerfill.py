"""Filling a ledger by hand for the payroll, notice and indicator tests (no hour-form PDFs needed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kokemus_docs.ledger import FormRecord, Ledger, LedgerLine

# Statuses whose fee is paid (fee rules 3-6); the others pay nothing.
PAYABLE = {"held", "cancelled_late", "no_show", "group_no_participants"}


def line(row: int, day: date, task: str, status: str, rate: str, *, hours: str = "1", basis: str = "session",
         fee: str | None = None, travel: str = "0", income_type: str = "", notes: str = "",
         travel_ref: str = "") -> LedgerLine:
    """A ledger line; the fee defaults to rate × hours for hourly work, else the rate, when payable."""
    payable = status in PAYABLE
    rate_eur = Decimal(rate)
    if fee is None:
        amount = rate_eur * Decimal(hours) if basis == "hour" else rate_eur
        fee_eur = amount if payable else Decimal("0")
    else:
        fee_eur = Decimal(fee)
    return LedgerLine(row=row, work_date=day, start="9.00", end="10.30", task=task, status=status,
                      hours=Decimal(hours), participants=None, payable=payable, basis=basis, rate_eur=rate_eur,
                      fee_eur=fee_eur, travel_eur=Decimal(travel), travel_ref=travel_ref, income_type=income_type,
                      notes=notes)


def add_form(ledger: Ledger, contract_id: str, expert_id: str, unit_id: str, month: str, lines: list[LedgerLine],
             *, pay_month: str | None = None, late: bool = False, received_on: date | None = None,
             warnings: list[dict] | None = None) -> FormRecord:
    """Record an accepted form the way ingest does: a submission and the form, in one transaction."""
    form_id = f"{contract_id}_{month}"
    record = FormRecord(form_id=form_id, contract_id=contract_id, expert_id=expert_id, unit_id=unit_id,
                        month=month, pay_month=pay_month or month,
                        received_on=received_on or date(int(month[:4]), int(month[5:]), 28),
                        late=late, warnings=list(warnings or []))
    with ledger.transaction():
        submission = ledger.record_submission(sha256=f"sha-{form_id}", file_name=f"{form_id}.pdf",
                                              received_on=record.received_on, status="accepted", form_id=form_id,
                                              problems=[])
        ledger.store_form(record, lines, submission)
    return record
