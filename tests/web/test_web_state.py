"""What the web pages say stays true: approvals of a notice that changed, results after a redirect, closed
months, refusals in the audit log."""

from __future__ import annotations

import dataclasses
import re

import pytest
from webfixtures import MONTH, PASSWORDS, build_site

from kokemus_docs.core.workspace import Workspace
from kokemus_docs.pay.notices import write_notices
from kokemus_docs.register.sample import write_sample_register
from kokemus_docs.web import create_app


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("web-state") / "ws")


@pytest.fixture(scope="module")
def app(site):
    app = create_app(site.root)
    app.config["TESTING"] = True
    return app


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def csrf_token(client, path: str = "/login") -> str:
    return hidden(client.get(path).get_data(as_text=True), "csrf_token")


def logged_in(app, login: str):
    client = app.test_client()
    response = client.post("/login", data={"login": login, "password": PASSWORDS[login],
                                           "csrf_token": csrf_token(client)})
    assert response.status_code in (302, 303)
    return client


# --- approvals are of the notice as it was -------------------------------------------------------------
def test_a_changed_notice_is_not_approved_and_asks_again(app, site):
    unit, coordinator = logged_in(app, "unit-mtp"), logged_in(app, "coord")
    page_url = f"/units/MTP-PORVOO/months/{MONTH}"
    page = unit.get(page_url).get_data(as_text=True)
    response = unit.post(f"/units/MTP-PORVOO/notices/{MONTH}/approve",
                         data={"csrf_token": hidden(page, "csrf_token"), "notice": hidden(page, "notice")})
    assert response.status_code == 303
    assert "Hyväksynyt unit-mtp" in unit.get(page_url).get_data(as_text=True)

    ws = Workspace.open(site.root)
    write_notices(ws, site.register, MONTH)  # the same notice written again: still approved
    assert "Hyväksynyt unit-mtp" in unit.get(page_url).get_data(as_text=True)

    changed = dataclasses.replace(site.register.units["MTP-PORVOO"], cost_center="999-CHANGED")
    register = dataclasses.replace(site.register, units={**site.register.units, "MTP-PORVOO": changed})
    write_sample_register(ws.register_path, register)
    write_notices(ws, register, MONTH)
    page = unit.get(page_url).get_data(as_text=True)
    assert "Hyväksynyt unit-mtp" not in page and "on muuttunut" in page
    assert 'name="notice"' in page  # the button is offered again
    month_page = coordinator.get(f"/months/{MONTH}").get_data(as_text=True)
    assert "Hyväksynyt unit-mtp" not in month_page and "on muuttunut" in month_page

    # An approval sent from a page opened before the change is refused, not bound to the new notice.
    stale = unit.post(f"/units/MTP-PORVOO/notices/{MONTH}/approve",
                      data={"csrf_token": hidden(page, "csrf_token"), "notice": "0" * 64}, follow_redirects=True)
    assert "muuttui sillä välin" in stale.get_data(as_text=True)
    assert "Hyväksynyt unit-mtp" not in stale.get_data(as_text=True)
    again = unit.post(f"/units/MTP-PORVOO/notices/{MONTH}/approve",
                      data={"csrf_token": hidden(page, "csrf_token"), "notice": hidden(page, "notice")},
                      follow_redirects=True)
    assert "Hyväksynyt unit-mtp" in again.get_data(as_text=True)
