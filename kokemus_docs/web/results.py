"""Post/Redirect/Get: every form's POST keeps its result and answers 303 to a GET page that shows it, so a reload
repeats nothing and every address a browser lands on can be opened again (switching language included)."""

from __future__ import annotations

from flask import g, redirect, request, url_for
from flask_login import current_user

from kokemus_docs.accounts import logins


def _owner() -> str:
    """Whose result it is: the logged-in session, or the expert's address (g.result_owner)."""
    if current_user.is_authenticated:
        return "session:" + current_user.session_id
    return getattr(g, "result_owner", "")


def done(endpoint: str, result: dict, anchor: str | None = None, **values):
    """Keep `result` and send the browser (303) to `endpoint`'s GET page, which shows it."""
    owner = _owner()
    if owner:
        values["done"] = logins.keep_result(g.ws, owner, result)
    return redirect(url_for(endpoint, _anchor=anchor, **values), 303)


def shown() -> dict:
    """The result the address's `done` names, for this session or address only; {} otherwise."""
    result_id = request.args.get("done", "")
    owner = _owner()
    return (logins.kept_result(g.ws, owner, result_id) or {}) if result_id and owner else {}
