"""One feedback answer: checking its values, whatever channel brought it (PDF, CSV, XLSX, phone). feedback.ledger
stores it without anything that identifies the person who answered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from kokemus_docs.core.errors import Problem
from kokemus_docs.core.formatting import ParseError, parse_date
from kokemus_docs.core.model import Register
from kokemus_docs.feedback.questions import (
    COMMENT_MAX,
    LANGUAGES,
    NO_ANSWER,
    RESPONDENT_ALIASES,
    STATEMENTS,
)

CHANNELS = ("pdf", "csv", "xlsx", "web")
MAX_VALUE_CHARS = 200  # any value but the comment
EARLIEST = date(2000, 1, 1)
# How people and survey tools write "no answer" for a statement (any case).
NO_ANSWER_WORDS = {"", "-", "–", NO_ANSWER, "n/a", "eos", "en osaa sanoa", "ei vastausta", "vet ej",
                   "inget svar", "no answer", "don't know", "dont know", "off"}
_SCORE = re.compile(r"^(\d{1,2})(?:[.,]0+)?(?:\s*[-–—:=)]\s*.*|\s+\D.*)?$", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Answer:
    """A checked, anonymous answer. `statements` holds s1 … s5 (None = no answer)."""

    respondent: str
    unit_id: str
    answered_on: date
    recommend: int
    statements: tuple[int | None, ...]
    comment: str
    channel: str
    language: str = ""
    form_id: str = ""


def check_answer(values: Mapping[str, object], register: Register, received_on: date, *, channel: str,
                 language: str = "", form_id: str = "", row: int | None = None,
                 path: str | None = None) -> tuple[Answer | None, list[Problem]]:
    """Check every value of one answer; returns (Answer, warnings) or (None, the errors, each naming its field).

    Values are raw: strings as typed, or numbers and dates as a spreadsheet holds them. A blank date means
    the day the answer was received; a blank statement means no answer. The date is optional, so a date that
    cannot be read never costs the answer: it is dropped with a warning and the day received is used.
    """
    problems: list[Problem] = []
    warnings: list[Problem] = []

    def problem(name: str, message: str, code: str) -> None:
        problems.append(Problem(message, path=path, row=row, field=name, code=code))

    texts = {name: _text(values.get(name)) for name in ("respondent", "unit_id", "recommend", "date", *STATEMENTS)}
    for name, text in texts.items():
        if len(text) > MAX_VALUE_CHARS:
            problem(name, f"The value is {len(text)} characters long; it is not an answer to this question.",
                    "too-long")
            texts[name] = ""

    respondent = RESPONDENT_ALIASES.get(texts["respondent"].casefold(), "")
    if not respondent:
        problem("respondent", f"'{texts['respondent']}' is not a respondent group; write client, employee or "
                              "expert.", "bad-respondent")
    unit_id = _unit(register, texts["unit_id"])
    if not unit_id:
        problem("unit_id", f"Unit '{texts['unit_id']}' is not in the register; write the unit's id (units sheet).",
                "unknown-unit")
    recommend = _score(values.get("recommend"), 0, 10)
    if recommend is None:
        shown = texts["recommend"]
        problem("recommend", f"'{shown}' is not an answer from 0 to 10 to the recommendation question." if shown
                else "The recommendation question (0–10) is not answered.", "bad-recommend")
    statements: list[int | None] = []
    for name in STATEMENTS:
        raw = values.get(name)
        if texts[name].casefold() in NO_ANSWER_WORDS:
            statements.append(None)
            continue
        score = _score(raw, 1, 5)
        if score is None:
            problem(name, f"'{texts[name]}' is not an answer from 1 to 5 (or blank for no answer).", "bad-statement")
        statements.append(score)
    answered_on = _answer_date(values.get("date"), received_on)
    if answered_on is None:
        answered_on = received_on
        warnings.append(Problem(
            f"'{texts['date']}' is not a date on or before the day it was received ({received_on.isoformat()}); "
            "the answer is kept and dated the day it was received. Dates are written as 14.10.2026.",
            path=path, row=row, field="date", code="date-dropped"))
    comment = _text(values.get("comment"), strip=False).replace("\r\n", "\n").replace("\r", "\n")
    comment = _CONTROL.sub("", comment).strip()
    if len(comment) > COMMENT_MAX:
        problem("comment", f"The comment is {len(comment)} characters long; at most {COMMENT_MAX} are kept. "
                           "Shorten it.", "too-long")
    if language and language not in LANGUAGES:
        problem("language", f"'{language}' is not a questionnaire language (fi, sv, en).", "bad-language")
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if problems or recommend is None:  # an unanswered recommendation is one of the problems
        return None, problems
    return Answer(respondent=respondent, unit_id=unit_id, answered_on=answered_on, recommend=recommend,
                  statements=tuple(statements), comment=comment, channel=channel, language=language,
                  form_id=form_id), warnings


def _text(value: object, strip: bool = True) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    return text.strip() if strip else text


def _unit(register: Register, text: str) -> str:
    if text in register.units:
        return text
    wanted = text.casefold()
    for unit in register.units.values():
        if wanted and wanted in (unit.unit_id.casefold(), unit.name_fi.casefold(), unit.name_sv.casefold()):
            return unit.unit_id
    return ""


def _score(value: object, low: int, high: int) -> int | None:
    """An answer on a scale: 7, 7.0, '7', '7 - melko todennäköisesti'; None if not a whole number in range."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            return None
        number = int(value)
    elif isinstance(value, str):
        match = _SCORE.match(value.strip())
        if not match:
            return None
        number = int(match[1])
    else:
        return None
    return number if low <= number <= high else None


def _answer_date(value: object, received_on: date) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return received_on
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        first = re.split(r"[T\s]", str(value).strip(), maxsplit=1)[0]
        try:
            day = parse_date(first, default_year=received_on.year)
        except ParseError:
            return None
        if day > received_on and not re.search(r"\d{4}", first):
            day = day.replace(year=day.year - 1) if not (day.month == 2 and day.day == 29) else day
    return day if EARLIEST <= day <= received_on else None
