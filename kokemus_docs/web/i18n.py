"""Page texts in Finnish and Swedish. Templates call `t("key")`; the language is `g.lang` (session or expert).

The texts themselves are in `texts_fi` and `texts_sv`; here are the few English words of the client's feedback
page, `t`, and the template filters that show dates, months, problems and audit entries in the page language.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, g

from kokemus_docs.core.errors import Problem
from kokemus_docs.core.formatting import fi_month
from kokemus_docs.core.month import Month
from kokemus_docs.core.problem_texts import problem_text
from kokemus_docs.web.texts_fi import TEXTS_FI
from kokemus_docs.web.texts_sv import TEXTS_SV

LANGUAGES = ("fi", "sv")

TEXTS: dict[str, dict[str, str]] = {
    "fi": TEXTS_FI,
    "sv": TEXTS_SV,
    # The client's phone feedback page may be in English: the few shared words it shows.
    "en": {
        "app_name": "Experts by experience",
        "not_found": "The page was not found.",
        "too_many": "Too many attempts. Please wait a moment and try again.",
        "bad_request": "The request could not be handled. Reload the page and try again.",
    },
}


def t(key: str, **params) -> str:
    """The text `key` in the page language, with `params` filled in."""
    language = getattr(g, "lang", "fi")
    text = TEXTS.get(language, TEXTS["fi"]).get(key) or TEXTS["fi"].get(key) or params.pop("default", key)
    return text.format(**params) if params else text


def when(value: str | None) -> str:
    """An ISO date or date-time as people read it here: 23.11.2026 18.23."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    text = f"{moment.day}.{moment.month}.{moment.year}"
    return text if len(str(value)) <= 10 else f"{text} {moment.hour}.{moment.minute:02d}"


def problem(value: Problem) -> str:
    """A register or step problem in the page language, with its sheet, row and column."""
    return problem_text(value, getattr(g, "lang", "fi"))


def in_both_languages(problems: list[Problem]) -> dict[str, list[str]]:
    """Problems as the page shows them in either language, kept with a step's result: {"fi": [...], "sv": [...]}."""
    return {language: [problem_text(p, language) for p in problems] for language in LANGUAGES}


def in_language(texts: dict | list) -> list:
    """The page language's texts of an `in_both_languages` value."""
    if isinstance(texts, dict):
        return texts.get(getattr(g, "lang", "fi")) or texts.get("fi") or []
    return []


def month_name(text: str) -> str:
    """'2026-11' as people read it: marraskuu 2026 / november 2026 (a page's month, or one kept with a result
    as text); text that is not a month is shown as it is."""
    if not Month.is_valid(text):
        return text
    return fi_month(Month.parse(text), getattr(g, "lang", "fi"))


def audit_words(value: str) -> str:
    """An audit entry's subject or result in the page language: the words the log stores ('ok', 'accepted=1',
    step names) are translated, ids, months and file paths stay as they are."""
    words = []
    for word in (value or "").split():
        name, _, count = word.partition("=")
        if count.isdigit() and "count_" + name in TEXTS["fi"]:
            words.append(t("count_" + name, n=count))
        elif count.isdigit() and "st_" + name in TEXTS["fi"]:
            words.append(f"{t('st_' + name)} {count}")
        elif "step_" + name.replace("-", "_") in TEXTS["fi"] and not count:
            words.append(t("step_" + name.replace("-", "_")))
        elif "audit_" + name in TEXTS["fi"] and not count:
            words.append(t("audit_" + name))
        elif "st_" + name in TEXTS["fi"] and not count:
            words.append(t("st_" + name))
        else:
            words.append(word)
    return " ".join(words)


def install(app: Flask) -> None:
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["problem"] = problem
    app.jinja_env.filters["in_language"] = in_language
    app.jinja_env.filters["month_name"] = month_name
    app.jinja_env.filters["audit_words"] = audit_words
    app.jinja_env.globals["t"] = t
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["TEXTS"] = TEXTS
