"""A unit contact's pages: the unit's fee notices to download and approve, and the status of its forms."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from kokemus_docs.accounts import logins
from kokemus_docs.core.model import Register
from kokemus_docs.core.month import Month
from kokemus_docs.web import overview
from kokemus_docs.web.auth import audit, month_neighbours, month_or_404, roles_required
from kokemus_docs.web.files import send_workspace_file

bp = Blueprint("unit", __name__, url_prefix="/units")


def _checked(unit_id: str, month: str) -> tuple[Register, Month]:
    register = overview.register_check(g.ws).register
    if unit_id not in register.units:
        abort(404)
    return register, month_or_404(month)


@bp.get("/<unit_id>/")
@roles_required("coordinator", "unit")
def index(unit_id: str):
    return redirect(url_for("unit.month", unit_id=unit_id, month=Month.containing(date.today())))


@bp.get("/<unit_id>/months/<month>")
@roles_required("coordinator", "unit")
def month(unit_id: str, month: str):
    register, month = _checked(unit_id, month)
    view = overview.month_overview(g.ws, register, month, g.lang, unit_id=unit_id)
    return render_template("unit.html", unit=register.units[unit_id], unit_id=unit_id, month=month, view=view,
                           neighbours=month_neighbours(month),
                           notice_months=overview.unit_notice_months(g.ws, unit_id),
                           notices=overview.month_downloads(g.ws, month, unit_id=unit_id),
                           approval=overview.notice_approvals(g.ws, month).get(unit_id),
                           digest=overview.notice_digest(g.ws, month, unit_id))


@bp.get("/<unit_id>/notices/<month>/<name>")
@roles_required("coordinator", "unit")
def notice(unit_id: str, month: str, name: str):
    _, month = _checked(unit_id, month)
    rel = f"outputs/notices/{month}/{name}"
    if rel not in overview.month_downloads(g.ws, month, unit_id=unit_id):
        abort(404)
    return send_workspace_file(rel, ("notices",))


@bp.post("/<unit_id>/notices/<month>/approve")
@roles_required("unit")
def approve(unit_id: str, month: str):
    _, month = _checked(unit_id, month)
    digest = overview.notice_digest(g.ws, month, unit_id)
    if not digest:
        abort(404)
    if request.form.get("notice") != digest:  # the notice changed after the page showing it was opened
        audit("approve", f"notice {unit_id} {month}", "refused notice-changed")
        flash("notice_changed")
    else:
        logins.approve_notice(g.ws, month, unit_id, current_user.login, digest)
        audit("approve", f"notice {unit_id} {month}", digest[:12])
    return redirect(url_for("unit.month", unit_id=unit_id, month=month), 303)
