from __future__ import annotations

from datetime import date

import pytest

from kokemus_docs.core.month import Month
from kokemus_docs.core.paydates import is_banking_day, notice_deadline, payment_date, previous_banking_day


@pytest.mark.parametrize("service_month, paid_on", [
    pytest.param("2026-04", date(2026, 5, 29), id="31.5.2026-sunday-to-friday"),
    pytest.param("2025-12", date(2026, 1, 30), id="31.1.2026-saturday-to-friday-across-year"),
    pytest.param("2026-11", date(2026, 12, 31), id="new-years-eve-thursday-is-a-banking-day"),
    pytest.param("2027-11", date(2027, 12, 31), id="new-years-eve-friday"),
    pytest.param("2026-09", date(2026, 10, 30), id="31.10.2026-saturday"),
    pytest.param("2024-02", date(2024, 3, 28), id="easter-sunday-and-good-friday-skipped"),
    pytest.param("2026-05", date(2026, 6, 30), id="plain-tuesday"),
])
def test_payment_date(service_month, paid_on):
    assert payment_date(Month(service_month)) == paid_on
    assert is_banking_day(paid_on)


@pytest.mark.parametrize("day", [
    pytest.param(date(2026, 12, 24), id="christmas-eve"),
    pytest.param(date(2026, 6, 19), id="midsummer-eve"),
    pytest.param(date(2026, 5, 1), id="may-day"),
    pytest.param(date(2026, 1, 6), id="epiphany"),
    pytest.param(date(2026, 5, 14), id="ascension"),
    pytest.param(date(2026, 4, 6), id="easter-monday"),
    pytest.param(date(2026, 5, 30), id="saturday"),
])
def test_bank_holidays_are_not_banking_days(day):
    assert not is_banking_day(day)


def test_previous_banking_day_over_christmas():
    # 26.12.2027 is a Sunday; 25 (Sat) and 24 (Christmas Eve, Fri) are closed too.
    assert previous_banking_day(date(2027, 12, 26)) == date(2027, 12, 23)


@pytest.mark.parametrize("service_month, due", [
    ("2026-10", date(2026, 11, 9)),
    ("2026-12", date(2027, 1, 9)),
    ("2026-01", date(2026, 2, 9)),
])
def test_notice_deadline_is_ninth_of_next_month(service_month, due):
    assert notice_deadline(Month(service_month)) == due


def test_notice_day_setting_is_clamped_to_month_length():
    assert notice_deadline(Month("2026-10"), notice_day=15) == date(2026, 11, 15)
    assert notice_deadline(Month("2026-01"), notice_day=31) == date(2026, 2, 28)
