"""The anonymous phone page of a feedback questionnaire: /f/<code>, opened from the QR code on the paper form.

GET shows the questionnaire's questions in its language; POST checks and stores the answer through the same
function as the PDF and survey-export answers (channel "web") and then redirects to a thank-you page (303). The
form asks the browser itself for the one required answer (the 0–10 question) and keeps the comment within its
length, so a phone never sends an incomplete answer and the typed comment stays on the phone until it can be
stored; a post that still fails the checks (an old browser, a hand-made request) gets the form back with the
questions to correct marked (400), its values only in that answer, never kept on the server. No login and no
account; nothing that could identify the person is stored (no address, no browser, no time of day). Posting is
throttled per address and per questionnaire against floods (the counts live in the rate limiter's memory only).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from kokemus_docs.core.errors import KokemusError
from kokemus_docs.core.ledger import open_ledger
from kokemus_docs.feedback.ledger import questionnaire_by_code, record_phone_answer
from kokemus_docs.feedback.questionnaire import county_name, unit_name
from kokemus_docs.feedback.questions import (
    COMMENT_MAX,
    LANGUAGES_OF,
    STATEMENTS,
    code_as_typed,
    identity_of,
    phone_code,
    questions,
    words,
)
from kokemus_docs.web import overview
from kokemus_docs.web.extensions import limiter

FEEDBACK_DIR = Path(__file__).resolve().parent.parent / "feedback"
bp = Blueprint("feedback", __name__, url_prefix="/f", template_folder=str(FEEDBACK_DIR / "templates"),
               static_folder=str(FEEDBACK_DIR / "static"), static_url_path="/static")

LANGUAGE_NAMES = {"fi": "suomeksi", "sv": "på svenska", "en": "in English"}
FIELD_ERRORS = {"recommend": "err_recommend", "comment": "err_comment", "date": "err_date",
                **dict.fromkeys(STATEMENTS, "err_statement")}


def _open(code: str):
    """The questionnaire behind `code` and its unit, or 404; the page language is the questionnaire's."""
    with open_ledger(g.ws.ledger_path) as ledger:
        questionnaire = questionnaire_by_code(ledger, code)
    if questionnaire is None:
        abort(404)
    register = overview.register_check(g.ws).register
    unit = register.units.get(questionnaire.unit_id)
    if unit is None:
        abort(404)
    g.lang = questionnaire.language
    return questionnaire, register, unit


def _other_languages(questionnaire) -> list[tuple[str, str]]:
    """(language, code) of the same unit's and group's questionnaires in the other languages, when issued."""
    key = g.ws.seal_key()
    found = []
    with open_ledger(g.ws.ledger_path) as ledger:
        for language in LANGUAGES_OF[questionnaire.respondent]:
            if language != questionnaire.language:
                code = phone_code(key, identity_of(questionnaire.unit_id, questionnaire.respondent, language))
                if questionnaire_by_code(ledger, code) is not None:
                    found.append((language, code))
    return found


def _page(code: str, questionnaire, unit, *, values: dict | None = None, errors: dict | None = None,
          sent: bool = False, status: int = 200):
    question, statements = questions(questionnaire.respondent, questionnaire.language)
    text = words(questionnaire.language)
    return render_template(
        "feedback_phone.html", code=code, q=questionnaire, text=text, question=question,
        other_languages=_other_languages(questionnaire), language_names=LANGUAGE_NAMES,
        statements=list(zip(STATEMENTS, statements, strict=True)), values=values or {}, errors=errors or {},
        sent=sent, unit_name=unit_name(unit, questionnaire.language),
        org_name=county_name(g.ws, questionnaire.language), comment_max=COMMENT_MAX), status


@bp.get("/<code>")
def page(code: str):
    typed = code_as_typed(code)
    if typed and typed != code:  # the reference printed on the paper, typed by hand: the page's own address
        return redirect(url_for("feedback.page", code=typed), code=303)
    questionnaire, _register, unit = _open(code)
    return _page(code, questionnaire, unit, sent=request.args.get("sent") == "1")


@bp.post("/<code>")
@limiter.limit("20 per minute; 300 per day")
@limiter.limit("600 per hour", key_func=lambda: f"feedback:{(request.view_args or {}).get('code', '')}")
def answer(code: str):
    questionnaire, register, unit = _open(code)
    values = {name: request.form.get(name, "")[:COMMENT_MAX * 2] for name in ("recommend", *STATEMENTS, "comment")}
    text = words(questionnaire.language)
    try:
        with open_ledger(g.ws.ledger_path) as ledger:
            problems = record_phone_answer(ledger, register, questionnaire, values)
    except KokemusError:  # the ledger is busy or unreadable: nothing was stored, the person may send again
        return _page(code, questionnaire, unit, values=values, errors={"busy": text["busy"]}, status=503)
    if problems:
        errors = {p.field: text[FIELD_ERRORS.get(p.field or "", "err_recommend")] for p in problems}
        return _page(code, questionnaire, unit, values=values, errors=errors, status=400)
    return redirect(url_for("feedback.page", code=code, sent=1), code=303)
