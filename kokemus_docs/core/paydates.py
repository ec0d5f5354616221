"""The fee calendar: when the notice for a month's work is due and when the fees are paid.

Rule 7 of the fee rules: work of month M is notified to the unit by the 9th of M+1 and paid, in
arrears, on the last day of M+1. A pay day on a weekend or a bank holiday moves to the previous
banking day.

Finnish banking days: Monday to Friday except the days the banks are closed. Those are the weekday
holidays of `holidays.Finland()` (its default "public" category): New Year's Day, Epiphany, Good
Friday, Easter Monday, May Day, Ascension Day, Midsummer Eve, Independence Day, Christmas Eve,
Christmas Day and Boxing Day. Its other entries (Easter Sunday, Pentecost, Midsummer Day, All
Saints' Day) always fall on a weekend. New Year's Eve is not in it and is a banking day (banks close
early, payments still go through), so a fee due on 31 December is paid that day.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache

import holidays

from kokemus_docs.core.month import Month


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.Finland(years=year))


def is_banking_day(day: date) -> bool:
    """True on the days Finnish banks execute payments (weekdays that are not bank holidays)."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def previous_banking_day(day: date) -> date:
    """`day` itself if it is a banking day, else the latest banking day before it."""
    while not is_banking_day(day):
        day -= timedelta(days=1)
    return day


def notice_deadline(service_month: Month, notice_day: int = 9) -> date:
    """The day the fee notice for work done in `service_month` must reach the unit (9th of the next month)."""
    first = service_month.last_day + timedelta(days=1)
    return first.replace(day=min(notice_day, calendar.monthrange(first.year, first.month)[1]))


def payment_date(service_month: Month) -> date:
    """The day fees for work done in `service_month` are paid: last banking day on or before the end of M+1."""
    first = service_month.last_day + timedelta(days=1)
    return previous_banking_day(first.replace(day=calendar.monthrange(first.year, first.month)[1]))


def first_payable_month(month: Month, received_on: date, is_closed: Callable[[Month], bool],
                        notice_day: int = 9) -> Month:
    """The payroll month that pays a form for work of `month` received on `received_on`: the first month from
    `month` on that is still open and whose notice day has not passed when the form arrives (a form received on
    1.12. for September is paid with November, notice 9.12., not with October, paid 30.11.)."""
    while is_closed(month) or notice_deadline(month, notice_day) < received_on:
        month = month.next()
    return month
