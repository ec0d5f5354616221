"""The web app (`kokemus serve`): the coordinator, unit contacts, payroll and experts on the CLI's workspace.

`create_app(workspace_root)` builds a Flask app with one blueprint per area: auth (login), staff (the month page,
uploads, generation, downloads, audit log), unit (a unit's notices and forms), payroll (workbooks) and expert
(the personal upload page /e/<token>). Handlers call the same library functions as the CLI.
"""

from __future__ import annotations

import os
import secrets
from pathlib import PurePosixPath

from flask import Flask, g, request, session

from kokemus_docs.core.errors import WorkspaceError
from kokemus_docs.core.fileio import write_bytes_atomic
from kokemus_docs.core.ledger import one_connection
from kokemus_docs.core.workspace import CONFIG_NAME, Workspace
from kokemus_docs.web.extensions import csrf, limiter, login_manager

__all__ = ["create_app", "csrf", "limiter", "login_manager"]

SECRET_NAME = "web_secret.key"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # one request: many forms, 10 MB in all

CSP = ("default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


def _secret_key(ws: Workspace) -> bytes:
    """The session-signing key in .kokemus/ (0600), made once."""
    path = ws.state_dir / SECRET_NAME
    if not path.is_file():
        write_bytes_atomic(path, secrets.token_hex(32).encode(), mode=0o600)
    return bytes.fromhex(path.read_text().strip())


def _proxy_hops(ws: Workspace) -> int:
    """kokemus.toml's web.proxy_hops: how many reverse proxies in front of the app are trusted (0: none)."""
    value = ws.config["web"].get("proxy_hops", 0)
    if type(value) is not int or not 0 <= value <= 10:
        raise WorkspaceError(f"{CONFIG_NAME}: web.proxy_hops = {str(value)[:40]!r} is not a number of proxies from 0 "
                             "to 10; write e.g. proxy_hops = 1 behind one reverse proxy.", path=CONFIG_NAME,
                             code="bad-config")
    return value


def file_name(rel: str) -> str:
    """The file's own name of a workspace-relative path (outputs/notices/2026-10/MTP-PORVOO_fi.pdf → its last
    part), as a page shows a download."""
    return PurePosixPath(rel).name


def create_app(workspace_root: str | os.PathLike, *, config: dict | None = None) -> Flask:
    """The web app on the workspace at `workspace_root`."""
    from kokemus_docs.web import auth, bookings, earnings, expert, feedback, payroll, staff, unit
    from kokemus_docs.web.errors import install as install_errors
    from kokemus_docs.web.i18n import install as install_i18n

    ws = Workspace.open(workspace_root)
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(
        SECRET_KEY=_secret_key(ws),
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        MAX_FORM_PARTS=200,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=ws.public_url.startswith("https://"),
        SESSION_COOKIE_NAME="kokemus_session",
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        RATELIMIT_STORAGE_URI="memory://",
        KOKEMUS_WORKSPACE=ws,
    )
    app.config.update(config or {})
    proxies = _proxy_hops(ws)
    if proxies > 0:
        # Behind the county's reverse proxy: the client address (login throttling, the audit log) and the
        # scheme come from its X-Forwarded-* headers, trusted for this many proxies only.
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Flask's documented way to wrap its WSGI callable, which its type stubs declare as a method
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,  # type: ignore[method-assign]
                                x_host=proxies)
    app.jinja_env.autoescape = True
    app.jinja_env.filters["file_name"] = file_name

    # Before CSRF protection, so that its refusal page knows the workspace and the language.
    @app.before_request
    def _workspace():
        g.ws = app.config["KOKEMUS_WORKSPACE"]
        g.lang = session.get("lang", "fi")
        g.ledgers = one_connection()  # one ledger connection for the whole request
        g.ledgers.__enter__()

    @app.teardown_request
    def _close_ledger(_error):
        ledgers = g.pop("ledgers", None)
        if ledgers is not None:
            ledgers.__exit__(None, None, None)

    csrf.init_app(app)
    limiter.init_app(app)
    limiter.reset()
    login_manager.init_app(app)
    install_i18n(app)
    install_errors(app)

    for module in (auth, staff, unit, payroll, expert, feedback, earnings, bookings):
        app.register_blueprint(module.bp)

    @app.get("/healthz")
    def healthz():
        return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        # Same origin only: other sites never see an address (an expert's token), and over HTTPS the CSRF
        # check needs the page's own address as Referer on every form sent.
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
        if app.config["SESSION_COOKIE_SECURE"]:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

    return app
