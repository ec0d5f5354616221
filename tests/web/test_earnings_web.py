"""Earnings on the web: the expert's expected payment beside their limit and their own statement, the
coordinator's limit warnings and statements, and nothing about a limit on anything a unit reads."""

from __future__ import annotations

import io
import zipfile

import pytest
from test_web import ScanningClient, login
from webfixtures import LIMITS, MONTH, PASSWORDS, build_site, limit_words, personal_data, readable_text

from kokemus_docs.core.workspace import Workspace
from kokemus_docs.web import create_app


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("earnings-web") / "ws")


@pytest.fixture(scope="module")
def app(site):
    app = create_app(site.root)
    app.config["TESTING"] = True
    ScanningClient.personal = personal_data(site.register)
    app.test_client_class = ScanningClient
    return app


def logged_in(app, who: str):
    client = app.test_client()
    assert login(client, who, PASSWORDS[who]).status_code == 303
    return client


def text_of(response) -> str:
    return readable_text(response.get_data()).replace("\u00a0", " ")


def test_expert_page_says_the_expected_payment_beside_the_limit(app, site):
    client = app.test_client()
    finnish = text_of(client.get(f"/e/{site.tokens['KA-001']}"))
    assert "Odotettu maksu 30.11.2026: 228,75 €; ilmoittamasi raja 243,21 €. Se on vähintään 80 % rajastasi." \
        in finnish
    swedish = text_of(client.get(f"/e/{site.tokens['KA-003']}"))
    assert "Väntad utbetalning 30.11.2026: 166,25 €; din gräns 151,37 €. Det är över din gräns." in swedish
    without = text_of(client.get(f"/e/{site.tokens['KA-002']}"))
    assert not limit_words(without) and "Odotettu maksu" not in without


def test_expert_downloads_their_own_statement_only(app, site):
    client = app.test_client()
    response = client.get(f"/e/{site.tokens['KA-003']}/statement/2026.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "KA-003_Lindqvist.pdf" in response.headers["Content-Disposition"]
    text = readable_text(response.get_data())
    expert = site.register.experts["KA-003"]
    assert expert.hetu in text and "Arvoden per betalningsdag 2026" in text
    others = [value for value in personal_data(site.register) if value != expert.hetu]
    assert not [value for value in others if value in text]  # no one else's, and not their own IBAN or address
    page = client.get(f"/e/{site.tokens['KA-003']}").get_data(as_text=True)
    assert f"/e/{site.tokens['KA-003']}/statement/2026.pdf" in page


def test_coordinator_sees_limits_on_the_open_month_and_prints_all_statements(app, site):
    coordinator = logged_in(app, "coord")
    page = text_of(coordinator.get(f"/months/{MONTH}"))
    assert "Asiantuntijan ilmoittama raja" in page
    assert "KA-001" in page and "Maksupäivänä 30.11.2026 maksettavat palkkiot 228,75 €, vähintään 80 % " \
        "asiantuntijan rajasta 243,21 €." in page
    assert "Maksupäivänä 30.11.2026 maksettavat palkkiot 166,25 € ylittävät asiantuntijan rajan 151,37 €." in page
    closing = text_of(coordinator.get(f"/months/{MONTH}/close"))  # the page before the month is closed
    assert "Asiantuntijan ilmoittama raja" in closing and "ylittävät asiantuntijan rajan 151,37 €" in closing
    listing = text_of(coordinator.get("/statements/2026"))
    assert "KA-001" in listing and "KA-003" in listing and "/statements/2026/all.pdf" in listing
    printed = coordinator.get("/statements/2026/all.pdf")
    assert printed.status_code == 200
    text = readable_text(printed.get_data())
    assert site.register.experts["KA-001"].hetu in text and site.register.experts["KA-003"].hetu in text
    audit = coordinator.get("/audit").get_data(as_text=True)
    assert "statements 2026 (all)" in audit


def test_closed_month_page_shows_no_limit_warnings(app, site):
    page = text_of(logged_in(app, "coord").get("/months/2026-09"))
    assert "Asiantuntijan ilmoittama raja" not in page


def test_nothing_about_a_limit_reaches_a_unit(app, site):
    """Unit pages, fee notices and introduction packs: no limit, no expected-payment text, no limit amount."""
    unit = logged_in(app, "unit-mtp")
    other = logged_in(app, "unit-perhe")
    seen = {
        "unit page": unit.get(f"/units/MTP-PORVOO/months/{MONTH}"),
        "other unit page": other.get(f"/units/PERHE-LOVIISA/months/{MONTH}"),
        "notice": unit.get(f"/units/MTP-PORVOO/notices/{MONTH}/MTP-PORVOO_fi.docx"),
        "bookings": unit.get("/units/MTP-PORVOO/bookings"),
        "statement refused": unit.get("/statements/2026/KA-001.pdf"),
    }
    for where, response in seen.items():
        assert response.status_code in (200, 403), where
        assert not limit_words(text_of(response)), where
    ws = Workspace.open(site.root)
    for folder in ("notices", "intro-packs"):
        documents = list(ws.output(folder).rglob("*.docx"))
        assert documents, folder
        for path in documents:
            with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
                xml = " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
            assert not limit_words(xml.replace("\u00a0", " ")), path.name
    assert set(LIMITS) == {"KA-001", "KA-003"}


def test_accepted_forms_feedback_says_the_expected_payment_beside_the_limit(site):
    ws = Workspace.open(site.root)
    finnish = ws.output("feedback", f"S-2026-001_{MONTH}_2026-11-05.txt").read_text(encoding="utf-8")
    swedish = ws.output("feedback", f"S-2026-003_{MONTH}_2026-11-05.txt").read_text(encoding="utf-8")
    assert "Odotettu maksu 30.11.2026: 228,75 €; ilmoittamasi raja 243,21 €." in finnish.replace("\u00a0", " ")
    assert "Väntad utbetalning 30.11.2026: 166,25 €; din gräns 151,37 €. Det är över din gräns." in \
        swedish.replace("\u00a0", " ")
    assert site.register.experts["KA-001"].hetu not in finnish
