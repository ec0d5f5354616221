"""Sessions kept in the ledger: a cookie copied before logging out, a new password or a removed login opens
nothing; an idle session ends."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from kokemus_docs.accounts import logins
from kokemus_docs.accounts.logins import add_user
from kokemus_docs.cli import cli
from kokemus_docs.web import create_app

PASSWORD = "coordinator-password"


@pytest.fixture
def app(workspace):
    add_user(workspace, "coord", "coordinator", password=PASSWORD)
    add_user(workspace, "hpk", "payroll", password="payroll-password-1")
    app = create_app(workspace.root)
    app.config["TESTING"] = True
    return app


def _token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _logged_in(app, login: str = "coord", password: str = PASSWORD):
    client = app.test_client()
    response = client.post("/login", data={"login": login, "password": password, "csrf_token": _token(client)})
    assert response.status_code in (302, 303)
    return client


def _cookie(client) -> str:
    return client.get_cookie("kokemus_session").value


def _replay(app, cookie: str):
    """A new browser that holds only the copied cookie."""
    thief = app.test_client()
    thief.set_cookie("kokemus_session", cookie)
    return thief


def test_the_cookie_holds_a_random_id_not_the_login(app, workspace):
    client = _logged_in(app)
    from flask.sessions import SecureCookieSessionInterface

    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    content = serializer.loads(_cookie(client))
    assert "coord" not in str(content.values())
    assert len(content["_user_id"]) >= 40


def test_a_cookie_copied_before_logout_opens_nothing_after(app):
    client = _logged_in(app)
    cookie = _cookie(client)
    assert _replay(app, cookie).get("/audit").status_code == 200
    client.post("/logout", data={"csrf_token": _token(client, "/audit")})
    assert client.get("/audit").status_code == 302
    replayed = _replay(app, cookie)
    response = replayed.get("/audit")
    assert response.status_code == 302 and "/login" in response.location
    step = replayed.post("/months/2026-10/run", data={"step": "notices", "csrf_token": _token(replayed, "/login")})
    assert step.status_code in (302, 400)


def test_a_new_password_ends_the_logins_sessions(app, workspace):
    first, second, other = _logged_in(app), _logged_in(app), _logged_in(app, "hpk", "payroll-password-1")
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "users", "passwd", "coord", "--password-stdin"],
                                input="a-brand-new-password\n")
    assert result.exit_code == 0, result.output
    assert first.get("/audit").status_code == 302 and second.get("/audit").status_code == 302
    assert other.get("/payroll/").status_code == 200
    assert _logged_in(app, "coord", "a-brand-new-password").get("/audit").status_code == 200


def test_a_removed_login_is_logged_out_at_once(app, workspace):
    client = _logged_in(app)
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "users", "remove", "coord"])
    assert result.exit_code == 0, result.output
    assert client.get("/audit").status_code == 302
    assert logins.verify_user(workspace, "coord", PASSWORD) is None
    assert CliRunner().invoke(cli, ["-w", str(workspace.root), "users", "remove", "coord"]).exit_code == 2


def test_an_idle_session_ends(app, monkeypatch):
    client = _logged_in(app)
    assert client.get("/audit").status_code == 200
    later = logins.time.time() + logins.SESSION_IDLE_SECONDS + 5
    monkeypatch.setattr(logins.time, "time", lambda: later)
    assert client.get("/audit").status_code == 302
