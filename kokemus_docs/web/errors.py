"""Error pages in Finnish and Swedish, without any detail of the request."""

from __future__ import annotations

from flask import Flask, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

MESSAGES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "not_found", 410: "expert_closed",
            409: "busy", 413: "too_large", 429: "too_many", 500: "server_error", 503: "busy"}


# Open without a login: everything else sends an anonymous visitor to the login page, existing or not.
PUBLIC_PREFIXES = ("/login", "/healthz", "/e/", "/f/", "/static/")


def install(app: Flask) -> None:
    def handler(error):
        code = getattr(error, "code", 400) or 400
        if code == 404 and not current_user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            return redirect(url_for("auth.login", next=request.path))
        return render_template("error.html", key=MESSAGES.get(code, "bad_request"), code=code), code

    for code in MESSAGES:
        app.register_error_handler(code, handler)
    app.register_error_handler(CSRFError, handler)
