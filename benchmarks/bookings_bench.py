"""The bookings section of bench.py: a workspace of N experts and 10 × N bookings.

Times, as medians of 5 after a warm-up, and as ratios to the coordinator's month page in the same run:
the bookings lists the pages show (the month's bookings, the open requests) and a match (the library calls
the page makes), the coordinator's pages themselves (/bookings for the month, a request with its candidates),
and issuing the month's hour forms with their booked sessions prefilled against issuing a month without bookings.
"""

from __future__ import annotations

import importlib
import random
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from kokemus_docs.core.month import Month

BOOKED_MONTH = Month("2026-03")   # bench.MONTH: the month page and the prefilled forms
EMPTY_MONTH = Month("2026-05")    # no bookings: the forms as they were before bookings
BOOKINGS_PER_EXPERT = 10


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _timed(call, runs: int = 5, clock_of=time.perf_counter) -> float:
    """Median seconds of `runs` calls after a warm-up (wall clock, or `time.process_time` for CPU)."""
    call()
    times = []
    for _ in range(runs):
        started = clock_of()
        call()
        times.append(clock_of() - started)
    return _median(times)


def fill_bookings(ws, register, per_expert: int = BOOKINGS_PER_EXPERT, seed: int = 7) -> dict[str, int]:
    """Bulk-load bookings in one transaction: about half booked in the booked month (a few sessions cancelled),
    the rest requested, offered, unfilled or cancelled across the year. Returns counts by state."""
    from kokemus_docs.bookings import BookingRequest, SessionTime
    from kokemus_docs.bookings import ledger as store
    from kokemus_docs.core.ledger import Ledger

    rng = random.Random(seed)
    contracts = sorted(register.contracts.values(), key=lambda c: c.contract_id)
    requested_at = datetime(2026, 1, 5, 9, 0)
    counts: dict[str, int] = {}
    # A year of a busy programme: most requests booked (spread over the months), a few open, unfilled or
    # cancelled; the open ones wait in the booked month.
    states = ("booked",) * 16 + ("requested", "offered", "unfilled", "cancelled")
    with Ledger(ws.ledger_path) as ledger, ledger.transaction():
        for index in range(per_expert * len(contracts)):
            contract = contracts[index % len(contracts)]
            state = states[rng.randrange(len(states))]
            month = 3 if state in ("requested", "offered") else 1 + index // len(contracts) % 12
            day = date(2026, month, 1) + timedelta(days=rng.randrange(27))
            start = clock(8 + rng.randrange(8))
            sessions = (SessionTime(day, start, clock(start.hour + 1)),)
            request = BookingRequest(unit_id=contract.unit_id, task=contract.tasks[0], sessions=sessions,
                                     topics=register.experts[contract.expert_id].topics[:1], language="any")
            booking_id = store.insert_booking(ledger, request, requested_at=requested_at, actor="bench")
            if state in ("booked", "offered"):
                offer = store.add_offer(ledger, booking_id, contract.expert_id, at=requested_at, actor="bench")
                if state == "booked":
                    store.close_offer(ledger, offer, "accepted", at=requested_at)
                    store.set_state(ledger, booking_id, status="booked", expert_id=contract.expert_id,
                                    contract_id=contract.contract_id, booked_at=requested_at)
                    if rng.random() < 0.1:
                        store.cancel_sessions(ledger, booking_id, [1], datetime.combine(day, clock(7)))
                else:
                    store.set_state(ledger, booking_id, status="offered", expert_id=contract.expert_id)
            elif state == "unfilled":
                store.set_state(ledger, booking_id, status="unfilled", reason="no expert free")
            elif state == "cancelled":
                store.cancel_sessions(ledger, booking_id, [1], requested_at)
                store.set_state(ledger, booking_id, status="cancelled", cancelled_at=requested_at)
            counts[state] = counts.get(state, 0) + 1
    return counts


def _issue_function():
    return importlib.import_module("kokemus_docs.forms.issue").issue_forms


def bookings_speed(root: Path, client_factory) -> dict:
    """The section's measurements; `client_factory()` gives a logged-in coordinator's Flask test client."""
    from kokemus_docs.bookings import candidates, list_bookings, open_requests
    from kokemus_docs.core.workspace import Workspace
    from kokemus_docs.register.sheets import load_register

    ws = Workspace.open(root)
    register = load_register(ws.register_path).register
    counts = fill_bookings(ws, register)
    now = datetime(2026, 2, 1, 9, 0)
    client = client_factory()
    month_page = _timed(lambda: client.get(f"/months/{BOOKED_MONTH}"))
    month_list = _timed(lambda: list_bookings(ws, month=BOOKED_MONTH, now=now))
    waiting = open_requests(ws, now=now)
    queue = _timed(lambda: open_requests(ws, now=now))
    target = next(b for b in waiting if b.status == "requested")
    match = _timed(lambda: candidates(ws, register, target.booking_id, now=now))
    queue_page = _timed(lambda: client.get(f"/bookings?month={BOOKED_MONTH}"))
    booking_page = _timed(lambda: client.get(f"/bookings/{target.booking_id}"))
    issue = _issue_function()
    # Processor time: writing N files to a shared disk varies by more than the prefilled rows cost.
    with_sessions = _timed(lambda: issue(ws, register, month=BOOKED_MONTH), 3, time.process_time)
    without = _timed(lambda: issue(ws, register, month=EMPTY_MONTH), 3, time.process_time)
    return {
        "experts": len(register.experts), "bookings": sum(counts.values()), "by_state": counts,
        "month_page_s": month_page, "bookings_month_list_s": month_list, "open_requests_s": queue,
        "open_requests": len(waiting), "match_s": match, "match_candidates": len(candidates(ws, register,
                                                                                            target.booking_id,
                                                                                            now=now)[1]),
        "ratio_month_list_to_month_page": month_list / month_page, "ratio_open_requests_to_month_page":
            queue / month_page, "ratio_match_to_month_page": match / month_page,
        "bookings_page_s": queue_page, "booking_page_s": booking_page,
        "ratio_bookings_page_to_month_page": queue_page / month_page,
        "ratio_booking_page_to_month_page": booking_page / month_page,
        "forms_prefilled_cpu_s": with_sessions, "forms_without_bookings_cpu_s": without,
        "ratio_forms_prefilled_to_without": with_sessions / without,
        "within_200ms": max(month_list, queue, match, queue_page, booking_page) < 0.2,
        "forms_within_1_2x": with_sessions / without <= 1.2,
        "seconds": max(month_list, queue, match, queue_page, booking_page), "documents": 1, "complete": True,
    }
