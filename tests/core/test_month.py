import json
import sqlite3
from datetime import date

import pytest

from kokemus_docs.core.errors import KokemusError
from kokemus_docs.core.month import BadMonth, Month, check_year


@pytest.mark.parametrize("text", [
    pytest.param("2026-13", id="month-13"),
    pytest.param("2026-00", id="month-0"),
    pytest.param("1999-12", id="before-2000"),
    pytest.param("2100-01", id="after-2099"),
    pytest.param("2026-1", id="one-digit"),
    pytest.param(" 2026-10", id="space"),
    pytest.param("2026-10\n", id="newline"),
    pytest.param("２０２６-10", id="fullwidth-digits"),
    pytest.param("2026/10", id="slash"),
    pytest.param("", id="empty"),
    pytest.param("x" * 10_000, id="long"),
])
def test_parse_refuses_what_is_not_a_month_in_range(text):
    with pytest.raises(BadMonth) as caught:
        Month.parse(text)
    assert caught.value.exit_code == 2 and caught.value.code == "bad-month"
    assert "YYYY-MM" in caught.value.message and len(caught.value.message) < 200
    assert not Month.is_valid(text)


def test_parse_refuses_what_is_not_text():
    for value in (None, 202610, b"2026-10"):
        with pytest.raises(KokemusError):
            Month.parse(value)
        assert not Month.is_valid(value)


@pytest.mark.parametrize("text", ["2000-01", "2026-10", "2099-12"])
def test_parse_keeps_the_text(text):
    month = Month.parse(text)
    assert month == text and str(month) == text and f"{month}" == text and hash(month) == hash(text)
    assert Month.parse(month) is month
    assert repr(month) == f"Month('{text}')"


def test_days_and_neighbours():
    feb = Month.parse("2028-02")
    assert (feb.year, feb.number) == (2028, 2)
    assert (feb.first_day, feb.last_day) == (date(2028, 2, 1), date(2028, 2, 29))
    assert feb.contains(date(2028, 2, 29)) and not feb.contains(date(2028, 3, 1))
    assert Month.parse("2026-01").previous() == "2025-12" and Month.parse("2026-12").next() == "2027-01"
    assert isinstance(Month.parse("2026-12").next(), Month)
    assert Month.containing(date(2026, 11, 30)) == "2026-11" and Month.of(2026, 3) == "2026-03"
    with pytest.raises(BadMonth):
        Month.parse("2000-01").previous()
    with pytest.raises(BadMonth):
        Month.parse("2099-12").next()


def test_order_is_time_order():
    months = [Month.parse(m) for m in ("2026-10", "2025-12", "2026-02", "2026-01")]
    assert sorted(months) == ["2025-12", "2026-01", "2026-02", "2026-10"]
    assert Month.parse("2026-09") < Month.parse("2026-10") < "2026-11"


def test_names_in_finnish_and_swedish():
    month = Month.parse("2026-11")
    assert month.name("fi") == "marraskuu 2026" and month.name("sv") == "november 2026"
    assert Month.parse("2026-06").name("fi") == "kesäkuu 2026"


def test_stored_in_sqlite_and_json_as_its_text():
    month = Month.parse("2026-10")
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (month TEXT)")
    db.execute("INSERT INTO t VALUES (?)", (month,))
    assert db.execute("SELECT month, typeof(month) FROM t WHERE month = ?", ("2026-10",)).fetchone() == (
        "2026-10", "text")
    assert json.dumps({"month": month}) == '{"month": "2026-10"}'


@pytest.mark.parametrize("year, ok", [(2000, True), (2099, True), (1999, False), (2100, False), (True, False),
                                      ("2026", False)])
def test_check_year(year, ok):
    if ok:
        assert check_year(year) == year
    else:
        with pytest.raises(BadMonth):
            check_year(year)
