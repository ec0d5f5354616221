"""What bookings put on the month's hour forms, and what ingest checks against them.

A form comes out with that month's booked sessions of its contract already listed (date, start, end, task;
status and cancellation time for cancelled ones); the expert marks what happened and adds unbooked work. At
ingest a row that matches a booked session takes its cancellation time from the booking (intake.rules).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from kokemus_docs.bookings import ledger as store
from kokemus_docs.core.ledger import Ledger, open_ledger
from kokemus_docs.core.month import Month
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.intake.rules import status_by_rule


@dataclass(frozen=True)
class BookedRow:
    """One booked session as its hour form row starts: status and cancelled_at only for a cancelled one."""

    day: date
    start: time
    end: time
    task: str
    status: str | None = None
    cancelled_at: datetime | None = None


def booked_rows(ws: Workspace, contract_ids: Sequence[str], month: Month, *,
                ledger: Ledger | None = None) -> dict[str, list[BookedRow]]:
    """Each contract's booked sessions in `month`, in date order (contracts without any are left out)."""
    first, last = month.period
    cutoff = ws.cancellation_cutoff
    if ledger is None:
        with open_ledger(ws.ledger_path) as own:
            rows = store.contract_sessions(own, list(contract_ids), first, last)
    else:
        rows = store.contract_sessions(ledger, list(contract_ids), first, last)
    found: dict[str, list[BookedRow]] = {}
    for r in rows:
        day = date.fromisoformat(r["work_date"])
        cancelled_at = datetime.fromisoformat(r["cancelled_at"]) if r["cancelled_at"] else None
        found.setdefault(r["contract_id"], []).append(BookedRow(
            day=day, start=time.fromisoformat(r["start"]), end=time.fromisoformat(r["end"]), task=r["task"],
            status=status_by_rule(cancelled_at, day, cutoff) if cancelled_at else None, cancelled_at=cancelled_at))
    return found


def recorded_cancellations(ws: Workspace, ledger: Ledger, contract_id: str,
                           month: Month) -> dict[tuple[date, time], datetime | None]:
    """(date, start) of each booked session of the contract in `month` → when it was cancelled (None: not);
    empty for a month that is not one (the form's own checks say so)."""
    try:
        rows = booked_rows(ws, [contract_id], month, ledger=ledger).get(contract_id, [])
    except ValueError:
        return {}
    return {(row.day, row.start): row.cancelled_at for row in rows}
