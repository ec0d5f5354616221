"""Error pages in Finnish and Swedish, without any detail of the request; refusals go into the audit log."""

from __future__ import annotations

import re

from flask import Flask, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

MESSAGES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "not_found", 410: "expert_closed",
            409: "busy", 413: "too_large", 429: "too_many", 500: "server_error", 503: "busy"}
# Refusals recorded in the audit log, with what was refused.
REFUSALS = {400: "refused", 403: "forbidden", 413: "too-large", 429: "throttled"}  # words the log page translates

# Open without a login: everything else sends an anonymous visitor to the login page, existing or not.
PUBLIC_PREFIXES = ("/login", "/healthz", "/e/", "/f/", "/static/")
# An expert's address and a questionnaire's code are keys: the audit log shows neither.
_SECRET_SEGMENT = re.compile(r"^/(e|f)/[^/]+")


def _refused(error, code: int) -> None:
    """Record a refusal: who, which request (without an address's key), and why."""
    from kokemus_docs.accounts.logins import audit

    ws = getattr(g, "ws", None)
    if ws is None:
        return
    actor = current_user.login if current_user.is_authenticated else getattr(g, "actor", "anonymous")
    why = REFUSALS[code]
    if isinstance(error, CSRFError):
        why = "no-csrf"
    path = _SECRET_SEGMENT.sub(lambda m: f"/{m.group(1)}/…", request.path)
    audit(ws, actor, "refused", f"{request.method} {path}", f"{code} {why}")


def install(app: Flask) -> None:
    def handler(error):
        code = getattr(error, "code", 400) or 400
        if code == 404 and not current_user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            return redirect(url_for("auth.login", next=request.path))
        if code in REFUSALS:
            _refused(error, code)
        back = None
        if request.path.startswith("/e/") and code != 404 and getattr(g, "ws", None) is not None:
            from kokemus_docs.web.expert import error_page_for_address

            found = error_page_for_address(request.path)
            if found is not None:
                g.lang, back = found
        return render_template("error.html", key=MESSAGES.get(code, "bad_request"), code=code, back=back), code

    for code in MESSAGES:
        app.register_error_handler(code, handler)
    app.register_error_handler(CSRFError, handler)
