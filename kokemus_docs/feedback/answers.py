"""One feedback answer: checking its values, whatever channel brought it (PDF, CSV, XLSX, phone), and storing
it in the ledger without anything that identifies the person who answered.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from kokemus_docs.core.errors import Problem
from kokemus_docs.core.formatting import ParseError, parse_date
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.model import Register
from kokemus_docs.feedback.questions import (
    COMMENT_MAX,
    LANGUAGES,
    NO_ANSWER,
    RESPONDENT_ALIASES,
    RESPONDENTS,
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


# --- the ledger -------------------------------------------------------------------------------------------------

def store_answers(ledger: Ledger, answers: Sequence[tuple[Answer, int | None]], file_id: int | None,
                  keys: Sequence[str | None] | None = None) -> None:
    """Store checked answers (with their source row, if any, and an export row's key, see read.row_key). Call
    inside `ledger.transaction()`."""
    keys = list(keys or [])
    keys += [None] * (len(answers) - len(keys))
    ledger.db.executemany(
        "INSERT INTO feedback_answers (file_id, source_row, channel, form_id, unit_id, respondent, language,"
        " answered_on, recommend, s1, s2, s3, s4, s5, comment, answer_key)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(file_id, row, a.channel, a.form_id or None, a.unit_id, a.respondent, a.language or None,
          a.answered_on.isoformat(), a.recommend, *a.statements, a.comment, key)
         for (a, row), key in zip(answers, keys, strict=True)])


def record_feedback_file(ledger: Ledger, *, sha256: str, file_name: str, received_on: date, status: str,
                         answers: int, problems: list[dict]) -> int:
    """The row of one returned file (questionnaire or export); its id. Call inside `ledger.transaction()`."""
    cursor = ledger.db.execute(
        "INSERT INTO feedback_files (sha256, file_name, received_on, ingested_at, status, answers, problems_json)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (sha256, file_name, received_on.isoformat(), datetime.now().isoformat(timespec="seconds"), status, answers,
         json.dumps(problems, ensure_ascii=False)))
    return int(cursor.lastrowid or 0)


def accepted_file_respondent(ledger: Ledger, sha256: str) -> tuple[str | None, str | None] | None:
    """For bytes accepted before: (respondent, unit_id) of that file's first answer (None, None without one);
    None when these bytes were never accepted."""
    earlier = ledger.db.execute("SELECT id FROM feedback_files WHERE sha256 = ? AND status = 'accepted'"
                                " ORDER BY id LIMIT 1", (sha256,)).fetchone()
    if earlier is None:
        return None
    first = ledger.db.execute("SELECT respondent, unit_id FROM feedback_answers WHERE file_id = ? ORDER BY id"
                              " LIMIT 1", (earlier["id"],)).fetchone()
    return (first["respondent"], first["unit_id"]) if first else (None, None)


def latest_feedback_file(ledger: Ledger, sha256: str, file_name: str) -> sqlite3.Row | None:
    """The latest row, whatever its status, of these bytes under this file name."""
    return ledger.db.execute("SELECT * FROM feedback_files WHERE sha256 = ? AND file_name = ? ORDER BY id DESC"
                             " LIMIT 1", (sha256, file_name)).fetchone()


def stored_answer_keys(ledger: Ledger, keys: Sequence[str]) -> dict[str, int]:
    """How many answers already stored carry each of `keys` (export rows counted before)."""
    found: dict[str, int] = {}
    unique = sorted(set(k for k in keys if k))
    for start in range(0, len(unique), 500):
        chunk = unique[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in ledger.db.execute(f"SELECT answer_key, COUNT(*) AS n FROM feedback_answers WHERE answer_key IN"
                                     f" ({marks}) GROUP BY answer_key", chunk):
            found[row["answer_key"]] = row["n"]
    return found


def answers_for_year(ledger: Ledger, year: int) -> list[Answer]:
    """Every stored answer dated in `year`, oldest first."""
    rows = ledger.db.execute("SELECT * FROM feedback_answers WHERE answered_on LIKE ? ORDER BY answered_on, id",
                             (f"{year}-%",)).fetchall()
    return [Answer(respondent=r["respondent"], unit_id=r["unit_id"], answered_on=date.fromisoformat(r["answered_on"]),
                   recommend=r["recommend"], statements=tuple(r[s] for s in STATEMENTS), comment=r["comment"],
                   channel=r["channel"], language=r["language"] or "", form_id=r["form_id"] or "") for r in rows]


@dataclass(frozen=True)
class IssuedQuestionnaire:
    code: str
    form_id: str
    unit_id: str
    respondent: str
    language: str


def questionnaire_by_code(ledger: Ledger, code: str) -> IssuedQuestionnaire | None:
    """The issued questionnaire whose phone address ends in `code`, if any."""
    if not re.fullmatch(r"[a-z2-7]{1,32}", code or ""):
        return None
    row = ledger.db.execute("SELECT * FROM feedback_questionnaires WHERE code = ?", (code,)).fetchone()
    if row is None or row["respondent"] not in RESPONDENTS:
        return None
    return IssuedQuestionnaire(code=row["code"], form_id=row["form_id"], unit_id=row["unit_id"],
                               respondent=row["respondent"], language=row["language"])


def record_phone_answer(ledger: Ledger, register: Register, questionnaire: IssuedQuestionnaire,
                        values: Mapping[str, object], received_on: date | None = None) -> list[Problem]:
    """Check and store an answer given on the phone page of `questionnaire`; returns the problems (none = stored).

    Only the answer is kept: no address, browser or time of day that could point to the person.
    """
    given = {name: values.get(name) for name in ("date", "recommend", *STATEMENTS, "comment")}
    given.update(respondent=questionnaire.respondent, unit_id=questionnaire.unit_id)
    answer, problems = check_answer(given, register, received_on or date.today(), channel="web",
                                    language=questionnaire.language, form_id=questionnaire.form_id)
    if answer is None:
        return problems
    with ledger.transaction():
        store_answers(ledger, [(answer, None)], None)
    return []
