"""Turning one register cell into a value: text, ids, dates, whole numbers, money, yes/no, a language, a fee basis,
a henkilötunnus or an IBAN, each refused with the reason in words (never echoing a henkilötunnus or an IBAN)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError
from stdnum.fi import hetu as stdnum_hetu

from kokemus_docs.core.formatting import ParseError, parse_date, parse_id, parse_money, shown
from kokemus_docs.core.model import LANGUAGES

BASES = ("hour", "session", "event")
MAX_RATE_EUR = Decimal("10000.00")
MAX_LIMIT_EUR = Decimal("100000.00")  # an earnings limit a month


def cell_text(value) -> str:
    """A cell as text: a whole number without its .0, a date-time as its date, no surrounding spaces."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def _date(value) -> date:
    return parse_date(value if isinstance(value, (date, datetime)) else str(value))


def _int(value) -> int:
    """A whole number from 0 to 999,999,999 (a year, a count): a cell's number or digits typed as text."""
    if isinstance(value, float) and value.is_integer() and 0 <= value < 1e9:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9:
        return value
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise ValueError(f"'{shown(text)}' is not a whole number like 2026")
    return int(text)


def _year(value) -> int:
    """A year from 2000 to 2099 (a tax card's year): 20255 is a typing error, never a year."""
    year = _int(value)
    if not 2000 <= year <= 2099:
        raise ValueError(f"{year} is not a year from 2000 to 2099")
    return year


def _postal_code(value) -> str:
    """A postal code as typed; one a spreadsheet took for a number (06100 -> 6100) gets its leading zeros back."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 99999:
        return f"{value:05d}"
    return cell_text(value)


def _id(value) -> str:
    return parse_id(cell_text(value))


def _ids(value) -> tuple[str, ...]:
    return tuple(parse_id(part) for part in _list(value))


def _decimal(value) -> Decimal:
    """A fee in euros: 0 to MAX_RATE_EUR with at most two decimals. A number cell becomes the decimal the
    spreadsheet shows (27.5 -> 27.50), never a binary float."""
    try:
        return parse_money(value, MAX_RATE_EUR)
    except ParseError as exc:
        if exc.reason == "too-large":
            raise ParseError(f"{exc}, the largest fee the register accepts") from None
        raise


def _limit(value) -> Decimal:
    """An earnings limit: a monthly amount in euros, 0 to MAX_LIMIT_EUR with at most two decimals."""
    try:
        return parse_money(value, MAX_LIMIT_EUR)
    except ParseError as exc:
        if exc.reason == "negative":
            raise ParseError(f"{exc}; a limit is an amount of euros a month, like 1000,00") from None
        raise


def _yesno(value) -> bool:
    text = cell_text(value).lower()
    if text in ("yes", "y", "kyllä", "k", "ja", "true", "1", "x"):
        return True
    if text in ("no", "n", "ei", "nej", "false", "0"):
        return False
    raise ValueError(f"'{shown(value)}' is not yes or no")


def _list(value) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell_text(value).replace(",", ";").split(";") if part.strip())


def _language(value) -> str:
    text = cell_text(value).lower()
    if text not in LANGUAGES:
        raise ValueError(f"'{shown(value)}' is not a language we write documents in; write fi or sv")
    return text


def _basis(value) -> str:
    text = cell_text(value).lower()
    if text not in BASES:
        raise ValueError(f"'{shown(value)}' is not a fee basis; write hour, session or event")
    return text


def _hetu(value) -> str:
    # Validated separately (temporary numbers warn, future birth dates fail); never echo the value.
    return cell_text(value).upper()


def _iban(value) -> str:
    text = cell_text(value)
    try:
        return stdnum_iban.format(stdnum_iban.validate(text))
    except ValidationError:
        raise ValueError("the IBAN is not valid (check digits or length are wrong); copy it from the "
                         "expert's bank statement") from None


# Each column kind of SHEETS, and how a cell of it becomes a value (ValueError or ParseError: why it cannot).
CONVERTERS: dict[str, Callable] = {
    "text": cell_text, "id": _id, "ids": _ids, "date": _date, "int": _int, "decimal": _decimal, "yesno": _yesno,
    "list": _list,
    "language": _language, "basis": _basis, "hetu": _hetu, "iban": _iban, "year": _year,
    "postal_code": _postal_code, "limit": _limit,
}
# The value of an empty (or refused) cell, per column kind; "" for the kinds not listed.
EMPTY_VALUES = {"date": None, "int": None, "year": None, "decimal": None, "limit": None, "yesno": None, "list": (),
          "ids": ()}


def hetu_problem(hetu: str, today: date | None = None) -> tuple[str, str, bool] | None:
    """Why a henkilötunnus is not acceptable: (message, code, is_warning), or None if it is fine.

    Accepts the century signs + - Y X W V U A B C D E F; a birth date in the future is an error; the
    temporary numbers 900–999 are accepted with a warning. The message never contains the number itself.
    """
    try:
        compact = stdnum_hetu.validate(hetu, allow_temporary=True)
    except ValidationError as exc:
        reason = {"InvalidChecksum": "its check character does not match",
                  "InvalidFormat": "it is not in the form DDMMYY-NNNC"}.get(type(exc).__name__,
                                                                          "its birth date or number is not possible")
        return f"the henkilötunnus is not valid ({reason}); check it against the tax card", "bad-hetu", False
    century = {"+": 1800, "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000}.get(compact[6], 1900)
    born = date(century + int(compact[4:6]), int(compact[2:4]), int(compact[0:2]))
    if born > (today or date.today()):
        return "the henkilötunnus gives a birth date in the future; check it against the tax card", "future-hetu", False
    if int(compact[7:10]) >= 900:
        return ("the henkilötunnus is a temporary number (900–999); ask for the permanent one before the first "
                "payment"), "temporary-hetu", True
    return None
