"""Parsing values as people type them, and printing them Finnish style.

Everything past this edge is `date`, `time` or `Decimal`; nothing else parses or prints money and dates.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from kokemus_docs.core.month import Month

CENT = Decimal("0.01")


class ParseError(ValueError):
    """A typed value that cannot be understood; the message says what was expected, `reason` why in one word
    ('invalid', 'too-long', 'exponent', 'negative', 'decimals', 'too-large', 'characters')."""

    def __init__(self, message: str, reason: str = "invalid"):
        super().__init__(message)
        self.reason = reason


def fi_date(value: date | None) -> str:
    """14.10.2026 (both languages use this form in the county's documents)."""
    return f"{value.day}.{value.month}.{value.year}" if value else ""


def fi_time(value: time) -> str:
    """15.00, 9.30 (hour without a leading zero, a dot, minutes)."""
    return f"{value.hour}.{value.minute:02d}"


def fi_month(month: Month, language: str = "fi") -> str:
    """'2026-10' -> 'lokakuu 2026' / 'oktober 2026'."""
    return month.name(language)


def quantize(amount: Decimal) -> Decimal:
    """Round to cents, half up, as payroll does."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money(amount: Decimal | None) -> str:
    """37,50 € (comma decimal, space-grouped thousands, in both languages)."""
    if amount is None:
        return ""
    q = quantize(amount)
    sign = "-" if q < 0 else ""
    whole, cents = f"{abs(q):.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", "\u00a0")
    return f"{sign}{grouped},{cents}\u00a0€"


def money_json(amount: Decimal) -> str:
    """'37.50': money as SPEC.md's JSON wants it."""
    return f"{quantize(amount):.2f}"


def hours_text(hours: Decimal) -> str:
    """1,5 (hours with a comma, no trailing zeros beyond what is needed)."""
    text = f"{hours.normalize():f}" if hours == hours.to_integral() else f"{hours:.2f}".rstrip("0")
    return text.replace(".", ",")


# Longest typed value a date, time or number parser looks at: anything longer is not one of them.
MAX_VALUE_CHARS = 40
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_FI_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})?$", re.ASCII)


def shown(text: object, limit: int = MAX_VALUE_CHARS) -> str:
    """A typed value as messages quote it: at most `limit` characters, cut with … (never the whole of a huge value)."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _typed(text: object) -> str:
    raw = str(text).strip()
    if len(raw) > MAX_VALUE_CHARS:
        raise ParseError(f"'{shown(raw)}' is too long to be a date, a time or a number", reason="too-long")
    return raw


def parse_date(text: str | date | datetime, period: tuple[date, date] | None = None,
               default_year: int | None = None) -> date:
    """Accept 14.10.2026, 14.10.26, 2026-10-14, a date/datetime, or 14.10. when `period` or `default_year`
    is given.

    A day and month without a year take the year that puts the date nearest `period` (the form's month, as
    its first and last day): on a January form 31.12. is December of the year before. With `default_year`
    instead, they take that year.
    """
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    if period is None and default_year is not None:
        period = (date(default_year, 1, 1), date(default_year, 12, 31))
    raw = _typed(text).replace(" ", "")
    try:
        if m := _ISO_DATE.match(raw):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _FI_DATE.match(raw):
            year_text = m[3]
            if year_text is None:
                if period is None:
                    raise ParseError(f"'{shown(text)}' has no year; write it as 14.10.2026")
                return nearest_date(int(m[1]), int(m[2]), period)
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            return date(year, int(m[2]), int(m[1]))
    except ValueError as exc:
        if isinstance(exc, ParseError):
            raise
        raise ParseError(f"'{shown(text)}' is not a real date") from None
    raise ParseError(f"'{shown(text)}' is not a date; write it as 14.10.2026 or 2026-10-14")


def nearest_date(day: int, month: int, period: tuple[date, date]) -> date:
    """The date `day`.`month`. in the year that puts it nearest `period` (first, last day); ValueError if no
    such day exists in any of the years around it (31.4.)."""
    first, last = period
    candidates = []
    for year in (first.year - 1, first.year, last.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        raise ValueError("no such day")

    def distance(candidate: date) -> tuple[int, int]:
        days = (first - candidate).days if candidate < first else max((candidate - last).days, 0)
        return days, abs(candidate.year - first.year)
    return min(candidates, key=distance)


_TIME = re.compile(r"^(\d{1,2})(?:[.:](\d{2}))?$", re.ASCII)


def parse_time(text: str) -> time:
    """Accept 9.30, 09:30, 9 (whole hour)."""
    raw = _typed(text).replace(" ", "")
    m = _TIME.match(raw)
    if not m:
        raise ParseError(f"'{shown(text)}' is not a time; write it as 9.30 or 09:30")
    hour, minute = int(m[1]), int(m[2] or 0)
    if hour > 23 or minute > 59:
        raise ParseError(f"'{shown(text)}' is not a real time of day")
    return time(hour, minute)


def parse_datetime(text: str, period: tuple[date, date] | None = None) -> datetime:
    """Accept '13.10.2026 16.20', '13.10. 16:20', '2026-10-13 16:20' (date, space, time); a date without a
    year is placed nearest `period` as in `parse_date`."""
    parts = _typed(text).replace("T", " ").split()
    if len(parts) == 3 and parts[0].endswith(".") and parts[1].count(".") == 1 and parts[1].endswith("."):
        parts = [parts[0] + parts[1], parts[2]]  # '13.10. 2026 16.20' is rare; tolerate a split year
    if len(parts) != 2:
        raise ParseError(f"'{shown(text)}' needs a date and a time, like 13.10.2026 16.20")
    day = parse_date(parts[0], period=period)
    return datetime.combine(day, parse_time(parts[1]))


# Digits, optionally one decimal separator and more digits: no exponent, no NaN or Infinity, no thousands dots.
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$", re.ASCII)
# Excel keeps 15 significant digits and shows a float cell that way (27.500000000000004 shows as 27.5).
_EXCEL_DIGITS = 15


def parse_decimal(text: str | int | float | Decimal) -> Decimal:
    """Accept '12,50', '12.50', '12,50 €', '1 200,00' (and numbers from spreadsheet cells).

    Exponent notation (1e6), NaN and Infinity are refused, as are values of more than 40 characters. A float
    from a spreadsheet cell becomes the decimal that the spreadsheet shows (15 significant digits), never the
    binary fraction behind it.
    """
    if isinstance(text, bool):
        raise ParseError(f"'{text}' is not a number; write it as 12,50")
    if isinstance(text, Decimal):
        if not text.is_finite():
            raise ParseError(f"'{text}' is not a number; write it as 12,50")
        return text
    if isinstance(text, int):
        if abs(text) >= 10**MAX_VALUE_CHARS:
            raise ParseError("the number is too long to be an amount", reason="too-long")
        return Decimal(text)
    if isinstance(text, float):
        if text != text or text in (float("inf"), float("-inf")):
            raise ParseError(f"'{text}' is not a number; write it as 12,50")
        return Decimal(format(text, f".{_EXCEL_DIGITS}g"))
    raw = _typed(text).replace("€", "").replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    raw = raw.replace(",", ".")
    if not _NUMBER.match(raw) or not raw.isascii():
        if re.search(r"\d[eE][+-]?\d", raw):
            raise ParseError(f"'{shown(text)}' is written in exponent notation; write the number out, like 12,50",
                             reason="exponent")
        raise ParseError(f"'{shown(text)}' is not a number; write it as 12,50")
    try:
        return Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern admits only what Decimal reads
        raise ParseError(f"'{shown(text)}' is not a number; write it as 12,50") from None


def decimal_places(amount: Decimal) -> int:
    """How many decimals `amount` was written with: 12.5 -> 1, 12.50 -> 2, 12 -> 0."""
    exponent = amount.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def parse_money(text: str | int | float | Decimal, maximum: Decimal) -> Decimal:
    """An amount in euros between 0 and `maximum` with at most two decimals, as Decimal with two decimals.

    ParseError.reason says what is wrong: 'invalid', 'exponent', 'too-long', 'negative', 'decimals',
    'too-large'.
    """
    amount = parse_decimal(text)
    if amount < 0:
        raise ParseError(f"'{shown(text)}' is negative", reason="negative")
    if decimal_places(amount) > 2:
        raise ParseError(f"'{shown(text)}' has more than two decimals; write it as 12,50", reason="decimals")
    if amount > maximum:
        raise ParseError(f"'{shown(text)}' is more than {maximum:.2f}", reason="too-large")
    return amount.copy_abs().quantize(CENT)  # never -0.00


_COUNT = re.compile(r"^\d+$", re.ASCII)


def parse_count(text: str | int, maximum: int) -> int:
    """A whole number from 0 to `maximum` ('12'); ParseError.reason is 'invalid', 'too-long' or 'too-large'."""
    if isinstance(text, bool):
        raise ParseError(f"'{text}' is not a whole number")
    raw = str(text).strip()
    if not raw.isascii() or not _COUNT.match(raw):
        raise ParseError(f"'{shown(text)}' is not a whole number, 0 or more")
    significant = raw.lstrip("0") or "0"
    if len(significant) > len(str(maximum)) or int(significant) > maximum:
        raise ParseError(f"'{shown(text)}' is more than {maximum}", reason="too-large")
    return int(significant)


# Ids name files and rows: letters, digits, '-', '_', '.'; 1-64 characters; never '.' or '..'.
MAX_ID_CHARS = 64
_ID_PUNCTUATION = frozenset("-_.0123456789")
ID_RULE = f"an id holds only letters, digits, '-', '_' and '.', 1–{MAX_ID_CHARS} characters"


def parse_id(text: object) -> str:
    """An id as typed (expert_id, unit_id, contract_id, task code), NFC-normalised and trimmed.

    Letters of any alphabet (Ä, Å, Ł), ASCII digits, '-', '_' and '.'; 1–64 characters; not '.' or '..'.
    Anything else (a slash, a space, a control character) is a ParseError naming the problem.
    """
    raw = unicodedata.normalize("NFC", str(text).strip())
    if not raw:
        raise ParseError(f"the id is empty; {ID_RULE}")
    if len(raw) > MAX_ID_CHARS:
        raise ParseError(f"'{shown(raw)}' is {len(raw)} characters long; {ID_RULE}", reason="too-long")
    if raw in (".", ".."):
        raise ParseError(f"'{raw}' is not an id; {ID_RULE}")
    bad = sorted({ch for ch in raw if not (ch in _ID_PUNCTUATION or ch.isalpha())})
    if bad:
        listed = " ".join(repr(ch) if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}" for ch in bad)
        raise ParseError(f"'{shown(raw)}' contains {listed}; {ID_RULE}", reason="characters")
    return raw


def mask_hetu(hetu: str) -> str:
    """131052-308T -> 131052-**** (for any message that must point at a person)."""
    hetu = (hetu or "").strip()
    return f"{hetu[:7]}****" if len(hetu) >= 7 else "****"


def mask_iban(iban: str) -> str:
    """FI21 1234 5600 0007 85 -> FI** **** **** **85."""
    compact = (iban or "").replace(" ", "")
    return f"{compact[:2]}{'*' * max(len(compact) - 4, 0)}{compact[-2:]}" if len(compact) > 4 else "****"
