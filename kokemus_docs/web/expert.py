"""The expert's own page, opened by the personal address on the hour form: /e/<token>. No account.

GET shows the page in the expert's language (fi/sv; ?lang= switches) with the year's forms, fees and payment
days; POST with a multipart `file` uploads a filled hour form and answers at once with the CLI ingest's result
and, when it was not accepted, the feedback text telling what to correct.

/e/<token>/hours/<contract_id> is the month's hour form as a web page (intake.webform): the rules check it at
once, and once it passes it is sent as the filled, sealed PDF through the same ingest, then shown on
/e/<token>/hours/<contract_id>/sent (Post/Redirect/Get).
"""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request, send_file, url_for

from kokemus_docs import bookings
from kokemus_docs.core.formatting import fi_month
from kokemus_docs.core.model import STATUS_LABELS, status_label
from kokemus_docs.core.paydates import payment_date
from kokemus_docs.earnings.documents import statement_download
from kokemus_docs.earnings.paid import expected_payment
from kokemus_docs.earnings.statement import FIRST_YEAR, LAST_YEAR
from kokemus_docs.forms.fields import row_field
from kokemus_docs.forms.links import resolve_token
from kokemus_docs.forms.texts import field_label
from kokemus_docs.intake import webform
from kokemus_docs.web import overview
from kokemus_docs.web.auth import audit
from kokemus_docs.web.downloads import pdf_response
from kokemus_docs.web.extensions import limiter
from kokemus_docs.web.i18n import LANGUAGES
from kokemus_docs.web.results import done, shown
from kokemus_docs.web.uploads import ingest_uploads, ingest_web_form

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


def error_page_for_address(path: str) -> tuple[str, str] | None:
    """For an error on an expert's address (a file too large, say): the expert's language and the address of
    their page, so the error page speaks their language and leads back; None for any other path."""
    parts = path.split("/")
    if len(parts) < 3 or parts[1] != "e":
        return None
    link = resolve_token(g.ws, parts[2])
    if link is None:
        return None
    expert = overview.register_check(g.ws).register.experts.get(link.expert_id)
    if expert is None:
        return None
    chosen = request.args.get("lang", "")
    language = chosen if chosen in LANGUAGES else expert.document_language
    return language, url_for("expert.page", token=parts[2], lang=language)


def _page(token: str, link, register, expert):
    year = link.month.year
    forms = overview.expert_year(g.ws, register, expert.expert_id, year, g.lang)
    blank = overview.issued_forms(g.ws, register, expert.expert_id, link.month)
    contracts = webform.web_form_contracts(register, expert.expert_id, link.month)
    expected = expected_payment(g.ws, register, expert.expert_id, link.month, g.lang)
    offers = bookings.expert_offers(g.ws, expert.expert_id)
    booked = [b for b in bookings.list_bookings(g.ws, expert_id=expert.expert_id, status=("booked", "done"))
              if any(s.day.year == year for s in b.sessions)]
    return render_template("expert.html", token=token, link=link, expert=expert, forms=forms, year=year,
                           blank=blank, result=shown(), contact=g.ws.coordinator_contact(), register=register,
                           contracts=contracts, expected=expected, statement_year=payment_date(link.month).year,
                           offers=offers, booked=booked,
                           status_labels={code: labels[g.lang] for code, labels in STATUS_LABELS.items()},
                           task_labels={code: register.task_label(code, g.lang) for code in register.task_codes()})


@bp.get("/<token>")
def page(token: str):
    return _page(token, *_open(token))


@bp.post("/<token>")
@limiter.limit("30 per minute")
def upload(token: str):
    link, register, expert = _open(token)
    result = ingest_uploads(g.ws, request.files.getlist("file"), expert_id=expert.expert_id)
    audit("upload", f"expert {expert.expert_id} {link.month}", result["summary"])
    return done("expert.page", result, "result", token=token, lang=g.lang)


@bp.get("/<token>/statement/<int:year>.pdf")
def statement(token: str, year: int):
    """The expert's own earnings statement of `year` by payment date (with their henkilötunnus)."""
    link, register, expert = _open(token)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    download = statement_download(g.ws, register, year, expert.expert_id)
    if download is None:
        abort(404)
    name, data = download
    audit("download", f"statement {year} {expert.expert_id}")
    return pdf_response(name, data)


@bp.post("/<token>/offers/<booking_id>")
@limiter.limit("30 per minute")
def answer(token: str, booking_id: str):
    """The expert accepts or declines an offer (a reason is optional: the choice is theirs)."""
    link, register, expert = _open(token)
    accept = request.form.get("answer") == "accept"
    try:
        answered = bookings.answer_offer(g.ws, register, booking_id[:40], accept=accept, expert_id=expert.expert_id,
                                         reason=request.form.get("reason", "")[:4000] or None)
    except bookings.BookingError as error:
        audit("booking-answer", booking_id[:40], f"refused: {error.code}")
        return done("expert.page", {"offer": {"booking_id": booking_id[:40], "fi": error.text("fi"),
                                              "sv": error.text("sv")}}, "offers", token=token, lang=g.lang)
    return done("expert.page", {"offer": {"booking_id": answered.booking_id, "answer": "accepted" if accept
                                          else "declined"}}, "offers", token=token, lang=g.lang)


@bp.get("/<token>/forms/<name>")
def blank_form(token: str, name: str):
    """The expert's own issued hour form for the address's month, to fill in again if the e-mail was lost."""
    link, register, expert = _open(token)
    forms = overview.issued_forms(g.ws, register, expert.expert_id, link.month)
    if name not in forms:
        abort(404)
    audit("download", f"outputs/forms/{link.month}/{name}")
    return send_file(forms[name], as_attachment=True, download_name=name, max_age=0)


def _contract(register, expert, link, contract_id: str):
    """The expert's own contract with a form this month, else 404."""
    for contract in webform.web_form_contracts(register, expert.expert_id, link.month):
        if contract.contract_id == contract_id:
            return contract
    abort(404)


@bp.get("/<token>/hours/<contract_id>")
def hours(token: str, contract_id: str):
    """The month's hour form as a web form: what was just entered (kept with the result of a send or an added
    row), else the rows as last accepted and the booked sessions, else one empty row; with the result of the last
    send on top."""
    link, register, expert = _open(token)
    contract = _contract(register, expert, link, contract_id)
    result = shown()
    if "entered" in result:
        web_form = webform.WebForm.restored(result["entered"], contract.contract_id, link.month, g.ws.form_rows)
    else:
        rows = webform.starting_rows(g.ws, register, contract.contract_id, link.month)
        web_form = webform.WebForm(contract.contract_id, link.month, rows=rows)
    problems: dict[str, list] = {}
    for finding in (f for f in result.get("findings", []) if f["error"]):
        problems.setdefault(finding["field"] or "", []).append(finding)
    return render_template(
        "hours.html", token=token, link=link, contract=contract, web_form=web_form, result=result,
        problems=problems, max_rows=g.ws.form_rows, unit=register.units.get(contract.unit_id),
        month_name=fi_month(link.month, g.lang),
        tasks=[(code, register.task_label(code, g.lang)) for code in contract.tasks],
        statuses=[(code, status_label(code, g.lang)) for code in STATUS_LABELS], row_field=row_field,
        field_label=field_label, input_value=webform.input_value)


@bp.post("/<token>/hours/<contract_id>")
@limiter.limit("30 per minute")
def send_hours(token: str, contract_id: str):
    """'add' shows one more row; 'send' checks the rows by the fee rules and, when they pass, records the form
    as its filled, sealed PDF through the same ingest as an upload. Either way 303 to the form's page."""
    link, register, expert = _open(token)
    contract = _contract(register, expert, link, contract_id)
    web_form = webform.read_posted(request.form, contract.contract_id, link.month, g.ws.form_rows)
    back = {"token": token, "contract_id": contract.contract_id, "lang": g.lang}
    if request.form.get("action") == "add":
        if len(web_form.rows) < g.ws.form_rows:
            web_form.rows.append({})
        return done("expert.hours", {"entered": web_form.entered()}, f"row{len(web_form.rows):02d}", **back)
    check = webform.check_web_form(g.ws, register, web_form)
    findings = webform.findings_shown(check)
    if not check.ok:
        audit("hours-web", check.form_id, "not sent: to correct")
        return done("expert.hours", {"entered": web_form.entered(), "findings": findings}, "result", **back)
    result = ingest_web_form(g.ws, register, web_form)
    audit("hours-web", web_form.form_id, result["summary"])
    if result.get("busy"):
        return done("expert.hours", {"entered": web_form.entered(), "busy": True}, "result", **back)
    sent = (result["forms"] or [{}])[0]
    return done("expert.hours", {"sent": {key: sent.get(key) for key in ("status", "form_id", "payment_date",
                                                                          "feedback")}}, "result", **back)
