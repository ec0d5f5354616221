"""The expert's own page, opened by the personal address on the hour form: /e/<token>. No account.

GET shows the page in the expert's language (fi/sv; ?lang= switches) with the year's forms, fees and payment
days; POST with a multipart `file` uploads a filled hour form and answers at once with the CLI ingest's result
and, when it was not accepted, the feedback text telling what to correct.
"""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request, send_file

from kokemus_docs.forms.links import resolve_token
from kokemus_docs.web import overview
from kokemus_docs.web.auth import audit
from kokemus_docs.web.extensions import limiter
from kokemus_docs.web.i18n import LANGUAGES
from kokemus_docs.web.results import done, shown
from kokemus_docs.web.uploads import ingest_uploads

bp = Blueprint("expert", __name__, url_prefix="/e")


def _open(token: str):
    link = resolve_token(g.ws, token)
    if link is None:
        abort(404)
    register = overview.register_check(g.ws).register
    expert = register.experts.get(link.expert_id)
    if expert is None:
        abort(404)
    chosen = request.args.get("lang", "")
    g.lang = chosen if chosen in LANGUAGES else expert.document_language
    g.actor = f"expert:{expert.expert_id}"
    g.result_owner = "expert:" + token
    if link.closed:
        abort(410)
    return link, register, expert


def _page(token: str, link, register, expert):
    year = int(link.month[:4])
    forms = overview.expert_year(g.ws, register, expert.expert_id, year, g.lang)
    blank = overview.issued_forms(g.ws, register, expert.expert_id, link.month)
    return render_template("expert.html", token=token, link=link, expert=expert, forms=forms, year=year,
                           blank=blank, result=shown(), contact=g.ws.coordinator_contact())


@bp.get("/<token>")
def page(token: str):
    return _page(token, *_open(token))


@bp.post("/<token>")
@limiter.limit("30 per minute")
def upload(token: str):
    link, register, expert = _open(token)
    storage = request.files.get("file")
    result = ingest_uploads(g.ws, [storage] if storage else [], expert_id=expert.expert_id)
    audit("upload", f"expert {expert.expert_id}", result["summary"])
    return done("expert.page", result, "result", token=token, lang=g.lang)


@bp.get("/<token>/forms/<name>")
def blank_form(token: str, name: str):
    """The expert's own issued hour form for the address's month, to fill in again if the e-mail was lost."""
    link, register, expert = _open(token)
    forms = overview.issued_forms(g.ws, register, expert.expert_id, link.month)
    if name not in forms:
        abort(404)
    if request.method != "HEAD":
        audit("download", f"outputs/forms/{link.month}/{name}")
    return send_file(forms[name], as_attachment=True, download_name=name, max_age=0)
