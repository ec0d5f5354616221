"""The coordinator's earnings statements: the year's statements listed, each one or all in one PDF to print.

Each statement carries its expert's henkilötunnus: only the coordinator (and the expert, from their own page)
reaches one; a unit contact or payroll is refused. Every download is in the audit log.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, g, render_template

from kokemus_docs.earnings.documents import all_statements, statement_download
from kokemus_docs.earnings.statement import FIRST_YEAR, LAST_YEAR, year_totals
from kokemus_docs.web import overview
from kokemus_docs.web.auth import audit, roles_required
from kokemus_docs.web.downloads import pdf_response

bp = Blueprint("earnings", __name__, url_prefix="/statements")


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    return year


@bp.get("/")
@roles_required("coordinator")
def current_year():
    return index(date.today().year)


@bp.get("/<int:year>")
@roles_required("coordinator")
def index(year: int):
    statements = year_totals(g.ws, overview.register_check(g.ws).register, _year(year))
    return render_template("statements.html", year=year, statements=statements)


@bp.get("/<int:year>/all.pdf")
@roles_required("coordinator")
def print_all(year: int):
    name, data = all_statements(g.ws, overview.register_check(g.ws).register, _year(year))
    audit("download", f"statements {year} (all)")
    return pdf_response(name, data)


@bp.get("/<int:year>/<expert_id>.pdf")
@roles_required("coordinator")
def one(year: int, expert_id: str):
    made = statement_download(g.ws, overview.register_check(g.ws).register, _year(year), expert_id)
    if made is None:
        abort(404)
    audit("download", f"statement {year} {expert_id}")
    return pdf_response(*made)
