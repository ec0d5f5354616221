"""Bookings on the web (Flask test client): the unit contact's request, the coordinator's queue, candidates and
offer, the expert's answer, cancellations, closing unfilled, the .xlsx import; who may do what; hostile values."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import openpyxl
import pytest
from webfixtures import PASSWORDS, build_site, personal_data, readable_text

from kokemus_docs import bookings as library
from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.month import Month
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.web import create_app

HOSTILE = "Łukasz Nguyễn-Čačić & <b>\"x\"</b> 'y' åäö"
ESCAPED = "Łukasz Nguyễn-Čačić &amp; &lt;b&gt;&#34;x&#34;&lt;/b&gt; &#39;y&#39; åäö"
DAY = date.today() + timedelta(days=10)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("bookings-web") / "ws")


@pytest.fixture(scope="module")
def app(site):
    app = create_app(site.root)
    app.config["TESTING"] = True
    return app


def _csrf(client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def _login(app, login: str):
    client = app.test_client()
    answer = client.post("/login", data={"login": login, "password": PASSWORDS[login],
                                         "csrf_token": _csrf(client, "/login")})
    assert answer.status_code == 303
    return client


def _post(client, path: str, data: dict, page: str | None = None, **files) -> tuple[str, str]:
    """POST with the page's CSRF token; answers 303: (where it went, that page's text)."""
    data = {**data, "csrf_token": _csrf(client, page or path), **files}
    answer = client.post(path, data=data, content_type="multipart/form-data" if files else None)
    assert answer.status_code == 303, (path, answer.status_code)
    location = answer.headers["Location"]
    shown = client.get(location)
    assert shown.status_code == 200
    text = shown.get_data(as_text=True)
    for value in personal_data(pytest.site_register):
        assert value not in readable_text(shown.get_data()), "personal data shown"
    return location, text


@pytest.fixture(scope="module", autouse=True)
def _register(site):
    pytest.site_register = site.register


REQUEST = {"task": "individual", "session1_date": DAY.isoformat(), "session1_start": "10:00",
           "session1_end": "11:00", "session2_date": (DAY + timedelta(days=1)).isoformat(),
           "session2_start": "12:00", "session2_end": "13:30", "topics": "mielenterveys", "language": "fi",
           "place": HOSTILE, "audience": "aikuiset", "group_size": "", "note": HOSTILE}


ONE_SESSION = {"session2_date": "", "session2_start": "", "session2_end": ""}


def _request(client, **changes) -> str:
    location, text = _post(client, "/units/MTP-PORVOO/bookings", {**REQUEST, **changes})
    booking_id = re.search(r"/bookings/(B-\d+)", location).group(1)
    assert f"Pyyntö {booking_id} on tallennettu" in text
    return booking_id


def test_unit_requests_coordinator_offers_expert_accepts_unit_sees_the_expert(app, site):
    unit, coordinator = _login(app, "unit-mtp"), _login(app, "coord")
    booking_id = _request(unit)
    page = unit.get(f"/units/MTP-PORVOO/bookings/{booking_id}").get_data(as_text=True)
    assert ESCAPED in page and "odottaa asiantuntijaa" in page

    queue = coordinator.get("/bookings").get_data(as_text=True)
    assert booking_id in queue and "odottanut 0 pv" in queue
    detail = coordinator.get(f"/bookings/{booking_id}").get_data(as_text=True)
    ranked = re.findall(r'id="candidate-([^"]+)"', detail)
    assert {"KA-001", "KA-008"} <= set(ranked)  # Finnish, mental health: the topic fits
    ours = detail.split('id="candidate-KA-001"')[1].split("</li>\n")[0]
    assert "aiheet: mielenterveys" in ours and "vapaana noina aikoina" in ours
    assert ("sopimus S-2026-001 kattaa" in ours) == (DAY.year == 2026)
    assert ("tarvitsee sopimuksen" in ours) == (DAY.year != 2026)
    _, after = _post(coordinator, f"/bookings/{booking_id}/offer", {"expert_id": "KA-001"},
                     page=f"/bookings/{booking_id}")
    assert "Tarjous lähetetty" in after and "tarjottu asiantuntijalle" in after

    expert = app.test_client()
    token = site.tokens["KA-001"]
    mine = expert.get(f"/e/{token}").get_data(as_text=True)
    assert f'id="offer-{booking_id}"' in mine and ESCAPED in mine
    _, answered = _post(expert, f"/e/{token}/offers/{booking_id}?lang=fi", {"answer": "accept"}, page=f"/e/{token}")
    assert f"Tehtävä {booking_id} on varattu sinulle" in answered
    assert f'id="offer-{booking_id}"' not in answered and booking_id in answered.split('id="booked"')[1]

    seen = unit.get(f"/units/MTP-PORVOO/bookings/{booking_id}").get_data(as_text=True)
    ka001 = site.register.experts["KA-001"]
    assert "varattu" in seen and ka001.email in seen and ka001.phone in seen
    assert "Åsa &amp; &#34;Ötte&#34; O&#39;Brien &lt;Ström&gt;" in seen  # the expert's name, escaped

    month = coordinator.get(f"/bookings?month={DAY:%Y-%m}").get_data(as_text=True).split('id="others"')[1]
    assert booking_id in month and "varattu" in month
    assert booking_id not in coordinator.get("/bookings?month=2001-01").get_data(as_text=True)
    assert coordinator.get("/bookings?month=2026-13").status_code == 404
    assert unit.get("/units/MTP-PORVOO/bookings?month=../x").status_code == 404


def test_a_request_that_cannot_be_taken_is_named_and_nothing_is_saved(app, site):
    unit = _login(app, "unit-mtp")
    with Ledger(Workspace.open(site.root).ledger_path) as ledger:
        before = ledger.db.execute("SELECT COUNT(*) FROM bookings").fetchone()[0]
    location, text = _post(unit, "/units/MTP-PORVOO/bookings", {**REQUEST, "session1_end": "09:00"})
    assert "/units/MTP-PORVOO/bookings?" in location
    assert "Pyyntöä ei tallennettu" in text and "ei alkamisajan" in text
    assert ESCAPED in text  # what was typed is there to correct
    _, long_note = _post(unit, "/units/MTP-PORVOO/bookings", {**REQUEST, "note": "x" * 2001})
    assert "Kentässä lisätiedot on 2001 merkkiä, enintään 2000" in long_note
    _, past = _post(unit, "/units/MTP-PORVOO/bookings", {**REQUEST, "session1_date": "2001-01-01"})
    assert "on jo mennyt" in past
    with Ledger(Workspace.open(site.root).ledger_path) as ledger:
        assert ledger.db.execute("SELECT COUNT(*) FROM bookings").fetchone()[0] == before


def test_weekly_sessions_and_cancelling_one_then_all(app, site):
    unit = _login(app, "unit-mtp")
    booking_id = _request(unit, task="group", weekly="4", **ONE_SESSION)
    booking = library.get_booking(Workspace.open(site.root), booking_id)
    assert [s.day for s in booking.sessions] == [DAY + timedelta(weeks=i) for i in range(4)]
    path = f"/units/MTP-PORVOO/bookings/{booking_id}"
    for bad in ("²", "x", "1e3", "99999"):  # a session number that is not one never cancels the whole booking
        answer = unit.post(f"{path}/cancel", data={"session": bad, "csrf_token": _csrf(unit, path)})
        assert answer.status_code in (303, 400), bad
    assert not any(s.cancelled for s in library.get_booking(Workspace.open(site.root), booking_id).sessions)
    _, weird = _post(unit, "/units/MTP-PORVOO/bookings", {**REQUEST, "weekly": "²", "group_size": "³"})
    assert "Viikoittaisia kertoja voi olla 1–60" in weird
    _, text = _post(unit, f"{path}/cancel", {"session": "2"}, page=path)
    assert "Peruttu. Peruutuksen aika on tallennettu." in text and "Peruttu ajoissa" in text
    _, text = _post(unit, f"{path}/cancel", {}, page=path)
    assert "peruttu" in text
    assert library.get_booking(Workspace.open(site.root), booking_id).status == "cancelled"


def test_two_offers_at_once_end_with_one_and_a_withdrawn_offer_is_told(app, site):
    coordinator, other = _login(app, "coord"), _login(app, "throttled")
    booking_id = _request(_login(app, "unit-mtp"), session1_start="14:00", session1_end="15:00",
                          **ONE_SESSION)
    page = f"/bookings/{booking_id}"
    first_token, second_token = _csrf(coordinator, page), _csrf(other, page)  # two browsers on the same page
    assert coordinator.post(f"{page}/offer", data={"expert_id": "KA-002", "csrf_token": first_token}).status_code == 303
    answer = other.post(f"{page}/offer", data={"expert_id": "KA-008", "csrf_token": second_token})
    text = other.get(answer.headers["Location"]).get_data(as_text=True)
    assert "on jo tarjottu" in text
    assert library.get_booking(Workspace.open(site.root), booking_id).offer.expert_id == "KA-002"

    _post(coordinator, f"{page}/withdraw", {}, page=page)
    expert, token = app.test_client(), site.tokens["KA-002"]
    _, told = _post(expert, f"/e/{token}/offers/{booking_id}?lang=fi", {"answer": "accept"}, page=f"/e/{token}")
    assert "Tämä tarjous on peruttu" in told


def test_expert_declines_with_a_reason_in_swedish_and_the_coordinator_closes_unfilled(app, site):
    coordinator = _login(app, "coord")
    booking_id = _request(_login(app, "unit-mtp"), language="any", topics="", session1_start="16:00",
                          session1_end="17:00", **ONE_SESSION)
    page = f"/bookings/{booking_id}"
    _post(coordinator, f"{page}/offer", {"expert_id": "KA-003"}, page=page)
    expert, token = app.test_client(), site.tokens["KA-003"]
    swedish = expert.get(f"/e/{token}").get_data(as_text=True)
    assert "Uppdrag som erbjuds dig" in swedish and "Jag tar uppdraget" in swedish
    _, answered = _post(expert, f"/e/{token}/offers/{booking_id}?lang=sv", {"answer": "decline", "reason": HOSTILE},
                        page=f"/e/{token}")
    assert "Ditt svar har sparats" in answered
    history = coordinator.get(page).get_data(as_text=True)
    assert "kieltäytyi: " + ESCAPED in history and "odottaa asiantuntijaa" in history

    _, refused = _post(coordinator, f"{page}/close", {"reason": ""}, page=page)
    assert "Kerro, miksi varaus" in refused
    _, closed = _post(coordinator, f"{page}/close", {"reason": HOSTILE}, page=page)
    assert "Pyyntö suljettu täyttämättä" in closed and ESCAPED in closed


def test_import_from_xlsx_names_the_bad_row_and_keeps_the_others(app, site, tmp_path):
    coordinator = _login(app, "coord")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["unit", "task", "date", "start", "end", "topic", "language", "place", "note"])
    sheet.append(["PERHE-LOVIISA", "pair", DAY.isoformat(), "09:00", "10:00", "perheet", "fi", HOSTILE, ""])
    sheet.append(["NO-SUCH-UNIT", "pair", DAY.isoformat(), "09:00", "10:00", "", "fi", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    _, text = _post(coordinator, "/bookings/import", {}, page="/bookings",
                    file=(io.BytesIO(buffer.getvalue()), "pyynnöt <2027>.xlsx"))
    assert "pyynnöt &lt;2027&gt;.xlsx: 1 pyyntöä tallennettu" in text
    assert "Rivi 3: Yksikköä NO-SUCH-UNIT ei ole rekisterissä" in text
    _, text = _post(coordinator, "/bookings/import", {}, page="/bookings",
                    file=(io.BytesIO(b"%PDF-1.7 not a workbook"), "x.xlsx"))
    assert "tiedostoa ei voitu lukea" in text


@pytest.mark.parametrize("login, path, status", [
    pytest.param("unit-perhe", "/units/MTP-PORVOO/bookings", 403, id="other-units-list"),
    pytest.param("hpk", "/bookings", 403, id="payroll-queue"),
    pytest.param("unit-mtp", "/bookings", 403, id="unit-queue"),
])
def test_pages_outside_a_roles_reach(app, login, path, status):
    assert _login(app, login).get(path).status_code == status


def test_a_unit_cannot_open_or_cancel_another_units_booking(app, site):
    booking_id = _request(_login(app, "unit-mtp"), session1_start="18:00", session1_end="19:00", **ONE_SESSION)
    other = _login(app, "unit-perhe")
    assert other.get(f"/units/PERHE-LOVIISA/bookings/{booking_id}").status_code == 404
    token = _csrf(other, "/units/PERHE-LOVIISA/bookings")
    answer = other.post(f"/units/PERHE-LOVIISA/bookings/{booking_id}/cancel", data={"csrf_token": token})
    assert answer.status_code == 404
    assert other.post(f"/units/MTP-PORVOO/bookings/{booking_id}/cancel", data={"csrf_token": token}).status_code == 403
    assert library.get_booking(Workspace.open(site.root), booking_id).status == "requested"
    with Ledger(Workspace.open(site.root).ledger_path) as ledger:
        refusals = ledger.db.execute("SELECT actor, subject FROM web_audit WHERE action = 'refused'").fetchall()
    assert any(r["actor"] == "unit-perhe" and "MTP-PORVOO" in r["subject"] for r in refusals)


def test_each_change_is_in_the_audit_log_once_with_who_made_it(app, site):
    unit, coordinator = _login(app, "unit-mtp"), _login(app, "coord")
    booking_id = _request(unit, session1_start="07:00", session1_end="08:00", **ONE_SESSION)
    _post(coordinator, f"/bookings/{booking_id}/offer", {"expert_id": "KA-008"}, page=f"/bookings/{booking_id}")
    expert, token = app.test_client(), site.tokens["KA-001"]  # KA-001 answers an offer made to KA-008
    _post(expert, f"/e/{token}/offers/{booking_id}?lang=fi", {"answer": "accept"}, page=f"/e/{token}")
    with Ledger(Workspace.open(site.root).ledger_path) as ledger:
        rows = [tuple(r) for r in ledger.db.execute(
            "SELECT actor, action, result FROM web_audit WHERE subject = ? ORDER BY id", (booking_id,))]
    assert rows == [("unit-mtp", "booking-add", "MTP-PORVOO"), ("coord", "booking-offer", "KA-008"),
                    ("expert:KA-001", "booking-answer", "refused: unknown-booking")]
    assert library.get_booking(Workspace.open(site.root), booking_id).offer.expert_id == "KA-008"


def test_messages_that_cannot_be_sent_are_shown_to_the_coordinator(tmp_path):
    import socket

    site = build_site(tmp_path / "ws")
    with socket.socket() as probe:  # a port where no mail server listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = site.root / "kokemus.toml"
    config.write_text(config.read_text(encoding="utf-8") + f'\n[mail]\nhost = "127.0.0.1"\nport = {port}\n'
                      'starttls = false\nsender = "Kokemus <kokemus@example.fi>"\ntimeout = 2\n', encoding="utf-8")
    app = create_app(site.root)
    app.config["TESTING"] = True
    pytest.site_register = site.register
    unit, coordinator = _login(app, "unit-mtp"), _login(app, "coord")
    booking_id = _request(unit, **ONE_SESSION)
    _, page = _post(coordinator, f"/bookings/{booking_id}/offer", {"expert_id": "KA-001"},
                    page=f"/bookings/{booking_id}")
    assert "Tarjous lähetetty" in page  # the booking goes on although the mail could not go
    queue = coordinator.get("/bookings").get_data(as_text=True)
    outbox = queue.split('id="outbox"')[1].split("</section>")[0]
    assert booking_id in outbox and site.register.experts["KA-001"].email in outbox and "yrityksiä 1" in outbox
    _, retried = _post(coordinator, "/bookings/outbox/retry", {}, page="/bookings")
    assert "Lähetetty 0." in retried and "yrityksiä 2" in retried


def test_the_coordinators_month_list_by_unit(app, site):
    coordinator = _login(app, "coord")
    booking_id = _request(_login(app, "unit-mtp"), session1_start="20:00", session1_end="21:00", **ONE_SESSION)
    library.close_unfilled(Workspace.open(site.root), site.register, booking_id, "ei ketään")
    mine = coordinator.get(f"/bookings?month={DAY:%Y-%m}&unit=MTP-PORVOO").get_data(as_text=True)
    other = coordinator.get(f"/bookings?month={DAY:%Y-%m}&unit=PERHE-LOVIISA").get_data(as_text=True)
    assert booking_id in mine.split('id="others"')[1] and booking_id not in other
    assert coordinator.get("/bookings?unit=NO-SUCH").status_code == 404


def test_the_coordinators_pages_in_swedish(app, site):
    coordinator = _login(app, "coord")
    booking_id = _request(_login(app, "unit-mtp"), session1_start="06:00", session1_end="07:00", **ONE_SESSION)
    _post(coordinator, "/language", {"lang": "sv", "next": "/bookings"}, page="/bookings")
    queue = coordinator.get("/bookings").get_data(as_text=True)
    detail = coordinator.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "Väntande förfrågningar" in queue and "väntar på en expert" in queue
    assert "Lämpliga erfarenhetsexperter" in detail and "ledig vid de tiderna" in detail
    for finnish in ("odottaa", "Varaukset", "vapaana", "Tarjoa", "Sulje täyttämättä"):
        assert finnish not in queue and finnish not in detail, finnish


def test_a_long_month_lists_the_newest_requests_and_says_how_many_there_are(app, site, monkeypatch):
    from kokemus_docs.web import bookings as pages

    coordinator, unit = _login(app, "coord"), _login(app, "unit-mtp")
    made = [_request(unit, session1_start=f"{hour:02d}:00", session1_end=f"{hour:02d}:30", **ONE_SESSION)
            for hour in (1, 2)]
    ws = Workspace.open(site.root)
    for booking_id in made:
        library.close_unfilled(ws, site.register, booking_id, "ei ketään")
    total = library.count_bookings(ws, month=Month.containing(DAY), status=pages.CLOSED_STATES)
    assert total == len(library.list_bookings(ws, month=Month.containing(DAY), status=pages.CLOSED_STATES)) >= 2
    monkeypatch.setattr(pages, "LISTED", 1)
    others = coordinator.get(f"/bookings?month={DAY:%Y-%m}").get_data(as_text=True).split('id="others"')[1]
    assert f"Näytetään 1/{total}: uusimmat pyynnöt" in others
    assert made[-1] in others and made[0] not in others
