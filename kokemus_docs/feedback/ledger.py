"""Client feedback in the ledger: issued questionnaires, returned files and anonymous answers (the
`feedback_questionnaires`, `feedback_files` and `feedback_answers` tables of its one schema,
core.ledger_schema.SCHEMA). Every function takes an open Ledger; writes are made inside its `transaction()`."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from kokemus_docs.core.errors import Problem
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.model import Register
from kokemus_docs.feedback.answers import Answer, check_answer
from kokemus_docs.feedback.questions import RESPONDENTS, STATEMENTS


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


def record_questionnaire(ledger: Ledger, *, code: str, form_id: str, unit_id: str, respondent: str,
                         language: str) -> None:
    """Record an issued questionnaire under its phone code; issuing it again only renews its issue time. Call
    inside `ledger.transaction()`."""
    ledger.db.execute(
        "INSERT INTO feedback_questionnaires (code, form_id, unit_id, respondent, language, issued_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET issued_at = excluded.issued_at",
        (code, form_id, unit_id, respondent, language, datetime.now().isoformat(timespec="seconds")))
