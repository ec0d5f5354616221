"""The web app over HTTP (Flask test client): who may open what, CSRF, uploads, tokens, throttling, personal data."""

from __future__ import annotations

import io
import re

import pytest
from click.testing import CliRunner
from conftest import missing
from flask.testing import FlaskClient
from webfixtures import MONTH, PASSWORDS, TRICKY_FIRST, build_site, personal_data, readable_text

from kokemus_docs.accounts.logins import verify_user
from kokemus_docs.cli import cli
from kokemus_docs.core.ledger import open_ledger
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.forms.links import expert_upload_url, resolve_token
from kokemus_docs.web import create_app

ROLES = ("anonymous", "coordinator", "unit", "other_unit", "payroll", "expert")
# Earnings statements: the expert's own document with their henkilötunnus (the coordinator prints them).
STATEMENT = re.compile(r"^/statements/\d+/.+\.pdf$|^/e/[^/]+/statement/\d+\.pdf$")
LOGINS = {"coordinator": "coord", "unit": "unit-mtp", "other_unit": "unit-perhe", "payroll": "hpk"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("web") / "ws")


class ScanningClient(FlaskClient):
    """A test client that checks every response body for personal data (only payroll's workbooks may hold it)."""

    personal: list[str] = []

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        path = response.request.path
        own_document = path.startswith("/payroll/payroll_") or STATEMENT.search(path)
        if not (own_document and response.status_code == 200):
            text = readable_text(response.get_data())
            leaked = [value for value in self.personal if value in text]
            assert not leaked, f"{response.request.path} shows personal data"
        return response


@pytest.fixture(scope="module")
def app(site):
    app = create_app(site.root)
    app.config["TESTING"] = True
    ScanningClient.personal = personal_data(site.register)
    app.test_client_class = ScanningClient
    return app


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def login(client, login: str, password: str):
    return client.post("/login", data={"login": login, "password": password, "csrf_token": csrf_token(client)})


@pytest.fixture(scope="module")
def clients(app, site):
    """One test client per role, logged in (the expert holds KA-001's address and no session)."""
    made = {}
    for role in ROLES:
        client = app.test_client()
        if role in LOGINS:
            response = login(client, LOGINS[role], PASSWORDS[LOGINS[role]])
            assert response.status_code == 303, role
        made[role] = client
    return made


def assert_no_personal_data(site, body: bytes, where: str) -> None:
    text = readable_text(body)
    for value in personal_data(site.register):
        assert value not in text, f"{where} shows personal data"


# --- the role matrix ---------------------------------------------------------------------------------
NOTICE = f"/units/MTP-PORVOO/notices/{MONTH}/MTP-PORVOO_fi.docx"
OK, LOGIN, FORBIDDEN, GONE, MISSING, ELSEWHERE = 200, "login", 403, 410, 404, 302
#                                        anonymous coordinator unit   other_unit payroll  expert
MATRIX = {
    "/healthz":                             (OK,      OK,       OK,       OK,       OK,       OK),
    "/login":                               (OK,      OK,       OK,       OK,       OK,       OK),
    "/":                                    (LOGIN,   ELSEWHERE, ELSEWHERE, ELSEWHERE, ELSEWHERE, LOGIN),
    f"/months/{MONTH}":                     (LOGIN,   OK,       FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/months/2026-13":                      (LOGIN,   MISSING,  FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/months/0000-01":                      (LOGIN,   MISSING,  FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/months/9999-12":                      (LOGIN,   MISSING,  FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/months/2100-01/links":                (LOGIN,   MISSING,  FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/months/1999-12/close":                (LOGIN,   MISSING,  FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/units/MTP-PORVOO/months/0000-01":     (LOGIN,   MISSING,  MISSING,  FORBIDDEN, FORBIDDEN, LOGIN),
    "/months/1999-12":                      (LOGIN,   MISSING,  FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/months/2100-01":                      (LOGIN,   MISSING,  FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/units/MTP-PORVOO/months/1999-12":     (LOGIN,   MISSING,  MISSING,  FORBIDDEN, FORBIDDEN, LOGIN),
    f"/months/{MONTH}/links":               (LOGIN,   OK,       FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/audit":                               (LOGIN,   OK,       FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    f"/files/outputs/notices/{MONTH}/MTP-PORVOO_fi.docx":
                                            (LOGIN,   OK,       FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    f"/files/outputs/forms/{MONTH}/S-2026-001_{MONTH}.pdf":
                                            (LOGIN,   OK,       FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/files/outputs/contracts/S-2026-002_Korhonen.docx":
                                            (LOGIN,   OK,       FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/files/outputs/intro-packs/MTP-PORVOO_KA-002.docx":
                                            (LOGIN,   OK,       FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    f"/files/outputs/payroll/payroll_{MONTH}.xlsx":
                                            (LOGIN,   MISSING,  FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/files/register.xlsx":                 (LOGIN,   MISSING,  FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/files/outputs/notices/../../register.xlsx":
                                            (LOGIN,   MISSING,  FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/files/.kokemus/seal.key":             (LOGIN,   MISSING,  FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    f"/units/MTP-PORVOO/months/{MONTH}":    (LOGIN,   OK,       OK,       FORBIDDEN, FORBIDDEN, LOGIN),
    NOTICE:                                 (LOGIN,   OK,       OK,       FORBIDDEN, FORBIDDEN, LOGIN),
    f"/units/MTP-PORVOO/notices/{MONTH}/PERHE-LOVIISA_fi.docx":
                                            (LOGIN,   MISSING,  MISSING,  FORBIDDEN, FORBIDDEN, LOGIN),
    f"/units/PERHE-LOVIISA/months/{MONTH}": (LOGIN,   OK,       FORBIDDEN, OK,       FORBIDDEN, LOGIN),
    "/bookings":                            (LOGIN,   OK,       FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/bookings/B-999999":                   (LOGIN,   MISSING,  FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/units/MTP-PORVOO/bookings":           (LOGIN,   OK,       OK,       FORBIDDEN, FORBIDDEN, LOGIN),
    "/units/PERHE-LOVIISA/bookings":        (LOGIN,   OK,       FORBIDDEN, OK,       FORBIDDEN, LOGIN),
    "/units/NO-SUCH-UNIT/bookings":         (LOGIN,   MISSING,  FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/units/MTP-PORVOO/bookings/B-999999":  (LOGIN,   MISSING,  MISSING,  FORBIDDEN, FORBIDDEN, LOGIN),
    "/payroll/":                            (LOGIN,   OK,       FORBIDDEN, FORBIDDEN, OK,       LOGIN),
    f"/payroll/payroll_{MONTH}.xlsx":       (LOGIN,   FORBIDDEN, FORBIDDEN, FORBIDDEN, OK,      LOGIN),
    "/payroll/register.xlsx":               (LOGIN,   FORBIDDEN, FORBIDDEN, FORBIDDEN, MISSING, LOGIN),
    "/e/{KA-001}":                          (OK,      OK,       OK,       OK,       OK,       OK),
    "/e/{KA-003}":                          (OK,      OK,       OK,       OK,       OK,       OK),
    "/e/{revoked}":                         (MISSING, MISSING,  MISSING,  MISSING,  MISSING,  MISSING),
    "/e/{foreign}":                         (MISSING, MISSING,  MISSING,  MISSING,  MISSING,  MISSING),
    "/e/{closed}":                          (GONE,    GONE,     GONE,     GONE,     GONE,     GONE),
    "/e/not-a-token":                       (MISSING, MISSING,  MISSING,  MISSING,  MISSING,  MISSING),
    "/no/such/page":                        (LOGIN,   MISSING,  MISSING,  MISSING,  MISSING,  LOGIN),
    "/f/not-a-questionnaire":               (MISSING, MISSING,  MISSING,  MISSING,  MISSING,  MISSING),
    f"/e/{{KA-001}}/forms/S-2026-001_{MONTH}.pdf":
                                            (OK,      OK,       OK,       OK,       OK,       OK),
    f"/e/{{KA-001}}/forms/S-2026-002_{MONTH}.pdf":
                                            (MISSING, MISSING,  MISSING,  MISSING,  MISSING,  MISSING),
    f"/e/{{revoked}}/forms/S-2026-005_{MONTH}.pdf":
                                            (MISSING, MISSING,  MISSING,  MISSING,  MISSING,  MISSING),
    "/statements/":                         (LOGIN,   OK,       FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/statements/2026":                     (LOGIN,   OK,       FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/statements/1999":                     (LOGIN,   MISSING,  FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/statements/2026/all.pdf":             (LOGIN,   OK,       FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/statements/2026/KA-001.pdf":          (LOGIN,   OK,       FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/statements/2026/KA-999.pdf":          (LOGIN,   MISSING,  FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "/e/{KA-001}/statement/2026.pdf":       (OK,      OK,       OK,       OK,       OK,       OK),
    "/e/{KA-001}/statement/2100.pdf":       (MISSING, MISSING,  MISSING,  MISSING,  MISSING,  MISSING),
    "/e/{closed}/statement/2026.pdf":       (GONE,    GONE,     GONE,     GONE,     GONE,     GONE),
    "/e/{revoked}/statement/2026.pdf":      (MISSING, MISSING,  MISSING,  MISSING,  MISSING,  MISSING),
}
CASES = [pytest.param(path, role, expected[i], id=f"{path}-{role}")
         for path, expected in MATRIX.items() for i, role in enumerate(ROLES)]


@pytest.mark.parametrize("path,role,expected", CASES)
def test_role_matrix(site, clients, path, role, expected):
    url = re.sub(r"\{([^}]+)\}", lambda m: site.tokens[m.group(1)], path)
    response = clients[role].get(url)
    if expected == LOGIN:
        assert response.status_code == 302 and response.location.startswith("/login")
    else:
        assert response.status_code == expected
    if expected == ELSEWHERE:
        assert not response.location.startswith("/login")
    if role == "payroll" and path.startswith("/payroll/payroll_"):
        assert any(v in readable_text(response.data) for v in personal_data(site.register))
    elif expected == OK and STATEMENT.search(path):
        assert response.mimetype == "application/pdf"
    else:
        assert_no_personal_data(site, response.data, f"{url} for {role}")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_home_sends_each_role_to_its_page(clients):
    assert clients["coordinator"].get("/").location.startswith("/months/")
    assert clients["unit"].get("/").location.startswith("/units/MTP-PORVOO/months/")
    assert clients["payroll"].get("/").location == "/payroll/"


# --- CSRF: every POST without the token is refused ----------------------------------------------------
POSTS = [
    ("/login", "anonymous", {"login": "coord", "password": PASSWORDS["coord"]}),
    ("/logout", "coordinator", {}),
    ("/language", "anonymous", {"lang": "sv"}),
    (f"/months/{MONTH}/upload", "coordinator", {}),
    (f"/months/{MONTH}/run", "coordinator", {"step": "payroll"}),
    (f"/months/{MONTH}/links/KA-001/revoke", "coordinator", {}),
    (f"/units/MTP-PORVOO/notices/{MONTH}/approve", "unit", {}),
    ("/e/{KA-001}", "expert", {}),
    ("/e/{KA-001}/offers/B-000001", "expert", {"answer": "accept"}),
    ("/e/{KA-001}/hours/S-2026-001", "expert", {"action": "send"}),
    ("/units/MTP-PORVOO/bookings", "unit", {"task": "individual"}),
    ("/units/MTP-PORVOO/bookings/B-000001/cancel", "unit", {}),
    ("/bookings/B-000001/offer", "coordinator", {"expert_id": "KA-001"}),
    ("/bookings/B-000001/close", "coordinator", {"reason": "x"}),
    ("/bookings/import", "coordinator", {}),
    ("/bookings/outbox/retry", "coordinator", {}),
]


@pytest.mark.parametrize("path,role,data", [pytest.param(*p, id=p[0]) for p in POSTS])
def test_post_without_csrf_token_is_refused(site, app, path, role, data):
    client = app.test_client()
    if role in LOGINS:
        login(client, LOGINS[role], PASSWORDS[LOGINS[role]])
    url = re.sub(r"\{([^}]+)\}", lambda m: site.tokens[m.group(1)], path)
    response = client.post(url, data=data)
    assert response.status_code == 400
    response = client.post(url, data={**data, "csrf_token": "forged"})
    assert response.status_code == 400


@pytest.mark.parametrize("path,allowed", [
    pytest.param(f"/months/{MONTH}/run", ("coordinator",), id="run"),
    pytest.param(f"/months/{MONTH}/upload", ("coordinator",), id="upload"),
    pytest.param(f"/units/MTP-PORVOO/notices/{MONTH}/approve", ("unit",), id="approve"),
    pytest.param("/bookings/import", ("coordinator",), id="bookings-import"),
    pytest.param("/bookings/outbox/retry", ("coordinator",), id="bookings-retry"),
    pytest.param("/units/MTP-PORVOO/bookings", ("coordinator", "unit"), id="unit-request"),
])
def test_posts_of_one_role(clients, path, allowed):
    for role in ROLES:
        client = clients[role]
        response = client.post(path, data={"csrf_token": csrf_token(client), "step": "nothing"})
        if role in allowed:
            assert response.status_code in (303, 400), role
        elif role in ("anonymous", "expert"):
            assert response.status_code == 302 and response.location.startswith("/login"), role
        else:
            assert response.status_code == 403, role


# --- logins --------------------------------------------------------------------------------------------
def test_login_page_and_session_cookie(app):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert 'name="login"' in page and 'name="password"' in page and 'name="csrf_token"' in page
    response = login(client, "coord", PASSWORDS["coord"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    failed = login(app.test_client(), "coord", "wrong password!")
    assert failed.status_code == 303 and "failed=1" in failed.location


def test_failed_logins_are_throttled_per_address_and_account(app, site):
    client = app.test_client()
    attacker = {"REMOTE_ADDR": "203.0.113.9"}

    def attempt(password: str, environ: dict):
        return client.post("/login", data={"login": "throttled", "password": password,
                                           "csrf_token": csrf_token(client)}, environ_base=environ)

    statuses = [attempt(f"wrong-{n}", attacker).status_code for n in range(12)]
    assert statuses[:5] == [303] * 5  # SPEC: at least 5 failures a minute are allowed
    assert statuses[-1] == 429
    # That address waits, even with the right password; the user at another address gets in.
    assert attempt(PASSWORDS["throttled"], attacker).status_code == 429
    assert login(app.test_client(), "throttled", PASSWORDS["throttled"]).status_code == 303
    assert login(app.test_client(), "coord", PASSWORDS["coord"]).status_code == 303
    entries = Workspace.open(site.root)
    from kokemus_docs.accounts.logins import audit_log

    assert any(e["actor"] == "throttled" and e["result"] == "failed" for e in audit_log(entries))
    assert any(e["action"] == "refused" and e["result"].startswith("429") for e in audit_log(entries))


def test_users_add_cli_prints_generated_password_once(site):
    runner = CliRunner()
    result = runner.invoke(cli, ["-w", str(site.root), "users", "add", "anna", "--role", "unit", "--unit",
                                 "IKÄ-PORVOO"])
    assert result.exit_code == 0, result.output
    password = re.search(r"Password \(shown only now\): (\S+)", result.output).group(1)
    ws = Workspace.open(site.root)
    assert verify_user(ws, "anna", password).unit_id == "IKÄ-PORVOO"
    assert verify_user(ws, "anna", password + "x") is None
    again = runner.invoke(cli, ["-w", str(site.root), "users", "add", "anna", "--role", "unit", "--unit",
                                "IKÄ-PORVOO"])
    assert again.exit_code == 2 and "exists already" in again.output
    stdin = runner.invoke(cli, ["-w", str(site.root), "users", "add", "maija", "--role", "payroll",
                                "--password-stdin"], input="a long enough secret\n")
    assert stdin.exit_code == 0 and "a long enough secret" not in stdin.output
    assert verify_user(ws, "maija", "a long enough secret").role == "payroll"
    no_unit = runner.invoke(cli, ["-w", str(site.root), "users", "add", "x", "--role", "unit", "--unit", "NOPE"])
    assert no_unit.exit_code == 2 and "not in the register" in no_unit.output


# --- experts' addresses ----------------------------------------------------------------------------------
def test_links_cli_json(site):
    result = CliRunner().invoke(cli, ["-w", str(site.root), "links", "--month", MONTH, "--expert", "KA-001",
                                      "--json"])
    assert result.exit_code == 0, result.output
    import json

    links = json.loads(result.output)["links"]
    assert [(x["contract_id"], x["expert_id"], x["month"]) for x in links] == [
        ("S-2026-001", "KA-001", MONTH), ("S-2026-015", "KA-001", MONTH)]
    assert links[0]["url"] == f"http://127.0.0.1:8000/e/{site.tokens['KA-001']}"
    assert links[0]["url"] == expert_upload_url(Workspace.open(site.root), "KA-001", MONTH)


def test_token_opens_own_month_only_and_revocation(site):
    ws = Workspace.open(site.root)
    link = resolve_token(ws, site.tokens["KA-001"])
    assert (link.expert_id, link.month, link.closed) == ("KA-001", MONTH, False)
    assert resolve_token(ws, site.tokens["closed"]).closed
    assert resolve_token(ws, site.tokens["revoked"]) is None
    assert resolve_token(ws, site.tokens["foreign"]) is None
    assert resolve_token(ws, "../../etc/passwd") is None


def test_expert_page_in_the_experts_language(clients, site):
    swedish = clients["expert"].get(f"/e/{site.tokens['KA-003']}").get_data(as_text=True)
    assert "Returnera timblanketten" in swedish and '<html lang="sv">' in swedish
    finnish = clients["expert"].get(f"/e/{site.tokens['KA-001']}").get_data(as_text=True)
    assert "Tuntilomakkeen palautus" in finnish
    assert "Åsa &amp; &#34;Ötte&#34;" in finnish  # escaped, never raw
    assert TRICKY_FIRST not in finnish
    # The year's forms with fees and payment day (S-2026-001 was accepted in the fixture).
    assert "30.11.2026" in finnish and "€" in finnish
    switched = clients["expert"].get(f"/e/{site.tokens['KA-001']}?lang=sv").get_data(as_text=True)
    assert "Returnera timblanketten" in switched


def _upload(client, url: str, path, name: str | None = None):
    """Upload one file and follow the answer's redirect to the page that shows the result."""
    with open(path, "rb") as handle:
        return client.post(url, data={"csrf_token": csrf_token(client, url), "file": (handle, name or path.name)},
                           content_type="multipart/form-data", follow_redirects=True)


def test_expert_uploads_a_good_form(app, site):
    client = app.test_client()
    url = f"/e/{site.tokens['KA-002']}"
    response = _upload(client, url, site.uploads["good"], name="../../etc/passwd.pdf")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.request.method == "GET", page
    assert "on hyväksytty" in page and f"S-2026-002_{MONTH}" in page
    assert_no_personal_data(site, response.data, "expert upload answer")
    ws = Workspace.open(site.root)
    archived = list((ws.processed_dir / MONTH).glob("web-*.pdf"))
    assert archived and not any("passwd" in p.name for p in ws.root.rglob("*"))
    again = _upload(client, url, site.uploads["good"])
    assert "on jo vastaanotettu" in again.get_data(as_text=True)


def test_expert_reads_what_to_correct_in_swedish(app, site):
    client = app.test_client()
    url = f"/e/{site.tokens['KA-003']}"
    response = _upload(client, url, site.uploads["mistaken_sv"])
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Blanketten kunde inte godkännas" in page
    assert "Att rätta:" in page and "Rad 3" in page


def test_expert_cannot_upload_someone_elses_form(app, site):
    client = app.test_client()
    response = _upload(client, f"/e/{site.tokens['KA-001']}", site.uploads["other_expert"])
    assert "ei ole sinun" in response.get_data(as_text=True)
    with open_ledger(Workspace.open(site.root).ledger_path) as ledger:
        assert ledger.form(f"S-2026-004_{MONTH}") is None


def test_expert_cannot_upload_someone_elses_form_under_their_own_id(app, site, tmp_path):
    """Another expert's form with only the expert id changed: refused, so that the other expert's name and unit
    never show on this page and their form is not marked rejected."""
    import pymupdf

    other = site.register.contracts["S-2026-004"]
    forged = tmp_path / "forged.pdf"
    with pymupdf.open(site.uploads["other_expert"]) as document:
        for page in document:
            for widget in page.widgets():
                if widget.field_name == "expert_id":
                    widget.field_value = "KA-001"
                    widget.update()
        document.save(forged)
    client = app.test_client()
    response = _upload(client, f"/e/{site.tokens['KA-001']}", forged)
    page = response.get_data(as_text=True)
    assert "ei ole sinun" in page
    result = page[page.index('id="result"'):page.index("</section>")]  # KA-001 works at that unit too
    assert site.register.experts[other.expert_id].first_name not in page
    assert site.register.units[other.unit_id].name("fi") not in result
    with open_ledger(Workspace.open(site.root).ledger_path) as ledger:
        assert not ledger.db.execute("SELECT 1 FROM submissions WHERE form_id = ?",
                                     (f"S-2026-004_{MONTH}",)).fetchall()


def test_closed_month_token_takes_no_upload(app, site):
    client = app.test_client()
    url = f"/e/{site.tokens['closed']}"
    response = client.post(url, data={"csrf_token": csrf_token(client), "file": (open(site.uploads["good"], "rb"),
                                                                                  "x.pdf")})
    assert response.status_code == 410


def test_upload_refuses_non_pdf_and_oversized(app, site, clients):
    client = app.test_client()
    url = f"/e/{site.tokens['KA-006']}"
    response = _upload(client, url, site.uploads["not_pdf"])
    assert "lomake.pdf" in response.get_data(as_text=True)
    inbox = Workspace.open(site.root).inbox_dir
    assert not list(inbox.iterdir())
    big = site.uploads["not_pdf"].with_name("big.pdf")
    big.write_bytes(b"%PDF-1.7\n" + b"0" * (11 * 1024 * 1024))
    response = _upload(client, url, big)
    assert response.status_code == 413
    assert "10 Mt" in response.get_data(as_text=True)  # KA-006 reads Finnish: the page is in Finnish only
    coordinator = clients["coordinator"]
    response = _upload(coordinator, f"/months/{MONTH}/upload", site.uploads["not_pdf"])
    assert response.status_code == 200 and "lomake.pdf" in response.get_data(as_text=True)


def test_coordinator_uploads_many_and_sees_them_on_the_month_page(clients, site):
    client = clients["coordinator"]
    url = f"/months/{MONTH}/upload"
    good = site.uploads["good"].read_bytes()
    with open(site.uploads["mistaken_fi"], "rb") as one:
        # the same good form twice in one upload: the second is a duplicate whatever came before
        response = client.post(url, data={"csrf_token": csrf_token(client, f"/months/{MONTH}"),
                                          "file": [(one, "S-2026-006.pdf"), (io.BytesIO(good), "copy.pdf"),
                                                   (io.BytesIO(good), "copy 2.pdf")]},
                               content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "S-2026-006.pdf" in page and "hylätty" in page and "sama tiedosto jo saatu" in page
    row = re.search(r'<tr id="row-S-2026-006">.*?</tr>', page, re.S).group(0)
    assert "hylätty" in row and "3.11.2026" in row
    # the reasons in the page's language, never the ledger's English
    month_page = client.get(f"/months/{MONTH}").get_data(as_text=True)
    row = re.search(r'<tr id="row-S-2026-006">.*?</tr>', month_page, re.S).group(0)
    assert "lokakuu 2026" in row and "is not in" not in row
    client.post("/language", data={"lang": "sv", "next": f"/months/{MONTH}",
                                   "csrf_token": csrf_token(client, f"/months/{MONTH}")})
    swedish = client.get(f"/months/{MONTH}").get_data(as_text=True)
    row = re.search(r'<tr id="row-S-2026-006">.*?</tr>', swedish, re.S).group(0)
    assert "hör inte till blankettens månad" in row and "is not in" not in row
    client.post("/language", data={"lang": "fi", "next": f"/months/{MONTH}",
                                   "csrf_token": csrf_token(client, f"/months/{MONTH}")})


def test_coordinator_runs_a_step_and_the_audit_log_shows_it(clients, site):
    client = clients["coordinator"]
    response = client.post(f"/months/{MONTH}/run", data={"csrf_token": csrf_token(client, f"/months/{MONTH}"),
                                                         "step": "notices"}, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Tiedostoja kirjoitettu: 3." in page and "fee notice(s)" not in page
    refused = client.post(f"/months/{MONTH}/run", data={"csrf_token": csrf_token(client), "step": "close"})
    assert refused.status_code == 400  # closing needs the confirmation box
    audit = client.get("/audit").get_data(as_text=True)
    assert "tuotettu" in audit and f"Maksuilmoitukset {MONTH}" in audit and "kirjautuminen" in audit
    assert_no_personal_data(site, audit.encode(), "audit log")


def test_unit_approves_its_notice(app, site):
    client = app.test_client()
    login(client, "unit-perhe", PASSWORDS["unit-perhe"])
    page_url = f"/units/PERHE-LOVIISA/months/{MONTH}"
    page = client.get(page_url).get_data(as_text=True)
    notice = re.search(r'name="notice" value="([^"]+)"', page).group(1)
    response = client.post(f"/units/PERHE-LOVIISA/notices/{MONTH}/approve",
                           data={"csrf_token": csrf_token(client, page_url), "notice": notice})
    assert response.status_code == 303
    page = client.get(page_url).get_data(as_text=True)
    assert "Hyväksynyt unit-perhe" in page


def test_language_switch_is_kept_in_the_session(app):
    client = app.test_client()
    login(client, "hpk", PASSWORDS["hpk"])
    client.post("/language", data={"lang": "sv", "next": "/payroll/", "csrf_token": csrf_token(client, "/payroll/")})
    assert "Arvodessammandrag" in client.get("/payroll/").get_data(as_text=True)
    response = client.post("/language", data={"lang": "fi", "next": "//evil.example/",
                                              "csrf_token": csrf_token(client, "/payroll/")})
    assert response.location == "/"


@pytest.mark.libreoffice
def test_pdf_of_a_notice_is_made_on_request(clients, site):
    client = clients["coordinator"]
    page = client.get(f"/months/{MONTH}").get_data(as_text=True)
    assert f"outputs/notices/{MONTH}/MTP-PORVOO_fi.pdf" in page
    response = client.get(f"/files/outputs/notices/{MONTH}/MTP-PORVOO_fi.pdf")
    assert response.status_code == 200 and response.data[:5] == b"%PDF-"
    assert_no_personal_data(site, response.data, "notice PDF")
    unit = clients["unit"].get(f"/units/MTP-PORVOO/notices/{MONTH}/MTP-PORVOO_fi.pdf")
    assert unit.status_code == 200 and unit.data == response.data  # made once, then served as it is
    assert clients["other_unit"].get(f"/units/MTP-PORVOO/notices/{MONTH}/MTP-PORVOO_fi.pdf").status_code == 403
    assert client.get(f"/files/outputs/notices/{MONTH}/NOBODY_fi.pdf").status_code == 404


def test_kokemus_serve_answers_healthz(site):
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "kokemus_docs", "-w", str(site.root), "serve", "--port",
                               str(port), "--no-warm-pdf"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                    assert answer.read() == b"ok"
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read()
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as answer:
            assert answer.headers["Content-Security-Policy"].startswith("default-src 'self'")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_links_page_lists_addresses_with_revoke_buttons(clients, site):
    page = clients["coordinator"].get(f"/months/{MONTH}/links").get_data(as_text=True)
    assert f"http://127.0.0.1:8000/e/{site.tokens['KA-001']}" in page
    assert f'href="/months/{MONTH}/links/KA-001/revoke"' in page and "<form" not in page.split("<main>")[1]
    assert page.count('/links/KA-001/revoke"') == 1  # one row per expert, however many contracts
    confirm = clients["coordinator"].get(f"/months/{MONTH}/links/KA-001/revoke").get_data(as_text=True)
    assert f'action="/months/{MONTH}/links/KA-001/revoke"' in confirm and "lakkaa toimimasta heti" in confirm


def test_month_page_links_each_rows_documents(clients):
    page = clients["coordinator"].get(f"/months/{MONTH}").get_data(as_text=True)
    row = re.search(r'<tr id="row-S-2026-002">.*?</tr>', page, re.S).group(0)
    for name in (f"S-2026-002_{MONTH}.pdf", "S-2026-002_Korhonen.docx", "S-2026-002_Korhonen.pdf",
                 "MTP-PORVOO_KA-002.docx", "MTP-PORVOO_KA-002.pdf"):
        assert name in row


def test_month_page_filters_by_state(clients):
    page = clients["coordinator"].get(f"/months/{MONTH}?status=missing").get_data(as_text=True)
    assert 'id="row-S-2026-004"' in page and 'id="row-S-2026-001"' not in page
    page = clients["coordinator"].get(f"/months/{MONTH}?status=accepted&page=9").get_data(as_text=True)
    assert 'id="row-S-2026-001"' in page and 'id="row-S-2026-004"' not in page


def test_steps_and_uploads_wait_for_the_workspace_lock(app, site, clients, monkeypatch):
    import threading

    from kokemus_docs.core.workspace import workspace_lock
    from kokemus_docs.web import overview

    monkeypatch.setattr(overview, "WEB_LOCK_WAIT", 0.2)
    ws = Workspace.open(site.root)
    client = clients["coordinator"]
    token = csrf_token(client, f"/months/{MONTH}")
    held, release = threading.Event(), threading.Event()

    def hold():  # another command writing the workspace (the lock is re-entrant within one thread)
        with workspace_lock(ws, "forms ingest"):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(30)
    try:
        response = client.post(f"/months/{MONTH}/run", data={"csrf_token": token, "step": "payroll"},
                               follow_redirects=True)
        assert "forms ingest" in response.get_data(as_text=True)
        expert = app.test_client()
        answer = _upload(expert, f"/e/{site.tokens['KA-006']}", site.uploads["mistaken_fi"])
        assert "Toinen työ on kesken" in answer.get_data(as_text=True)
        assert not list(ws.inbox_dir.glob("*.pdf"))
    finally:
        release.set()
        holder.join(30)


@pytest.mark.libreoffice
@pytest.mark.parametrize("warm", [pytest.param(True, id="warm"), pytest.param(False, id="cold-fallback")])
def test_warm_office_converts_one_document(site, tmp_path, monkeypatch, warm):
    from kokemus_docs.documents import warmoffice

    if not warm:  # without python3-uno the batch converter does the work
        monkeypatch.setattr(warmoffice, "UNO_PYTHONS", ())
        monkeypatch.setenv("KOKEMUS_UNO_PYTHON", str(tmp_path / "no-python"))
    elif warmoffice.uno_python() is None:
        missing("python3-uno is not installed (scripts/install-system-deps.sh installs it)")
    notice = Workspace.open(site.root).output("notices", MONTH, "PERHE-LOVIISA_sv.docx")
    office = warmoffice.WarmOffice(timeout=120)
    try:
        first = office.convert(notice, tmp_path / "first.pdf")
        second = office.convert(notice, tmp_path / "second.pdf")
    finally:
        office.close()
    import pymupdf

    for pdf in (first, second):
        with pymupdf.open(pdf) as document:
            text = "".join(page.get_text() for page in document)
        assert "Familjecentralen & rådgivningen" in text
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_client_address_from_the_proxy_when_configured(tmp_path):
    from kokemus_docs.core.workspace import init_workspace

    ws, _ = init_workspace(tmp_path / "proxied")
    config = ws.root / "kokemus.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'public_url = "http://127.0.0.1:8000"', 'public_url = "https://kokemus.example.fi"\nproxy_hops = 1'),
        encoding="utf-8")
    app = create_app(ws.root)
    seen = []
    app.before_request(lambda: seen.append(__import__("flask").request.remote_addr))
    response = app.test_client().get("/healthz", headers={"X-Forwarded-For": "198.51.100.7"})
    assert seen == ["198.51.100.7"]
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_coordinator_replaces_a_leaked_address(app, site, clients):
    client = clients["coordinator"]
    old = f"/e/{site.tokens['KA-006']}"
    assert app.test_client().get(old).status_code == 200
    response = client.post(f"/months/{MONTH}/links/KA-006/revoke",
                           data={"csrf_token": csrf_token(client, f"/months/{MONTH}/links")}, follow_redirects=True)
    page = response.get_data(as_text=True)
    new = re.search(r"http://127\.0\.0\.1:8000(/e/[A-Za-z0-9_-]{24})", page).group(1)
    assert new != old
    assert app.test_client().get(old).status_code == 404
    assert app.test_client().get(new).status_code == 200
    site.tokens["KA-006"] = new[3:]
    assert client.post(f"/months/{MONTH}/links/NOBODY/revoke",
                       data={"csrf_token": csrf_token(client, f"/months/{MONTH}/links")}).status_code == 404


def test_login_returns_to_the_page_asked_for_on_this_site_only(app):
    client = app.test_client()
    asked = client.get(f"/units/MTP-PORVOO/months/{MONTH}")
    assert asked.location.startswith("/login?next=")
    page = client.get(asked.location).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    action = re.search(r'<form method="post" action="([^"]+)" class="login">', page).group(1).replace("&amp;", "&")
    response = client.post(action, data={"login": "unit-mtp", "password": PASSWORDS["unit-mtp"], "csrf_token": token})
    assert response.location == f"/units/MTP-PORVOO/months/{MONTH}"
    other = app.test_client()
    token = csrf_token(other)
    response = other.post("/login?next=//evil.example/x", data={"login": "unit-mtp", "password": PASSWORDS["unit-mtp"],
                                                              "csrf_token": token})
    assert response.location == "/"


def test_login_over_https_behind_the_proxy(tmp_path):
    """Over HTTPS the CSRF check wants a same-site Referer; the pages' Referrer-Policy must let the browser send it."""
    from kokemus_docs.accounts.logins import add_user
    from kokemus_docs.core.workspace import init_workspace

    ws, _ = init_workspace(tmp_path / "https")
    config = ws.root / "kokemus.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'public_url = "http://127.0.0.1:8000"', 'public_url = "https://kokemus.example.fi"\nproxy_hops = 1'),
        encoding="utf-8")
    add_user(ws, "coord", "coordinator", password=PASSWORDS["coord"])
    client = create_app(ws.root).test_client()
    base, proxy = "https://kokemus.example.fi", {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
    page = client.get("/login", base_url=base, headers=proxy)
    policy = page.headers["Referrer-Policy"]
    # What a browser sends with a form posted from that page (same origin) under the page's policy
    sent = {} if policy == "no-referrer" else {"Referer": f"{base}/login"}
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post("/login", base_url=base, headers={**proxy, **sent},
                           data={"login": "coord", "password": PASSWORDS["coord"], "csrf_token": token})
    assert response.status_code == 303 and response.location == "/"
    assert policy in ("same-origin", "strict-origin", "strict-origin-when-cross-origin")
    # a post from another site is still refused
    response = client.post("/logout", base_url=base, headers={**proxy, "Referer": "https://evil.example/x"},
                           data={"csrf_token": token})
    assert response.status_code == 400


def test_an_unexpected_error_gets_the_apps_own_page_without_detail(site):
    app = create_app(site.root)

    @app.get("/fails")
    def fails():
        raise RuntimeError(f"detail of {site.root}")

    response = app.test_client().get("/fails")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Palvelussa tapahtui virhe" in page and "Ett fel uppstod" in page
    assert "RuntimeError" not in page and str(site.root) not in page and "Internal Server Error" not in page
    assert response.headers["Cache-Control"] == "no-store" and response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("value", ['"one"', "-1", "1.5", "true"])
def test_serve_names_a_wrong_proxy_hops_setting(tmp_path, value):
    from kokemus_docs.core.workspace import init_workspace

    ws, _ = init_workspace(tmp_path / "proxied")
    config = ws.root / "kokemus.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'public_url = "http://127.0.0.1:8000"', f'public_url = "http://127.0.0.1:8000"\nproxy_hops = {value}'),
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["-w", str(ws.root), "serve", "--no-warm-pdf"])
    assert result.exit_code == 2, result.output
    assert "web.proxy_hops" in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_month_pager_stops_at_the_first_and_last_month(clients):
    client = clients["coordinator"]
    first = client.get("/months/2000-01").get_data(as_text=True)
    assert 'href="/months/2000-02"' in first and "/months/1999-12" not in first
    last = client.get("/months/2099-12").get_data(as_text=True)
    assert 'href="/months/2099-11"' in last and "/months/2100-01" not in last
    middle = client.get("/months/2026-01").get_data(as_text=True)
    assert 'href="/months/2025-12"' in middle and 'href="/months/2026-02"' in middle


def test_one_ledger_connection_per_request(clients, monkeypatch):
    from kokemus_docs.core import ledger as ledger_module

    opened = []
    real_init = ledger_module.Ledger.__init__

    def counting(self, *args, **kwargs):
        opened.append(args)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(ledger_module.Ledger, "__init__", counting)
    for path in (f"/months/{MONTH}", f"/months/{MONTH}/links", "/audit"):
        opened.clear()
        assert clients["coordinator"].get(path).status_code == 200
        assert len(opened) == 1, (path, len(opened))
