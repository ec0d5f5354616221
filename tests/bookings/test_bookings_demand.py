"""Demand (§8) from the requests, met or not: `indicators --json` "demand" and the workbook's request sheets."""

from __future__ import annotations

from datetime import date, datetime, time

from openpyxl import load_workbook
from openpyxl.chart import BarChart

from kokemus_docs.bookings import (
    BookingRequest,
    SessionTime,
    add_booking,
    answer_offer,
    cancel_booking,
    close_unfilled,
    offer_booking,
)
from kokemus_docs.indicators.workbook import write_indicators


def request(unit_id: str, task: str, day: date, topics=()) -> BookingRequest:
    return BookingRequest(unit_id=unit_id, task=task, topics=tuple(topics),
                          sessions=(SessionTime(day, time(10), time(11)),))


def test_demand_counts_every_request(workspace, register):
    sept, octo = datetime(2026, 9, 1, 9), datetime(2026, 10, 1, 9)
    ws = workspace
    # September: booked after 3 days with one declined offer first; unfilled; cancelled
    first = add_booking(ws, register, request("MTP-PORVOO", "individual", date(2026, 9, 20), ["mielenterveys"]),
                        now=sept)
    offer_booking(ws, register, first.booking_id, "KA-008", now=sept)
    answer_offer(ws, register, first.booking_id, accept=False, now=sept)
    offer_booking(ws, register, first.booking_id, "KA-001", now=sept)
    answer_offer(ws, register, first.booking_id, accept=True, now=datetime(2026, 9, 4, 12))
    lonely = add_booking(ws, register, request("IKÄ-PORVOO", "lecture", date(2026, 9, 25), ["äldre"]), now=sept)
    close_unfilled(ws, register, lonely.booking_id, "ei vapaita luennoitsijoita", now=sept)
    gone = add_booking(ws, register, request("IKÄ-PORVOO", "lecture", date(2026, 9, 26), ["ikääntyminen"]), now=sept)
    cancel_booking(ws, register, gone.booking_id, now=sept)
    # October: one booked the same day, one still open
    fast = add_booking(ws, register, request("MTP-PORVOO", "group", date(2026, 10, 20), ["psykisk hälsa"]), now=octo)
    offer_booking(ws, register, fast.booking_id, "KA-001", now=octo)
    answer_offer(ws, register, fast.booking_id, accept=True, now=octo)
    add_booking(ws, register, request("VAMPA-SIPOO", "individual", date(2026, 10, 22)), now=octo)

    outcome = write_indicators(ws, register, 2026)
    demand = outcome.extra["demand"]
    assert {k: demand[k] for k in ("requested", "booked", "unfilled", "cancelled", "open", "declined_offers")} == {
        "requested": 5, "booked": 2, "unfilled": 1, "cancelled": 1, "open": 1, "declined_offers": 1}
    assert demand["median_days_to_book"] == 1.5  # 3 days and 0 days
    assert demand["unfilled_reasons"] == {"ei vapaita luennoitsijoita": 1}
    assert demand["by_month"]["2026-09"]["requested"] == 3 and demand["by_month"]["2026-10"]["booked"] == 1
    assert demand["by_unit"]["IKÄ-PORVOO"] == {"requested": 2, "booked": 0, "unfilled": 1, "cancelled": 1, "open": 0,
                                              "declined_offers": 0, "median_days_to_book": None}
    # 'psykisk hälsa' and 'mielenterveys' are one topic; 'äldre' and 'ikääntyminen' another
    assert demand["by_topic"]["mielenterveys / psykisk hälsa"]["requested"] == 2
    assert demand["by_topic"]["ikääntyminen / äldre"]["requested"] == 2
    assert set(demand["by_task"]) == {"individual", "lecture", "group"}
    assert write_indicators(ws, register, 2025).extra["demand"]["requested"] == 0

    wb = load_workbook(outcome.written[0])
    months = {r[0]: r[1:] for r in wb["Pyynnöt kuukausittain"].iter_rows(values_only=True) if r[0]}
    assert months["syyskuu / september"][:6] == (3, 1, 1, 1, 0, 1)
    assert months["Yhteensä / Totalt"][:7] == (5, 2, 1, 1, 1, 1, 1.5)
    assert [type(c) for c in wb["Pyynnöt kuukausittain"]._charts] == [BarChart]
    groups = [r for r in wb["Pyynnöt ryhmittäin"].iter_rows(values_only=True) if r[0]]
    assert ("ei vapaita luennoitsijoita", 1) in [r[:2] for r in groups]
    unit = register.units["MTP-PORVOO"]  # named with & < > " ' in the fixture: kept exact
    assert f"{unit.name_fi} / {unit.name_sv}" in [r[0] for r in groups]
