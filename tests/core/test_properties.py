"""Property-based tests of the parsers at the edge: dates, times, money, participant counts and ids.

Valid values survive a round trip through the text people type; any other text is refused with ParseError
(never another exception), and nothing beyond the limits is ever accepted.
"""

from __future__ import annotations

import calendar
import unicodedata
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import PurePosixPath

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kokemus_docs.core.formatting import (
    MAX_ID_CHARS,
    ParseError,
    fi_date,
    money,
    parse_count,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_id,
    parse_money,
    parse_time,
)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MAX_TRAVEL = Decimal("200.00")
NUMBER_CHARACTERS = set("0123456789.,+-€")

dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31))
times = st.builds(time, st.integers(0, 23), st.integers(0, 59))
# Text as people (and hostile files) type it: digits and separators mixed with anything else.
typed = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="0123456789.,:-+ eE€\u00a0NaInfty/", max_size=40),
    st.from_regex(r"\A[0-9 .,:eE+-]{0,30}\Z"),
)


def _refused_or(parser, text, *args):
    """parser(text, *args), or None if it raised ParseError; any other exception fails the test."""
    try:
        return parser(text, *args)
    except ParseError as exc:
        assert str(exc) and len(str(exc)) < 400  # a message for people, never the whole input
        return None


# --- dates and times ------------------------------------------------------------------------------------------
@FAST
@given(dates)
def test_dates_round_trip_in_every_accepted_form(day):
    assert parse_date(fi_date(day)) == day
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.day:02d}.{day.month:02d}.{day.year}") == day
    assert parse_date(f"{day.day}.{day.month}.", period=_period(day)) == day
    assert parse_date(f"{day.day}.{day.month}.", default_year=day.year) == day


def _period(day):
    """The first and last day of `day`'s month."""
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


@FAST
@given(dates, st.integers(-5, 5))
def test_a_date_without_a_year_is_the_nearest_to_the_form_month(day, months_away):
    form_first = (day.replace(day=1) + timedelta(days=31 * months_away)).replace(day=1)
    period = _period(form_first)
    found = parse_date(f"{day.day}.{day.month}.", period=period)
    assert (found.day, found.month) == (day.day, day.month)

    def distance(candidate: date) -> int:
        return max((period[0] - candidate).days, (candidate - period[1]).days, 0)
    for year in (found.year - 1, found.year + 1):
        try:
            other = found.replace(year=year)
        except ValueError:  # 29.2. in a common year
            continue
        assert distance(found) <= distance(other)
    assert abs(found.year - period[0].year) <= 1


@FAST
@given(dates, times)
def test_date_and_time_round_trip(day, moment):
    text = f"{fi_date(day)} {moment.hour}.{moment.minute:02d}"
    assert parse_datetime(text).date() == day and parse_datetime(text).time() == moment
    assert parse_datetime(f"{day.isoformat()} {moment:%H:%M}") == parse_datetime(text)


@FAST
@given(times)
def test_times_round_trip(moment):
    assert parse_time(f"{moment.hour}.{moment.minute:02d}") == moment
    assert parse_time(f"{moment:%H:%M}") == moment


@FAST
@given(typed, dates)
def test_any_text_is_a_date_or_a_parse_error(text, near):
    period = _period(near)
    found = _refused_or(parse_date, text, period)
    assert found is None or isinstance(found, date)
    assert _refused_or(parse_time, text) is None or isinstance(parse_time(text), time)
    _refused_or(parse_datetime, text, period)


# --- money ----------------------------------------------------------------------------------------------------
cents = st.integers(min_value=0, max_value=int(MAX_TRAVEL * 100)).map(lambda c: Decimal(c) / 100)


@FAST
@given(cents)
def test_money_round_trips_as_people_write_it(amount):
    for text in (f"{amount:.2f}", f"{amount:.2f}".replace(".", ","), money(amount), f"{amount:.2f} €"):
        parsed = parse_money(text, MAX_TRAVEL)
        assert parsed == amount and str(parsed) == f"{amount:.2f}"
        assert parsed.as_tuple().exponent == -2


@FAST
@given(typed)
def test_any_text_is_money_within_the_limits_or_a_parse_error(text):
    amount = _refused_or(parse_money, text, MAX_TRAVEL)
    if amount is not None:
        assert isinstance(amount, Decimal) and amount.is_finite()
        assert Decimal("0") <= amount <= MAX_TRAVEL and amount.as_tuple().exponent == -2
    number = _refused_or(parse_decimal, text)
    if number is not None:
        assert number.is_finite()
        # only digits, one separator, a sign, spaces and the euro sign: no exponent, NaN or Infinity gets through
        assert all(ch in NUMBER_CHARACTERS or ch.isspace() for ch in text), text


@FAST
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_spreadsheet_floats_become_the_decimal_shown_or_a_parse_error(value):
    number = _refused_or(parse_decimal, value)
    if number is None:
        assert value != value or value in (float("inf"), float("-inf"))
        return
    assert number == Decimal(format(value, ".15g"))
    amount = _refused_or(parse_money, value, MAX_TRAVEL)
    assert amount is None or (0 <= amount <= MAX_TRAVEL and amount.as_tuple().exponent == -2)


@FAST
@given(st.integers(min_value=0, max_value=1_000_000))
def test_spreadsheet_floats_with_cents_are_exact(cents_value):
    amount = parse_money(cents_value / 100, Decimal("10000.00"))
    assert amount == Decimal(cents_value) / 100 and str(amount) == f"{Decimal(cents_value) / 100:.2f}"


@FAST
@given(st.integers(min_value=1, max_value=60))
def test_exponent_and_long_numbers_are_refused(digits):
    for text in (f"1e{digits}", f"1E+{digits}", f"2,5e{digits}", "-" + "9" * digits):
        assert _refused_or(parse_money, text, MAX_TRAVEL) is None, text
    amount = _refused_or(parse_money, "1" + "0" * digits, MAX_TRAVEL)
    assert (amount is None) == (10 ** digits > MAX_TRAVEL) and (amount is None or amount <= MAX_TRAVEL)


# --- participants -----------------------------------------------------------------------------------------------
@FAST
@given(st.integers(0, 999))
def test_participant_counts_round_trip(count):
    assert parse_count(str(count), 999) == count
    assert parse_count(f" {count} ", 999) == count


@FAST
@given(st.one_of(typed, st.integers(1000, 10**30).map(str), st.integers(1, 200).map(lambda n: "9" * n)))
def test_any_text_is_a_count_within_the_limit_or_a_parse_error(text):
    count = _refused_or(parse_count, text, 999)
    assert count is None or (type(count) is int and 0 <= count <= 999)


# --- ids ---------------------------------------------------------------------------------------------------------
id_characters = st.one_of(st.sampled_from("-_.0123456789"), st.characters(categories=("Lu", "Ll", "Lo")))
valid_ids = st.text(id_characters, min_size=1, max_size=MAX_ID_CHARS).map(
    lambda s: unicodedata.normalize("NFC", s)).filter(
    lambda s: s not in (".", "..") and 1 <= len(s) <= MAX_ID_CHARS and all(
        ch in "-_.0123456789" or ch.isalpha() for ch in s))


@FAST
@given(valid_ids)
def test_valid_ids_round_trip(value):
    assert parse_id(value) == value
    assert parse_id(f"  {value} ") == value


@FAST
@given(st.one_of(st.text(max_size=80), st.text(alphabet="./\\:-_ aZ0\x00\u202e", max_size=80)))
def test_any_text_is_a_safe_id_or_a_parse_error(text):
    found = _refused_or(parse_id, text)
    if found is None:
        return
    assert 1 <= len(found) <= MAX_ID_CHARS and found not in (".", "..")
    assert all(ch in "-_.0123456789" or ch.isalpha() for ch in found)
    # as a file name it stays one level inside its folder
    path = PurePosixPath("/workspace/outputs") / f"{found}.pdf"
    assert path.parent == PurePosixPath("/workspace/outputs") and ".." not in path.parts
