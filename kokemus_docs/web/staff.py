"""The coordinator's pages: the month at a glance, uploads of returned forms, the month's steps, downloads,
the indicators as charts, experts' addresses and the audit log."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from kokemus_docs.accounts import logins
from kokemus_docs.core.errors import KokemusError
from kokemus_docs.core.month import Month
from kokemus_docs.core.report import Outcome
from kokemus_docs.core.workspace import WorkspaceBusy
from kokemus_docs.earnings.paid import month_limits
from kokemus_docs.forms.links import revoke_links, upload_addresses
from kokemus_docs.register.sheets import register_warnings
from kokemus_docs.web import overview
from kokemus_docs.web.auth import audit, month_neighbours, month_or_404, roles_required
from kokemus_docs.web.charts import bar_chart
from kokemus_docs.web.files import send_workspace_file
from kokemus_docs.web.i18n import in_both_languages, t
from kokemus_docs.web.results import done
from kokemus_docs.web.results import shown as shown_result
from kokemus_docs.web.uploads import ingest_uploads

bp = Blueprint("staff", __name__)
ROWS_PER_PAGE = 200


def _charts(year: int) -> list[str]:
    figures = overview.cached_year_figures(g.ws, overview.register_check(g.ws), year)
    months = [f"{m}" for m in range(1, 13)]
    tasks = [figures.by_month[m].tasks for m in range(1, 13)]
    fees = [figures.by_month[m].fees for m in range(1, 13)]
    units = sorted(figures.by_unit.items(), key=lambda item: -item[1].tasks)[:12]
    return [
        bar_chart(t("tasks_by_month"), months, tasks),
        bar_chart(t("fees_by_month"), months, fees),
        bar_chart(t("tasks_by_unit"), [u for u, _ in units], [tally.tasks for _, tally in units]),
    ]


def _month_page(month: Month):
    results = shown_result()
    previous, following = month_neighbours(month)
    check = overview.register_check(g.ws)
    view = overview.month_overview(g.ws, check.register, month, g.lang)
    shown = request.args.get("status", "")
    rows = [row for row in view.rows if row.status == shown] if shown in overview.FORM_STATES else view.rows
    pages = max(1, -(-len(rows) // ROWS_PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    rows = rows[(page - 1) * ROWS_PER_PAGE:page * ROWS_PER_PAGE]
    return render_template(
        "month.html", view=view, rows=rows, page=page, pages=pages, shown=shown,
        labels={state: t("st_" + state) for state in overview.FORM_STATES}, month=month, today=date.today(),
        check=check, register_warnings=register_warnings(g.ws, check),
        files=overview.row_files(g.ws, check.register, rows, month),
        downloads=overview.month_downloads(g.ws, month), charts=_charts(month.year),
        notice_units=overview.notice_units(g.ws, check.register, month),
        steps=overview.steps_for(g.ws, month), files_base=url_for("staff.download", rel="-")[:-1],
        previous=previous, following=following, results=results,
        approvals=overview.notice_approvals(g.ws, month),
        limits=[] if view.closed_at else month_limits(g.ws, check.register, month))


@bp.get("/months/<month>")
@roles_required("coordinator")
def month(month: str):
    return _month_page(month_or_404(month))


@bp.get("/months/")
@roles_required("coordinator")
def current_month():
    return redirect(url_for("staff.month", month=Month.containing(date.today())))


@bp.post("/months/<month>/upload")
@roles_required("coordinator")
def upload(month: str):
    month = month_or_404(month)
    result = ingest_uploads(g.ws, request.files.getlist("file"))
    audit("upload", f"{month} files={len(result.get('forms', [])) + len(result.get('refused', []))}",
          result.get("summary", ""))
    if result.get("busy"):
        return done("staff.month", {"busy": result["busy"]}, month=month)
    return done("staff.month", {"upload": result}, "upload-result", month=month)


@bp.post("/months/<month>/run")
@roles_required("coordinator")
def run(month: str):
    month = month_or_404(month)
    step = request.form.get("step", "")
    if step not in overview.STEPS or (step == "close" and request.form.get("confirm") != "yes"):
        abort(400)
    if step not in overview.steps_for(g.ws, month):  # a closed month's documents stay as they were
        audit("generate", f"{step} {month}", "refused month-closed")
        return done("staff.month", {"step": step, "closed": True}, month=month)
    formats = ("docx", "pdf") if request.form.get("pdf") == "yes" else ("docx",)
    try:
        with overview.writing(g.ws, step):
            check = overview.register_check(g.ws)
            outcome = overview.run_step(g.ws, check.register, step, month, formats)
    except WorkspaceBusy as busy:
        return done("staff.month", {"busy": busy.message}, month=month)
    except KokemusError as error:
        outcome = Outcome(errors=[error.as_problem()])
    audit("close" if step == "close" else "generate", f"{step} {month}", "ok" if outcome.ok else "errors")
    return done("staff.month", {"step": step, "errors": in_both_languages(outcome.errors[:50]),
                                "warnings": in_both_languages(outcome.warnings[:200]),
                                "written": len(outcome.written)}, month=month)


@bp.get("/months/<month>/close")
@roles_required("coordinator")
def close(month: str):
    """Closing cannot be undone: this page lists the month's warnings before the button that closes it."""
    month = month_or_404(month)
    register = overview.register_check(g.ws).register
    return render_template("close.html", month=month, checks=overview.closing_checks(g.ws, register, month, g.lang))


@bp.get("/files/<path:rel>")
@roles_required("coordinator")
def download(rel: str):
    return send_workspace_file(rel, overview.COORDINATOR_FOLDERS)


@bp.post("/months/<month>/links/<expert_id>/revoke")
@roles_required("coordinator")
def revoke(month: str, expert_id: str):
    month = month_or_404(month)
    check = overview.register_check(g.ws)
    if expert_id not in check.register.experts:
        abort(404)
    url = revoke_links(g.ws, expert_id, month)
    audit("revoke-link", f"{expert_id} {month}")
    return done("staff.month", {"revoked": {"expert_id": expert_id, "url": url}}, month=month)


@bp.get("/months/<month>/links/<expert_id>/revoke")
@roles_required("coordinator")
def confirm_revoke(month: str, expert_id: str):
    """Replacing an address cannot be undone: the old one stops working at once. Asked before it is done."""
    month = month_or_404(month)
    expert = overview.register_check(g.ws).register.experts.get(expert_id)
    if expert is None:
        abort(404)
    return render_template("revoke.html", month=month, expert=expert)


@bp.get("/months/<month>/links")
@roles_required("coordinator")
def links(month: str):
    month = month_or_404(month)
    check = overview.register_check(g.ws)
    view = overview.month_overview(g.ws, check.register, month, g.lang)
    experts = sorted({row.expert_id for row in view.rows})
    pages = max(1, -(-len(experts) // ROWS_PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    shown = set(experts[(page - 1) * ROWS_PER_PAGE:page * ROWS_PER_PAGE])
    addresses = upload_addresses(g.ws, sorted(shown), month)
    people: dict[str, dict] = {}  # one row per expert, however many contracts: the address is the expert's
    for row in view.rows:
        if row.expert_id in shown:
            people.setdefault(row.expert_id, {"expert_id": row.expert_id, "expert_name": row.expert_name,
                                              "contracts": []})["contracts"].append(row.contract_id)
    return render_template("links.html", month=month, people=list(people.values()), addresses=addresses,
                           page=page, pages=pages)


@bp.get("/audit")
@roles_required("coordinator")
def audit_log():
    return render_template("audit.html", entries=logins.audit_log(g.ws, 500))
