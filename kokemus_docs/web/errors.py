"""Error pages in Finnish and Swedish, without any detail of the request."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

MESSAGES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "not_found", 410: "expert_closed",
            413: "too_large", 429: "too_many"}


def install(app: Flask) -> None:
    def handler(error):
        code = getattr(error, "code", 400) or 400
        return render_template("error.html", key=MESSAGES.get(code, "bad_request"), code=code), code

    for code in MESSAGES:
        app.register_error_handler(code, handler)
    app.register_error_handler(CSRFError, handler)
