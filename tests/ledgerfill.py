"""Filling a ledger by hand for the payroll, notice and indicator tests (no hour-form PDFs needed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.month import Month
from kokemus_docs.core.records import FormRecord, LedgerLine
from kokemus_docs.forms.fields import form_id_for

INJECTION = '=HYPERLINK("http://x","y")'
MONTH = Month("2026-10")

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
    work_month = Month.parse(month)
    form_id = form_id_for(contract_id, work_month)
    record = FormRecord(form_id=form_id, contract_id=contract_id, expert_id=expert_id, unit_id=unit_id,
                        month=work_month, pay_month=Month.parse(pay_month or month),
                        received_on=received_on or work_month.first_day.replace(day=28),
                        late=late, warnings=list(warnings or []))
    with ledger.transaction():
        submission = ledger.record_submission(sha256=f"sha-{form_id}", file_name=f"{form_id}.pdf",
                                              received_on=record.received_on, status="accepted", form_id=form_id,
                                              problems=[])
        ledger.store_form(record, lines, submission)
    return record


def fill_sample_ledger(ledger_path) -> None:
    """October 2026 work for the conftest register, a late September form paid in October, a November form.

    October by hand: KA-001/410120 fees 192.50 + travel 12.40; KA-001/440110 150.00; KA-002/410120 50.00
    (late, September); KA-004/440110 50.00; KA-012/410120 450.00. Total 904.90.
    """
    d = date
    with Ledger(ledger_path) as ledger:
        add_form(ledger, "S-2026-001", "KA-001", "MTP-PORVOO", MONTH, [
            line(1, d(2026, 10, 5), "individual", "held", "50.00", income_type="210"),
            line(2, d(2026, 10, 12), "group", "held", "25.00", hours="1.5", basis="hour", income_type="210"),
            line(3, d(2026, 10, 20), "group", "held", "27.50", hours="2", basis="hour", income_type="210"),
            line(4, d(2026, 10, 21), "individual", "cancelled_in_time", "50.00", income_type="210"),
            line(5, d(2026, 10, 22), "common_meeting", "held", "50.00", basis="event", travel="12.40",
                 travel_ref="Porvoo–Helsinki", income_type="210"),
            line(6, d(2026, 10, 23), "individual", "expert_ill", "50.00", income_type="210"),
        ], warnings=[{"message": "travel reimbursement agreed by phone", "row": 5, "field": "row05_travel_ref"}])
        add_form(ledger, "S-2026-015", "KA-001", "IKÄ-PORVOO", MONTH, [
            # income type left empty: payroll takes it from the fee table (lecture -> 214)
            line(1, d(2026, 10, 8), "lecture", "held", "150.00", basis="event", notes=INJECTION),
        ])
        add_form(ledger, "S-2026-012", "KA-012", "MTP-PORVOO", MONTH, [
            line(1, d(2026, 10, 14), "lecture", "cancelled_late", "150.00", basis="event", income_type="214"),
            line(2, d(2026, 10, 28), "development", "held", "300.00", basis="event", income_type="210"),
        ])
        add_form(ledger, "S-2026-004", "KA-004", "IKÄ-PORVOO", MONTH, [
            line(1, d(2026, 10, 2), "individual", "no_show", "50.00", income_type="210"),
        ])
        add_form(ledger, "S-2026-002", "KA-002", "MTP-PORVOO", "2026-09", [
            line(1, d(2026, 9, 28), "individual", "held", "50.00", income_type="210"),
        ], pay_month=MONTH, late=True, received_on=d(2026, 10, 20))
        add_form(ledger, "S-2026-003", "KA-003", "PERHE-LOVIISA", "2026-11", [
            line(1, d(2026, 11, 3), "pair", "held", "50.00", income_type="210"),
        ])
