"""The month's hour form as a web form on the expert's page: checked by the same rules at once, recorded as the
filled, sealed PDF through the same ingest as an upload."""

from __future__ import annotations

import re

import pytest
from webfixtures import MONTH, build_site

from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.forms.fields import seal_matches
from kokemus_docs.intake.formread import read_form
from kokemus_docs.web import create_app

HOSTILE = "Łukasz Nguyễn-Čačić & <b>\"x\"</b> 'y' åäö"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("hours") / "ws")


@pytest.fixture(scope="module")
def app(site):
    app = create_app(site.root)
    app.config["TESTING"] = True
    return app


def _token(client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def _send(client, path: str, data: dict) -> str:
    """POST the form; it answers 303 to the form's own page, whose text is returned."""
    answer = client.post(path, data=data)
    assert answer.status_code == 303, answer.status_code
    location = answer.headers["Location"]
    assert location.startswith(path + "?") and "done=" in location
    page = client.get(location)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _row(number: int, **values) -> dict[str, str]:
    return {f"row{number:02d}_{name}": value for name, value in values.items()}


GOOD_ROWS = {**_row(1, date="2026-10-07", start="09:30", end="10:30", task="individual", status="held"),
             **_row(2, date="2026-10-09", start="12:00", end="13:00", task="pair", status="cancelled_late",
                    cancelled_at="2026-10-08T16:20", notes=HOSTILE),
             **_row(3, date="14.10.", start="18.00", end="19.30", task="lecture", status="held", participants="40")}


def _form_path(site, expert: str = "KA-002", contract: str = "S-2026-002") -> str:
    return f"/e/{site.tokens[expert]}/hours/{contract}"


def test_expert_page_links_the_web_form(app, site):
    client = app.test_client()
    page = client.get(f"/e/{site.tokens['KA-002']}").get_data(as_text=True)
    assert f"/e/{site.tokens['KA-002']}/hours/S-2026-002" in page
    form = client.get(_form_path(site))
    text = form.get_data(as_text=True)
    assert form.status_code == 200 and "Tuntilomake verkossa" in text
    assert 'name="row01_date"' in text and 'min="2026-10-01"' in text and 'max="2026-10-31"' in text


def test_rules_check_at_once_in_the_experts_language_and_nothing_is_recorded(app, site):
    client = app.test_client()
    path = _form_path(site)
    data = {**_row(1, date="2026-10-07", start="10:30", end="09:30", task="individual", status="held",
                   notes=HOSTILE), "rows": "1", "csrf_token": _token(client, path), "action": "send"}
    text = _send(client, path, data)
    assert "Lomaketta ei lähetetty" in text
    assert "Rivi 1, Päättyi" in text  # the end before the start, where the PDF form's feedback would say it
    assert "vahvistus" in text  # and the confirmation box left unticked
    assert 'aria-invalid="true"' in text
    assert "Łukasz Nguyễn-Čačić &amp; &lt;b&gt;&#34;x&#34;&lt;/b&gt; &#39;y&#39; åäö" in text
    ws = Workspace.open(site.root)
    with Ledger(ws.ledger_path) as ledger:
        assert ledger.form(f"S-2026-002_{MONTH}") is None
    assert not list(ws.inbox_dir.glob("*.pdf"))


def test_swedish_expert_reads_the_rules_in_swedish(app, site):
    client = app.test_client()
    path = _form_path(site, "KA-003", "S-2026-003")
    page = client.get(path).get_data(as_text=True)
    assert "Timblanketten på webben" in page
    assert 'value="2026-10-' in page  # the rows as last accepted, read back from the archived form
    data = {**_row(1, date="2026-10-07", start="10:00", end="11:00", task="individual", status="held"),
            "rows": "1", "confirm": "on", "csrf_token": _token(client, path), "action": "send"}
    text = _send(client, path, data)
    assert "Blanketten skickades inte" in text and "Rad 1, Uppdrag" in text


def test_add_a_row_keeps_what_was_typed(app, site):
    client = app.test_client()
    path = _form_path(site)
    data = {**_row(1, date="2026-10-07", notes=HOSTILE), "rows": "1", "csrf_token": _token(client, path),
            "action": "add"}
    text = _send(client, path, data)
    assert 'name="row02_date"' in text and 'value="2026-10-07"' in text
    assert "Łukasz Nguyễn-Čačić &amp; &lt;b&gt;" in text


def test_sent_form_is_recorded_as_the_filled_sealed_pdf(app, site):
    client = app.test_client()
    path = _form_path(site)
    data = {**GOOD_ROWS, "rows": "3", "confirm": "on", "signed_on": "2026-11-02",
            "csrf_token": _token(client, path), "action": "send"}
    result = _send(client, path, data)
    assert "Lomake S-2026-002_2026-10 on hyväksytty" in result and "Palaute tuntilomakkeesta" in result
    assert "Lomaketta ei lähetetty" not in result

    ws = Workspace.open(site.root)
    with Ledger(ws.ledger_path) as ledger:
        lines = ledger.lines_of([f"S-2026-002_{MONTH}"])[f"S-2026-002_{MONTH}"]
        archived = ledger.accepted_copy(f"S-2026-002_{MONTH}")
    assert [(ln.work_date.isoformat(), ln.start, ln.task, ln.status, ln.payable) for ln in lines] == [
        ("2026-10-07", "09:30", "individual", "held", True),
        ("2026-10-09", "12:00", "pair", "cancelled_late", True),
        ("2026-10-14", "18:00", "lecture", "held", True)]
    assert lines[1].notes == HOSTILE
    assert archived.startswith(f"forms/processed/{MONTH}/")
    form = read_form(ws.root / archived)  # the record: the sealed PDF form, filled, as any reader sees it
    assert seal_matches(ws.seal_key(), form.identity, form.seal)
    assert form.confirmed and form.signed_on == "2.11.2026"
    assert form.rows[2]["notes"] == HOSTILE and form.rows[2]["cancelled_at"] == "8.10.2026 16.20"

    # The page now starts from what was accepted; a corrected send replaces it, as a re-sent PDF does.
    page = client.get(path).get_data(as_text=True)
    assert 'value="2026-10-09T16:20"' not in page and 'value="2026-10-08T16:20"' in page
    data = {**GOOD_ROWS, **_row(3, date="14.10.", start="18.00", end="19.00", task="lecture", status="held"),
            "rows": "3", "confirm": "on", "csrf_token": _token(client, path), "action": "send"}
    assert "on hyväksytty" in _send(client, path, data)
    with Ledger(ws.ledger_path) as ledger:
        assert ledger.form(f"S-2026-002_{MONTH}").versions == 2
    audit = client.get("/login")  # the audit log is for staff; read it from the ledger
    with Ledger(ws.ledger_path) as ledger:
        actions = ledger.db.execute(
            "SELECT actor, action, subject FROM web_audit WHERE action = 'hours-web'").fetchall()
    assert ("expert:KA-002", "hours-web", f"S-2026-002_{MONTH}") in [tuple(r) for r in actions]
    assert audit.status_code == 200


def test_a_result_is_shown_to_its_own_address_only(app, site):
    client = app.test_client()
    path = _form_path(site, "KA-006", "S-2026-006")
    data = {**_row(1, date="2026-10-07", notes="only-on-this-address"), "rows": "1",
            "csrf_token": _token(client, path), "action": "send"}
    answer = client.post(path, data=data)
    done = answer.headers["Location"].split("done=")[1].split("&")[0].split("#")[0]
    assert "Lomaketta ei lähetetty" in client.get(f"{path}?done={done}").get_data(as_text=True)
    other = client.get(f"{_form_path(site)}?done={done}").get_data(as_text=True)  # KA-002's address
    assert "Lomaketta ei lähetetty" not in other and "only-on-this-address" not in other
    swedish = client.get(f"{path}?done={done}&lang=sv").get_data(as_text=True)  # the page's language switched
    assert "Blanketten skickades inte" in swedish and "Rad 1, Början" in swedish


@pytest.mark.parametrize("expert, contract, status", [
    pytest.param("KA-002", "S-2026-003", 404, id="another-experts-contract"),
    pytest.param("KA-002", "../S-2026-002", 404, id="path"),
    pytest.param("closed", "S-2026-001", 410, id="closed-month"),
    pytest.param("revoked", "S-2026-005", 404, id="revoked"),
])
def test_only_the_experts_own_open_form(app, site, expert, contract, status):
    client = app.test_client()
    assert client.get(f"/e/{site.tokens[expert]}/hours/{contract}").status_code == status
    assert client.post(f"/e/{site.tokens[expert]}/hours/{contract}", data={"action": "send"}).status_code in (
        status, 400)


def test_send_without_csrf_token_is_refused(app, site):
    client = app.test_client()
    answer = client.post(_form_path(site), data={**GOOD_ROWS, "rows": "3", "confirm": "on", "action": "send"})
    assert answer.status_code == 400


def test_rows_beyond_the_forms_rows_are_never_read(app, site):
    client = app.test_client()
    path = _form_path(site)
    filled = {key: value for n in range(1, 31) for key, value in _row(n, notes=f"n{n}").items()}
    data = {**filled, "rows": "1000", "csrf_token": _token(client, path), "action": "add"}
    text = _send(client, path, data)
    assert 'name="row25_date"' in text and 'name="row26_date"' not in text and "enintään 25 riviä" in text
    assert 'value="n25"' in text and 'value="n26"' not in text


def test_a_send_while_another_command_writes_is_refused_and_kept_on_the_page(app, site, monkeypatch):
    import threading

    from kokemus_docs.core.workspace import workspace_lock
    from kokemus_docs.web import overview

    monkeypatch.setattr(overview, "WEB_LOCK_WAIT", 0.2)
    ws = Workspace.open(site.root)
    client = app.test_client()
    path = _form_path(site, "KA-006", "S-2026-006")
    data = {**_row(1, date="2026-10-09", start="12:00", end="13:00", task="group", status="held", notes=HOSTILE),
            "rows": "1", "confirm": "on", "csrf_token": _token(client, path), "action": "send"}
    held, release = threading.Event(), threading.Event()

    def hold():
        with workspace_lock(ws, "payroll"):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(30)
    try:
        text = _send(client, path, data)
        assert "Toinen työ on kesken" in text
        assert "Łukasz Nguyễn-Čačić &amp;" in text  # nothing typed is lost
        assert not list(ws.inbox_dir.glob("*.pdf"))
    finally:
        release.set()
        holder.join(30)


def test_the_form_starts_with_the_accepted_rows_and_the_booked_sessions(app, site):
    from datetime import date, datetime, time

    from kokemus_docs.bookings import (
        BookingRequest,
        SessionTime,
        add_booking,
        answer_offer,
        cancel_booking,
        offer_booking,
    )

    ws = Workspace.open(site.root)
    before = datetime(2026, 9, 1, 12, 0)
    request = BookingRequest(unit_id="MTP-PORVOO", task="individual", sessions=(
        SessionTime(date(2026, 10, 27), time(10, 0), time(11, 0)),
        SessionTime(date(2026, 10, 29), time(12, 0), time(13, 0))))
    booking = add_booking(ws, site.register, request, actor="unit-mtp", now=before)
    offer_booking(ws, site.register, booking.booking_id, "KA-001", now=before)
    booked = answer_offer(ws, site.register, booking.booking_id, accept=True, expert_id="KA-001", now=before)
    assert booked.contract_id == "S-2026-001"
    cancel_booking(ws, site.register, booking.booking_id, session=2, at="2026-10-28 16:00", now=before)

    client = app.test_client()
    path = _form_path(site, "KA-001", "S-2026-001")
    page = client.get(path).get_data(as_text=True)
    dates = re.findall(r'name="row(\d\d)_date"[^>]*value="([^"]*)"', page)
    assert [d for _, d in dates] == ["2026-10-06", "2026-10-08", "2026-10-15", "2026-10-20", "2026-10-22",
                                     "2026-10-28", "2026-10-27", "2026-10-29"]
    assert 'name="row08_cancelled_at" id="row08_cancelled_at" value="2026-10-28T16:00"' in page
    late = re.search(r'<select name="row08_status".*?</select>', page, re.S).group(0)
    assert '<option value="cancelled_late" selected>' in late
