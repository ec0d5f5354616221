"""Logging in and out, the staff user behind a session, and the one role check every staff page uses."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from werkzeug.exceptions import HTTPException

from kokemus_docs.accounts import logins
from kokemus_docs.core.month import BadMonth, Month
from kokemus_docs.web.extensions import login_manager
from kokemus_docs.web.i18n import LANGUAGES
from kokemus_docs.web.throttle import login_throttle

bp = Blueprint("auth", __name__)



class StaffUser(UserMixin):
    """A logged-in user in one session; the session's random id is what the cookie holds."""

    def __init__(self, user: logins.User, session_id: str):
        self.user = user
        self.login = user.login
        self.role = user.role
        self.unit_id = user.unit_id
        self.session_id = session_id

    def get_id(self) -> str:
        return self.session_id


@login_manager.user_loader
def _load_user(session_id: str) -> StaffUser | None:
    user = logins.session_user(g.ws, session_id)
    return StaffUser(user, session_id) if user else None


def roles_required(*roles: str) -> Callable:
    """Only logged-in staff of one of `roles` (anonymous: to /login; other roles: 403).

    A view with a `unit_id` argument is open to the unit's own contact only among unit logins.
    """

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            if current_user.role == "unit" and kwargs.get("unit_id") != current_user.unit_id:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def month_neighbours(month: Month) -> tuple[Month | None, Month | None]:
    """The months before and after `month` for a page's pager; None past 2000-01 or 2099-12."""
    def step(move):
        try:
            return move()
        except BadMonth:
            return None

    return step(month.previous), step(month.next)


def month_or_404(text: str) -> Month:
    """The month named in a URL; 404 for anything but YYYY-MM from 2000-01 to 2099-12."""
    if not Month.is_valid(text):
        abort(404)
    return Month.parse(text)


def audit(action: str, subject: str = "", result: str = "") -> None:
    """Record an action of the logged-in user (or an expert's, as 'expert:<id>') in the audit log.

    A HEAD request only asks whether a file is there: it is not recorded as a download."""
    if action == "download" and request.method == "HEAD":
        return
    actor = current_user.login if current_user.is_authenticated else getattr(g, "actor", "anonymous")
    logins.audit(g.ws, actor, action, subject, result)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html", failed=request.args.get("failed") == "1")
    name = (request.form.get("login") or "").strip()[:64]
    address = request.remote_addr or "?"
    if login_throttle().refused(address, name):
        abort(429)
    user = logins.verify_user(g.ws, name, request.form.get("password") or "")
    if user is None:
        login_throttle().failed(address, name)
        # Only an existing account is named: what was typed for an unknown one (a mistyped password, a
        # henkilötunnus) is not kept.
        logins.audit(g.ws, name if logins.known_login(g.ws, name) else "unknown-login", "login", result="failed")
        return redirect(url_for("auth.login", next=_local(request.args.get("next", "")) or None, failed=1), 303)
    language = session.get("lang")
    session.clear()  # a fresh session for the logged-in user; only the chosen language carries over
    if language in LANGUAGES:
        session["lang"] = language
    login_user(StaffUser(user, logins.start_session(g.ws, user.login)))
    logins.audit(g.ws, user.login, "login", result="ok")
    return redirect(_local(request.args.get("next", "")) or url_for("auth.home"), 303)


def _local(target: str) -> str:
    """`target` if it is a path on this site (never another site's address), else ''."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target or any(ord(c) < 32 for c in target):
        return ""
    return target


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        audit("logout")
        logins.end_session(g.ws, current_user.session_id)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"), 303)


@bp.post("/language")
def language():
    """Switch the page language (fi/sv), kept in the session; back to the page it was asked from."""
    chosen = request.form.get("lang", "")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(_page_address(request.form.get("next", "")) or url_for("auth.home"), 303)


def _page_address(target: str) -> str:
    """`target` if it is a page of this site that can be opened (GET), else ''."""
    target = _local(target)
    if not target:
        return ""
    try:
        current_app.url_map.bind("localhost").match(target.split("?", 1)[0], method="GET")
    except HTTPException:
        return ""
    return target


@bp.get("/")
@login_required
def home():
    month = Month.containing(date.today())
    if current_user.role == "coordinator":
        return redirect(url_for("staff.month", month=month))
    if current_user.role == "unit":
        return redirect(url_for("unit.month", unit_id=current_user.unit_id, month=month))
    return redirect(url_for("payroll.index"))
