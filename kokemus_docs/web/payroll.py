"""Payroll (HPK Palvelut): the payroll workbooks by month, and whether each month is closed."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template

from kokemus_docs.web import overview
from kokemus_docs.web.auth import roles_required
from kokemus_docs.web.files import send_workspace_file

bp = Blueprint("payroll", __name__, url_prefix="/payroll")


@bp.get("/")
@roles_required("payroll", "coordinator")
def index():
    return render_template("payroll.html", books=overview.payroll_workbooks(g.ws))


@bp.get("/<name>")
@roles_required("payroll")
def download(name: str):
    """A payroll workbook (personal data): for the payroll role only, every download in the audit log."""
    if name not in {book["name"] for book in overview.payroll_workbooks(g.ws)}:
        abort(404)
    return send_workspace_file(f"outputs/payroll/{name}", ("payroll",))
