"""Parsing values as people type them, and printing them Finnish style.

Everything past this edge is `date`, `time` or `Decimal`; nothing else parses or prints money and dates.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


class ParseError(ValueError):
    """A typed value that cannot be understood; the message says what was expected."""


def fi_date(value: date | None) -> str:
    """14.10.2026 (both languages use this form in the county's documents)."""
    return f"{value.day}.{value.month}.{value.year}" if value else ""


def fi_month(year_month: str, language: str = "fi") -> str:
    """'2026-10' -> 'lokakuu 2026' / 'oktober 2026'."""
    year, month = (int(p) for p in year_month.split("-"))
    names = MONTH_NAMES_FI if language == "fi" else MONTH_NAMES_SV
    return f"{names[month - 1]} {year}"


MONTH_NAMES_FI = ["tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu",
                  "heinäkuu", "elokuu", "syyskuu", "lokakuu", "marraskuu", "joulukuu"]
MONTH_NAMES_SV = ["januari", "februari", "mars", "april", "maj", "juni",
                  "juli", "augusti", "september", "oktober", "november", "december"]


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


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FI_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})?$")


def parse_date(text: str | date | datetime, default_year: int | None = None) -> date:
    """Accept 14.10.2026, 14.10.26, 14.10. (needs `default_year`), 2026-10-14, or a date/datetime."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    raw = str(text).strip().replace(" ", "")
    try:
        if m := _ISO_DATE.match(raw):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _FI_DATE.match(raw):
            year_text = m[3]
            if year_text is None:
                if default_year is None:
                    raise ParseError(f"'{text}' has no year; write it as 14.10.2026")
                year = default_year
            else:
                year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            return date(year, int(m[2]), int(m[1]))
    except ValueError as exc:
        if isinstance(exc, ParseError):
            raise
        raise ParseError(f"'{text}' is not a real date") from None
    raise ParseError(f"'{text}' is not a date; write it as 14.10.2026 or 2026-10-14")


_TIME = re.compile(r"^(\d{1,2})(?:[.:](\d{2}))?$")


def parse_time(text: str) -> time:
    """Accept 9.30, 09:30, 9 (whole hour)."""
    raw = str(text).strip().replace(" ", "")
    m = _TIME.match(raw)
    if not m:
        raise ParseError(f"'{text}' is not a time; write it as 9.30 or 09:30")
    hour, minute = int(m[1]), int(m[2] or 0)
    if hour > 23 or minute > 59:
        raise ParseError(f"'{text}' is not a real time of day")
    return time(hour, minute)


def parse_datetime(text: str, default_year: int | None = None) -> datetime:
    """Accept '13.10.2026 16.20', '13.10. 16:20', '2026-10-13 16:20' (date, space, time)."""
    parts = str(text).strip().replace("T", " ").split()
    if len(parts) == 3 and parts[0].endswith(".") and parts[1].count(".") == 1 and parts[1].endswith("."):
        parts = [parts[0] + parts[1], parts[2]]  # '13.10. 2026 16.20' is rare; tolerate a split year
    if len(parts) != 2:
        raise ParseError(f"'{text}' needs a date and a time, like 13.10.2026 16.20")
    day = parse_date(parts[0], default_year=default_year)
    return datetime.combine(day, parse_time(parts[1]))


def parse_decimal(text: str | int | float | Decimal) -> Decimal:
    """Accept '12,50', '12.50', '12,50 €', '1 200,00'."""
    if isinstance(text, Decimal):
        return text
    if isinstance(text, int):
        return Decimal(text)
    if isinstance(text, float):
        return Decimal(str(text))
    raw = str(text).strip().replace("€", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ParseError(f"'{text}' is not a number; write it as 12,50") from None
    if not value.is_finite():
        raise ParseError(f"'{text}' is not a number; write it as 12,50")
    return value


def mask_hetu(hetu: str) -> str:
    """131052-308T -> 131052-**** (for any message that must point at a person)."""
    hetu = (hetu or "").strip()
    return f"{hetu[:7]}****" if len(hetu) >= 7 else "****"


def mask_iban(iban: str) -> str:
    """FI21 1234 5600 0007 85 -> FI** **** **** **85."""
    compact = (iban or "").replace(" ", "")
    return f"{compact[:2]}{'*' * max(len(compact) - 4, 0)}{compact[-2:]}" if len(compact) > 4 else "****"
