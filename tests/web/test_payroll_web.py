"""The payroll page: a month whose close was cut short right after the ledger committed it shows its workbook."""

from __future__ import annotations

import re
import threading

import pytest
from faults import dying_at, exit_code_in_child
from ledgerfill import MONTH, fill_sample_ledger

from kokemus_docs.accounts.logins import add_user
from kokemus_docs.core.workspace import workspace_lock
from kokemus_docs.pay import closing
from kokemus_docs.pay.closing import closed_copy_path, closing_copy_path, payroll_path
from kokemus_docs.pay.payroll import write_payroll
from kokemus_docs.web import create_app

PASSWORD = "payroll-password-1"


@pytest.fixture
def cut_short(workspace, register):
    """A workspace whose `payroll --close` ended (like kill -9) just after the ledger committed the close."""
    fill_sample_ledger(workspace.ledger_path)
    write_payroll(workspace, register, MONTH)  # an earlier draft, removed by the close

    def close_dying_after_the_commit() -> None:
        closing.finish_close = dying_at(1)(closing.finish_close, before=True)
        write_payroll(workspace, register, MONTH, close=True)

    assert exit_code_in_child(close_dying_after_the_commit) == 137
    assert closing_copy_path(workspace, MONTH).is_file() and not payroll_path(workspace, MONTH).exists()
    add_user(workspace, "hpk", "payroll", password=PASSWORD)
    return workspace


def _logged_in(app):
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"login": "hpk", "password": PASSWORD, "csrf_token": token})
    assert response.status_code in (302, 303)
    return client


def test_the_payroll_page_finishes_a_close_cut_short_and_offers_its_workbook(cut_short):
    app = create_app(cut_short.root)
    app.config["TESTING"] = True
    client = _logged_in(app)
    page = client.get("/payroll/").get_data(as_text=True)
    name = f"payroll_{MONTH}.xlsx"
    assert f'href="/payroll/{name}"' in page
    row = re.search(rf"<tr>(?:(?!</tr>).)*{name}.*?</tr>", page, re.S).group(0)
    assert "suljettu" in row
    assert closed_copy_path(cut_short, MONTH).is_file() and not closing_copy_path(cut_short, MONTH).exists()
    download = client.get(f"/payroll/{name}")
    assert download.status_code == 200 and download.data == payroll_path(cut_short, MONTH).read_bytes()


def test_a_close_under_way_in_another_run_is_left_to_it(cut_short):
    held, done = threading.Event(), threading.Event()

    def another_run():
        with workspace_lock(cut_short, "payroll"):  # held as a running close holds it
            held.set()
            done.wait(30)

    other = threading.Thread(target=another_run)
    other.start()
    try:
        assert held.wait(30)
        assert closing.finish_interrupted_closes(cut_short) == []
    finally:
        done.set()
        other.join()
    assert closing_copy_path(cut_short, MONTH).is_file() and not payroll_path(cut_short, MONTH).exists()
    assert closing.finish_interrupted_closes(cut_short) == [MONTH]
    assert payroll_path(cut_short, MONTH).is_file() and closed_copy_path(cut_short, MONTH).is_file()
