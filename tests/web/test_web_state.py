"""What the web pages say stays true: approvals of a notice that changed, results after a redirect, closed
months, refusals in the audit log."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest
from webfixtures import MONTH, PASSWORDS, build_site

from kokemus_docs.core.formatting import fi_month
from kokemus_docs.core.paydates import first_payable_month, notice_deadline
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


# --- Post/Redirect/Get ---------------------------------------------------------------------------------
def _submissions(site) -> int:
    from kokemus_docs.core.ledger import Ledger

    with Ledger(Workspace.open(site.root).ledger_path) as ledger:
        return ledger.db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]


def test_an_upload_answers_303_and_a_reload_repeats_nothing(app, site):
    client = logged_in(app, "coord")
    page_url = f"/months/{MONTH}"
    with open(site.uploads["mistaken_fi"], "rb") as handle:
        response = client.post(f"{page_url}/upload", data={"csrf_token": csrf_token(client, page_url),
                                                          "file": (handle, "S-2026-006 & <ö>.pdf")},
                               content_type="multipart/form-data")
    assert response.status_code == 303
    shown_at = response.location.split("#")[0]
    assert shown_at.startswith(f"{page_url}?done=")
    before = _submissions(site)
    for _ in range(2):  # the browser's reload: a GET that shows the same result and ingests nothing
        page = client.get(shown_at).get_data(as_text=True)
        assert "S-2026-006 &amp; &lt;ö&gt;.pdf" in page and "hylätty" in page
    assert _submissions(site) == before
    # The language switch sends back to that page, which opens again (never a POST-only address).
    switched = client.post("/language", data={"lang": "sv", "next": hidden(page, "next"),
                                              "csrf_token": hidden(page, "csrf_token")})
    assert switched.status_code == 303 and switched.location == shown_at
    assert client.get(switched.location).status_code == 200
    client.post("/language", data={"lang": "fi", "next": "/", "csrf_token": hidden(page, "csrf_token")})
    # Someone else's session does not see the result.
    other = logged_in(app, "coord").get(shown_at).get_data(as_text=True)
    assert "S-2026-006 &amp; &lt;ö&gt;.pdf" not in other


@pytest.mark.parametrize("post_only", [f"/months/{MONTH}/upload", f"/months/{MONTH}/run", "/logout"])
def test_switching_language_never_lands_on_a_post_only_address(app, post_only):
    client = logged_in(app, "coord")
    response = client.post("/language", data={"lang": "sv", "next": post_only,
                                              "csrf_token": csrf_token(client, "/audit")})
    assert response.status_code == 303 and response.location == "/"


def test_a_step_answers_303_with_its_result_on_the_month_page(app, site):
    client = logged_in(app, "coord")
    response = client.post(f"/months/{MONTH}/run", data={"csrf_token": csrf_token(client, f"/months/{MONTH}"),
                                                         "step": "notices"})
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "Tiedostoja kirjoitettu" in page


def test_an_expert_upload_answers_303_to_the_experts_page(app, site):
    client = app.test_client()
    url = f"/e/{site.tokens['KA-006']}"
    with open(site.uploads["mistaken_fi"], "rb") as handle:
        response = client.post(url, data={"csrf_token": csrf_token(client, url), "file": (handle, "x.pdf")},
                               content_type="multipart/form-data")
    assert response.status_code == 303 and response.location.startswith(url + "?")
    page = client.get(response.location).get_data(as_text=True)
    assert "Lomaketta ei voitu hyväksyä" in page or "ei voitu" in page
    assert "ei voitu" not in app.test_client().get(url).get_data(as_text=True)


# --- the audit log -------------------------------------------------------------------------------------
def _audit(site) -> list[dict]:
    from kokemus_docs.accounts.logins import audit_log

    return audit_log(Workspace.open(site.root), 1000)


def test_refusals_are_in_the_audit_log(app, site):
    unit = logged_in(app, "unit-mtp")
    assert unit.get("/audit").status_code == 403
    assert unit.post("/logout", data={}).status_code == 400
    expert = app.test_client()
    url = f"/e/{site.tokens['KA-002']}"
    big = expert.post(url, data={"csrf_token": csrf_token(expert, url),
                                 "file": (__import__("io").BytesIO(b"%PDF-" + b"0" * (11 * 1024 * 1024)), "big.pdf")},
                      content_type="multipart/form-data")
    assert big.status_code == 413 and "10 Mt" in big.get_data(as_text=True)
    refused = [(e["actor"], e["subject"], e["result"]) for e in _audit(site) if e["action"] == "refused"]
    assert ("unit-mtp", "GET /audit", "403 forbidden") in refused
    assert ("unit-mtp", "POST /logout", "400 no-csrf") in refused
    assert ("anonymous", "POST /e/…", "413 too-large") in refused
    page = logged_in(app, "coord").get("/audit").get_data(as_text=True)  # the log page says it in Finnish
    assert "400 lomakkeen tarkiste puuttui" in page and "413 liian suuri, mitään ei otettu" in page
    assert not any(site.tokens["KA-002"] in str(entry) for entry in _audit(site))


def test_what_was_typed_for_an_unknown_login_is_not_kept(app, site):
    client = app.test_client()
    typed = "131052-308T"
    client.post("/login", data={"login": typed, "password": "whatever-it-was", "csrf_token": csrf_token(client)})
    client.post("/login", data={"login": "coord", "password": "not the password", "csrf_token": csrf_token(client)})
    entries = _audit(site)
    assert not any(typed in str(entry) for entry in entries)
    assert any(e["actor"] == "unknown-login" and e["result"] == "failed" for e in entries)
    assert any(e["actor"] == "coord" and e["result"] == "failed" for e in entries)
    page = logged_in(app, "coord").get("/audit").get_data(as_text=True)
    assert typed not in page and "(tuntematon tunnus)" in page


def test_head_is_not_a_download(app, site):
    client = logged_in(app, "coord")
    rel = f"outputs/notices/{MONTH}/PERHE-LOVIISA_fi.docx"
    downloads = lambda: sum(e["action"] == "download" and e["subject"] == rel for e in _audit(site))  # noqa: E731
    before = downloads()
    assert client.head(f"/files/{rel}").status_code == 200
    assert downloads() == before
    assert client.get(f"/files/{rel}").status_code == 200
    assert downloads() == before + 1
    expert = app.test_client()
    blank = f"/e/{site.tokens['KA-003']}/forms/S-2026-003_{MONTH}.pdf"
    count = lambda: sum(e["action"] == "download" and e["actor"] == "expert:KA-003" for e in _audit(site))  # noqa: E731
    before = count()
    assert expert.head(blank).status_code == 200 and count() == before
    assert expert.get(blank).status_code == 200 and count() == before + 1


def test_a_refused_upload_says_what_was_refused(app, site):
    client = logged_in(app, "coord")
    page_url = f"/months/{MONTH}"
    response = client.post(f"{page_url}/upload", data={"csrf_token": csrf_token(client, page_url),
                                                      "file": [(open(site.uploads["not_pdf"], "rb"), "lomake.pdf")]},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "lomake.pdf: ei ole PDF-tiedosto" in response.get_data(as_text=True)
    upload = next(e for e in _audit(site) if e["action"] == "upload")
    assert upload["result"] == "refused=1"
    assert "torjuttu 1" in client.get("/audit").get_data(as_text=True)  # said in the log page's language


# --- every file of an upload gets a result -----------------------------------------------------------
def test_files_past_the_hundredth_are_counted_as_not_taken(app, site):
    import io

    client = logged_in(app, "coord")
    page_url = f"/months/{MONTH}"
    files = [(io.BytesIO(b"not a pdf %d" % n), f"file-{n:03d}.pdf") for n in range(103)]
    response = client.post(f"{page_url}/upload", data={"csrf_token": csrf_token(client, page_url), "file": files},
                           content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "file-099.pdf" in page and "file-100.pdf" not in page
    assert "3 tiedostoa jäi ottamatta vastaan" in page and "enintään 100" in page
    upload = next(e for e in _audit(site) if e["action"] == "upload")
    assert upload["result"] == "not_taken=3 refused=100"


# --- throttling by address and account ------------------------------------------------------------------
def test_an_account_attacked_from_many_addresses_still_opens_from_a_clean_one(site):
    app = create_app(site.root)
    app.config["TESTING"] = True

    def attempt(address: str, password: str) -> int:
        client = app.test_client()
        return client.post("/login", data={"login": "throttled", "password": password,
                                           "csrf_token": csrf_token(client)},
                           environ_base={"REMOTE_ADDR": address}).status_code

    for n in range(40):
        attempt(f"198.51.100.{n}", f"guess-{n}")
    # an address that failed waits (the newest attacker: on a slow machine the first ones may leave the window)
    assert attempt("198.51.100.39", "another-guess") == 429
    assert attempt("198.51.100.39", PASSWORDS["throttled"]) == 429
    assert attempt("192.0.2.44", PASSWORDS["throttled"]) == 303  # the user's own address gets in


# --- warnings before the irreversible close, and closed months ----------------------------------------
def test_a_step_shows_its_warnings_as_the_cli_does(app, site):
    client = logged_in(app, "coord")
    response = client.post(f"/months/{MONTH}/run", data={"csrf_token": csrf_token(client, f"/months/{MONTH}"),
                                                         "step": "payroll"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Huomioitavaa:" in page and "Sopimuksen S-2026-004 tuntilomaketta (lokakuu 2026) ei ole saatu." in page
    assert "No hour form" not in page


def test_closing_is_a_confirmation_page_listing_the_months_warnings(app, site):
    client = logged_in(app, "coord")
    with open(site.uploads["mistaken_fi"], "rb") as handle:
        client.post(f"/months/{MONTH}/upload", data={"csrf_token": csrf_token(client, f"/months/{MONTH}"),
                                                     "file": (handle, "S-2026-006.pdf")},
                    content_type="multipart/form-data")
    month_page = client.get(f"/months/{MONTH}").get_data(as_text=True)
    assert 'value="close"' not in month_page and f'href="/months/{MONTH}/close"' in month_page
    page = client.get(f"/months/{MONTH}/close").get_data(as_text=True)
    assert "ei voi perua" in page
    assert "Sopimuksen S-2026-004 tuntilomaketta (lokakuu 2026) ei ole saatu" in page  # a missing form
    rejected = page.split("<h3>hylätty")[1]
    assert "S-2026-006" in rejected and "lokakuu 2026" in rejected  # a rejected form, with its reason
    assert page.index("S-2026-004") < page.index('name="confirm"')  # the warnings come before the button
    assert 'value="close"' in page
    assert logged_in(app, "unit-mtp").get(f"/months/{MONTH}/close").status_code == 403


def test_a_closed_months_page_offers_no_step_that_changes_its_documents(app, site):
    from webfixtures import CLOSED_MONTH

    client = logged_in(app, "coord")
    page = client.get(f"/months/{CLOSED_MONTH}").get_data(as_text=True)
    for step in ("forms", "notices", "close"):
        assert f'value="{step}"' not in page and f"/months/{CLOSED_MONTH}/close" not in page
    assert 'value="payroll"' in page and "Kuukausi on suljettu" in page
    ws = Workspace.open(site.root)
    for step in ("notices", "forms"):
        response = client.post(f"/months/{CLOSED_MONTH}/run", data={"step": step,
                                                                    "csrf_token": hidden(page, "csrf_token")},
                               follow_redirects=True)
        assert "kuukausi on suljettu" in response.get_data(as_text=True)
    assert not ws.output("notices", CLOSED_MONTH).exists() and not ws.output("forms", CLOSED_MONTH).exists()


def test_a_late_upload_for_a_closed_month_says_it_is_paid_with_the_next_month(app, site):
    from webfixtures import CLOSED_MONTH

    from kokemus_docs.demo.month import form_values
    from kokemus_docs.forms.fill import fill_form
    from kokemus_docs.forms.issue import issue_forms

    ws = Workspace.open(site.root)
    issued = issue_forms(ws, site.register, month=CLOSED_MONTH, expert_ids=["KA-002"])
    blank = ws.root / issued.extra["forms"][0]["path"]
    september = [("15.9.2026", "9.00", "10.00", "individual", "held", "", "", "", "")]
    filled = fill_form(blank, form_values(september, signed_on="30.9.2026"), blank.with_name("late.pdf"))
    client = logged_in(app, "coord")
    with open(filled, "rb") as handle:
        response = client.post(f"/months/{MONTH}/upload", data={"csrf_token": csrf_token(client, f"/months/{MONTH}"),
                                                                "file": (handle, "syyskuu.pdf")},
                               content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "hyväksytty" in page
    # the first open month whose notice day has not passed on the day of the upload (today, on the server)
    pays = first_payable_month(CLOSED_MONTH, date.today(), lambda month: month == CLOSED_MONTH)
    assert pays > MONTH or date.today() <= notice_deadline(MONTH)
    assert (f"Työkuukauden {fi_month(CLOSED_MONTH, 'fi')} palkkiot on jo koottu, joten tämä lomake maksetaan "
            f"maksuerässä {fi_month(pays, 'fi')}") in page


# --- never a PDF older than its DOCX -------------------------------------------------------------------
def _pdf_text(body: bytes) -> str:
    import pymupdf

    with pymupdf.open(stream=body, filetype="pdf") as pdf:
        return " ".join(" ".join(page.get_text() for page in pdf).split())


def _rename_ka002(site, first_name: str):
    from kokemus_docs.documents.assignments import render_contracts

    ws = Workspace.open(site.root)
    expert = dataclasses.replace(site.register.experts["KA-002"], first_name=first_name)
    register = dataclasses.replace(site.register, experts={**site.register.experts, "KA-002": expert})
    write_sample_register(ws.register_path, register)
    assert render_contracts(ws, register, expert_ids=["KA-002"]).ok  # DOCX only: the PDF beside it is older


@pytest.mark.libreoffice
def test_a_pdf_older_than_its_docx_is_made_again_or_not_sent(app, site, monkeypatch):
    from kokemus_docs.core.errors import ConversionError
    from kokemus_docs.documents import warmoffice

    client = logged_in(app, "coord")
    url = "/files/outputs/contracts/S-2026-002_Korhonen.pdf"
    first = client.get(url)
    assert first.status_code == 200 and "Korhonen" in _pdf_text(first.data)
    _rename_ka002(site, "Łukasz Nguyễn-Čačić")
    second = client.get(url)
    assert second.status_code == 200 and "Łukasz Nguyễn-Čačić Korhonen" in _pdf_text(second.data)
    unit = logged_in(app, "unit-mtp").get(f"/units/MTP-PORVOO/notices/{MONTH}/MTP-PORVOO_fi.pdf")
    assert unit.status_code == 200 and unit.data[:5] == b"%PDF-"

    class NoOffice:
        def convert(self, docx, pdf):
            raise ConversionError("LibreOffice is not installed.", code="no-soffice")

    monkeypatch.setattr(warmoffice, "warm_office", lambda: NoOffice())
    _rename_ka002(site, "Åsa-Öllö")
    refused = client.get(url)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 503 and "Vanhaa PDF-tiedostoa ei lähetetä" in page
    assert "LibreOffice is not installed" in page and not refused.data.startswith(b"%PDF")


def test_every_file_an_expert_sends_gets_a_result(app, site):
    import io

    client = app.test_client()
    url = f"/e/{site.tokens['KA-002']}"
    files = [(io.BytesIO(b"not a pdf %d" % n), f"lomake-{n}.pdf") for n in range(3)]
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "file": files},
                           content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert all(f"lomake-{n}.pdf" in page for n in range(3))


# --- the month page's charts: cached while the forms are the same, never stale ------------------------
def test_the_month_pages_charts_are_kept_between_requests_and_follow_a_new_form(app, site, monkeypatch):
    from ledgerfill import add_form, line

    from kokemus_docs.core.ledger import Ledger
    from kokemus_docs.indicators import workbook

    computed = []
    real = workbook.year_figures
    monkeypatch.setattr(workbook, "year_figures", lambda *args: computed.append(1) or real(*args))
    client = logged_in(app, "coord")
    first = client.get(f"/months/{MONTH}")
    assert first.status_code == 200
    done = len(computed)
    # each request writes the login's session to the ledger: the charts stay as they were computed
    for _ in range(3):
        assert client.get(f"/months/{MONTH}").status_code == 200
    assert len(computed) == done
    contract = site.register.contracts["S-2026-005"]
    with Ledger(Workspace.open(site.root).ledger_path) as ledger:
        add_form(ledger, contract.contract_id, contract.expert_id, contract.unit_id, "2026-12",
                 [line(1, date(2026, 12, 3), "individual", "held", "50.00")])
    after = client.get(f"/months/{MONTH}")
    assert len(computed) == done + 1
    charts = [page.get_data(as_text=True).split("<svg", 1)[1] for page in (first, after)]
    assert charts[0] != charts[1]
