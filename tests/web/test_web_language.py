"""Finnish and Swedish pages say everything in Finnish or Swedish: upload reasons, step results, the register
check (all that `kokemus check` says), audit entries and table headers; never the server's own file names."""

from __future__ import annotations

import io
import re

import pytest
from pdfbytes import raw_pdf
from webfixtures import MONTH, PASSWORDS, build_site

from kokemus_docs.core.workspace import Workspace
from kokemus_docs.register.sheets import check_register
from kokemus_docs.web import create_app

# Words that only English text has (ids, months and file names never contain them).
ENGLISH = re.compile(r"\b(the|is|not|of|in|file\(s\)|written|accepted|rejected|refused|warning|should|has|"
                     r"was|URL|row|sheet|column|empty|Fill|Contract|Expert|Unit|assignment)\b")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("language") / "ws")


@pytest.fixture(scope="module")
def coordinator(site):
    app = create_app(site.root)
    app.config["TESTING"] = True
    client = app.test_client()
    client.post("/login", data={"login": "coord", "password": PASSWORDS["coord"], "csrf_token": _token(client)})
    return client


def _token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _section(page: str, pattern: str) -> str:
    found = re.search(pattern, page, re.S)
    assert found, pattern
    return _text(found.group(0))


def _page_tree_bomb() -> bytes:
    """A small PDF whose page tree has 10^15 paths to one page: refused by the reader's limits."""
    objects, below = {}, 3
    for level in range(15):
        objects[4 + level] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (10 ** (level + 1),
                                                                          b" ".join([b"%d 0 R" % below] * 10))
        below = 4 + level
    return raw_pdf({1: b"<< /Type /Catalog /Pages %d 0 R >>" % below, 2: b"<< >>",
                    3: b"<< /Type /Page /MediaBox [0 0 595 842] >>", **objects})


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_coordinators_pages_speak_the_pages_language(site, coordinator, language):
    client = coordinator
    client.post("/language", data={"lang": language, "next": f"/months/{MONTH}",
                                   "csrf_token": _token(client, f"/months/{MONTH}")})
    with open(site.uploads["mistaken_fi"], "rb") as mistaken:
        response = client.post(f"/months/{MONTH}/upload", content_type="multipart/form-data", data={
            "csrf_token": _token(client, f"/months/{MONTH}"),
            "file": [(mistaken, "S-2026-006.pdf"), (io.BytesIO(_page_tree_bomb()), "liite.pdf")]},
            follow_redirects=True)
    page = response.get_data(as_text=True)
    results = _section(page, r'<div id="upload-result".*?</div>')
    assert not ENGLISH.search(results), results
    assert "web-" not in page  # the server's own name for a saved upload is never shown
    assert ("Rivi 3, Päivämäärä" if language == "fi" else "Rad 3, Datum") in results
    assert "liite.pdf" in results

    step = client.post(f"/months/{MONTH}/run", data={"csrf_token": _token(client, f"/months/{MONTH}"),
                                                     "step": "forms"}, follow_redirects=True).get_data(as_text=True)
    result = _section(step, r'<section class="result".*?</section>')
    assert not ENGLISH.search(result), result
    assert "S-2026-016" in result  # the unsigned contract, said in the page's language

    month = client.get(f"/months/{MONTH}").get_data(as_text=True)
    heading = "Rekisterin tarkistus" if language == "fi" else "Kontroll av registret"
    register = _section(month, rf"<h2>{heading}</h2>.*?</section>")
    assert not ENGLISH.search(register), register
    said = check_register(Workspace.open(site.root))
    shown = re.findall(r"<li>", re.search(rf"<h2>{heading}</h2>.*?</section>", month, re.S).group(0))
    assert said.warnings and len(shown) == len(said.errors) + len(said.warnings)  # what `kokemus check` says
    assert ("Ei huomautettavaa" if language == "fi" else "Inget att anmärka") not in register

    links = client.get(f"/months/{MONTH}/links").get_data(as_text=True)
    assert "<th>URL</th>" not in links and ("<th>Osoite</th>" if language == "fi" else "<th>Adress</th>") in links

    audit = client.get("/audit").get_data(as_text=True)
    rows = _section(audit, r"<tbody>.*?</tbody>")
    assert not ENGLISH.search(rows), rows
    assert ("hylätty 2" if language == "fi" else "underkänd 2") in rows


def test_a_swedish_experts_too_large_file_is_refused_in_swedish_with_a_way_back(site):
    app = create_app(site.root)
    app.config["TESTING"] = True
    client = app.test_client()
    url = f"/e/{site.tokens['KA-003']}"
    response = client.post(url, content_type="multipart/form-data", data={
        "csrf_token": _token(client, url), "file": (io.BytesIO(b"%PDF-" + b"0" * (11 * 1024 * 1024)), "stor.pdf")})
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Sändningen är för stor" in page and "Lähetys on liian suuri" not in page
    back = re.search(r'<a href="([^"]+)">[^<]*Tillbaka till din sida</a>', page)
    assert back and client.get(back.group(1).replace("&amp;", "&")).status_code == 200


def test_payroll_page_says_when_each_workbook_was_made(site, coordinator):
    import os
    from datetime import datetime

    page = coordinator.get("/payroll/").get_data(as_text=True)
    made = datetime.fromtimestamp(os.stat(site.root / "outputs" / "payroll" / f"payroll_{MONTH}.xlsx").st_mtime)
    row = re.search(rf"<tr>\s*<td[^>]*>[^<]*</td>.*?payroll_{MONTH}\.xlsx.*?</tr>", page, re.S).group(0)
    assert f"{made.day}.{made.month}.{made.year} {made.hour}.{made.minute:02d}" in row
    assert ("Tehty" in page) or ("Gjord" in page)


def test_a_unit_contact_finds_the_months_with_notices_and_those_waiting_for_approval(site):
    app = create_app(site.root)
    app.config["TESTING"] = True
    client = app.test_client()
    client.post("/login", data={"login": "unit-mtp", "password": PASSWORDS["unit-mtp"], "csrf_token": _token(client)})
    page = client.get("/units/MTP-PORVOO/months/2026-12").get_data(as_text=True)  # lands on another month
    months = _section(page, r"<h2>Kuukaudet, joilta on maksuilmoitus</h2>.*?</section>")
    assert "lokakuu 2026 — odottaa hyväksyntää" in months
    assert f'href="/units/MTP-PORVOO/months/{MONTH}"' in page
    assert 'href="/units/MTP-PORVOO/months/2026-11"' in page and 'href="/units/MTP-PORVOO/months/2027-01"' in page
