"""Demand for the service (§8) as the requests show it, met or not: per month of the request, unit, task and
topic, how many were asked for, booked, left unfilled (and why), cancelled and still open, how many offers the
experts declined, and the median days from a request to its booking."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median

from kokemus_docs.bookings import ledger as store
from kokemus_docs.bookings.model import Booking
from kokemus_docs.core.ledger import open_ledger
from kokemus_docs.core.month import Month
from kokemus_docs.core.topics import topic_names
from kokemus_docs.core.workspace import Workspace


@dataclass
class DemandTally:
    """The requests of one group (a month, a unit, a task, a topic, or all)."""

    requested: int = 0
    booked: int = 0       # booked or done
    unfilled: int = 0
    cancelled: int = 0
    open: int = 0         # still requested or offered
    declined_offers: int = 0
    days_to_book: list[int] = field(default_factory=list)
    unfilled_reasons: Counter = field(default_factory=Counter)

    def add(self, booking: Booking) -> None:
        self.requested += 1
        self.declined_offers += booking.declined_offers
        if booking.status in ("booked", "done"):
            self.booked += 1
        elif booking.status == "unfilled":
            self.unfilled += 1
            self.unfilled_reasons[" ".join((booking.reason or "-").split())[:200]] += 1
        elif booking.status == "cancelled":
            self.cancelled += 1
        else:
            self.open += 1
        if booking.booked_at is not None:
            self.days_to_book.append(max(0, (booking.booked_at.date() - booking.requested_on).days))

    @property
    def median_days_to_book(self) -> float | None:
        return float(median(self.days_to_book)) if self.days_to_book else None

    def as_json(self) -> dict:
        return {"requested": self.requested, "booked": self.booked, "unfilled": self.unfilled,
                "cancelled": self.cancelled, "open": self.open, "declined_offers": self.declined_offers,
                "median_days_to_book": self.median_days_to_book}


@dataclass
class DemandFigures:
    year: int
    total: DemandTally = field(default_factory=DemandTally)
    by_month: dict[Month, DemandTally] = field(default_factory=lambda: defaultdict(DemandTally))
    by_unit: dict[str, DemandTally] = field(default_factory=lambda: defaultdict(DemandTally))
    by_task: dict[str, DemandTally] = field(default_factory=lambda: defaultdict(DemandTally))
    by_topic: dict[str, DemandTally] = field(default_factory=lambda: defaultdict(DemandTally))
    topic_labels: dict[str, str] = field(default_factory=dict)  # topic key -> "fi / sv"

    def as_json(self) -> dict:
        """SPEC.md's `indicators --json` "demand"."""
        return {**self.total.as_json(), "unfilled_reasons": dict(self.total.unfilled_reasons.most_common()),
                "by_month": {k: v.as_json() for k, v in sorted(self.by_month.items())},
                "by_unit": {k: v.as_json() for k, v in sorted(self.by_unit.items())},
                "by_task": {k: v.as_json() for k, v in sorted(self.by_task.items())},
                "by_topic": {self.topic_labels[k]: v.as_json() for k, v in sorted(self.by_topic.items())}}


def demand_figures(ws: Workspace, year: int, *, now: datetime | None = None) -> DemandFigures:
    """Every request made in `year` (by the day it was made), tallied."""
    figures = DemandFigures(year)
    with open_ledger(ws.ledger_path) as ledger:
        found = store.bookings(ledger, now=(now or datetime.now()).replace(microsecond=0),
                               cutoff=ws.cancellation_cutoff, requested_year=year)
    for booking in found:
        groups = [figures.total, figures.by_month[Month.containing(booking.requested_at.date())],
                  figures.by_unit[booking.unit_id], figures.by_task[booking.task]]
        keys = []
        for typed in booking.topics:
            key, fi, sv = topic_names(typed)
            if key not in keys:
                keys.append(key)
                figures.topic_labels.setdefault(key, fi if fi == sv else f"{fi} / {sv}")
        groups += [figures.by_topic[key] for key in keys]
        for tally in groups:
            tally.add(booking)
    return figures
