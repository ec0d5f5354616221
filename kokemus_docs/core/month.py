"""The service month: one calendar month from 2000-01 to 2099-12, written YYYY-MM.

`Month` is a `str` holding exactly that text, so it is stored in the ledger, compared with what the ledger
returns, put in file names and printed in JSON as the text itself, with no conversion; ordering the text is
ordering the months. Only `Month.parse` makes one, and it refuses anything else (2026-13, 1999-12, 2026-1,
' 2026-10'), so a value of this type is always a real month in range.
"""

from __future__ import annotations

import calendar
import re
import sqlite3
from datetime import date

from kokemus_docs.core.errors import KokemusError

FIRST_YEAR, LAST_YEAR = 2000, 2099

MONTH_NAMES_FI = ("tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu",
                  "heinäkuu", "elokuu", "syyskuu", "lokakuu", "marraskuu", "joulukuu")
MONTH_NAMES_SV = ("januari", "februari", "mars", "april", "maj", "juni",
                  "juli", "augusti", "september", "oktober", "november", "december")

_TEXT = re.compile(r"(20\d\d)-(0[1-9]|1[0-2])", re.ASCII)


class BadMonth(KokemusError, ValueError):
    """A month that is not YYYY-MM between 2000-01 and 2099-12 (a usage error; also a ValueError)."""


class Month(str):
    """A month, e.g. Month.parse("2026-10"): its days, the months around it, its fi/sv name."""

    __slots__ = ()

    def __new__(cls, text: str) -> Month:
        if isinstance(text, Month):
            return text
        if not isinstance(text, str) or not _TEXT.fullmatch(text):
            shown = text if isinstance(text, str) and len(text) <= 40 else f"{str(text)[:40]}…"
            raise BadMonth(f"'{shown}' is not a month; write it as YYYY-MM between {FIRST_YEAR}-01 and "
                           f"{LAST_YEAR}-12, e.g. 2026-10.", code="bad-month")
        return super().__new__(cls, text)

    @classmethod
    def parse(cls, text: str) -> Month:
        """The month written `text` (a Month is returned as it is); BadMonth for anything else."""
        return cls(text)

    @classmethod
    def is_valid(cls, text: object) -> bool:
        """Whether `text` is a month Month.parse accepts."""
        return isinstance(text, str) and _TEXT.fullmatch(text) is not None

    @classmethod
    def of(cls, year: int, number: int) -> Month:
        """The month `number` (1–12) of `year`; BadMonth outside 2000-01..2099-12."""
        return cls(f"{year:04d}-{number:02d}")

    @classmethod
    def containing(cls, day: date) -> Month:
        """The month `day` falls in."""
        return cls.of(day.year, day.month)

    @property
    def year(self) -> int:
        return int(self[:4])

    @property
    def number(self) -> int:
        """1 for January … 12 for December."""
        return int(self[5:])

    @property
    def first_day(self) -> date:
        return date(self.year, self.number, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.number, calendar.monthrange(self.year, self.number)[1])

    @property
    def period(self) -> tuple[date, date]:
        """(first day, last day)."""
        return self.first_day, self.last_day

    def contains(self, day: date) -> bool:
        return (day.year, day.month) == (self.year, self.number)

    def previous(self) -> Month:
        """The month before (BadMonth before 2000-01)."""
        return Month.of(self.year - 1, 12) if self.number == 1 else Month.of(self.year, self.number - 1)

    def next(self) -> Month:
        """The month after (BadMonth after 2099-12)."""
        return Month.of(self.year + 1, 1) if self.number == 12 else Month.of(self.year, self.number + 1)

    def name(self, language: str = "fi") -> str:
        """'marraskuu 2026' (fi) or 'november 2026' (sv)."""
        names = MONTH_NAMES_FI if language == "fi" else MONTH_NAMES_SV
        return f"{names[self.number - 1]} {self.year}"

    def __repr__(self) -> str:
        return f"Month({str.__repr__(self)})"

    def __str__(self) -> str:
        return str.__str__(self)


def check_year(year: object) -> int:
    """`year` as an int if it is a year from 2000 to 2099, else BadMonth (a usage error)."""
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadMonth(f"'{year}' is not a year from {FIRST_YEAR} to {LAST_YEAR}.", code="bad-year")
    return year


sqlite3.register_adapter(Month, str)
