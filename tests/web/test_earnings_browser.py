"""Earnings pages in headless Chromium at 390 px: the coordinator's statements of the year and the expert's
page with the expected payment beside their limit both fit the screen and pass axe-core; the expert's statement
downloads as a PDF. Screenshots go to tests/artifacts/browser/."""

from __future__ import annotations

import pytest
from browser import axe_violations, chromium_driver, require_chromium, screenshots_dir, served, wait_for
from webfixtures import PASSWORDS, build_site

from kokemus_docs.web import create_app

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844, "pixelRatio": 3}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    site = build_site(tmp_path_factory.mktemp("earnings-browser") / "ws")
    with served(create_app(site.root)) as url:
        yield site, url


@pytest.fixture(scope="module")
def phone(tmp_path_factory, server):
    work = tmp_path_factory.mktemp("chromium-earnings")
    downloads = work / "downloads"
    downloads.mkdir()
    driver = chromium_driver(work, phone=PHONE, prefs={"download.default_directory": str(downloads),
                                                      "download.prompt_for_download": False})
    driver.downloads = downloads
    yield driver
    driver.quit()


def _check_page(driver, name: str) -> None:
    driver.save_screenshot(str(screenshots_dir() / f"{name}.png"))
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: {width} px wide"
    assert axe_violations(driver) == [], name
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def test_expert_sees_the_expected_payment_and_downloads_their_statement(server, phone):
    from selenium.webdriver.common.by import By

    site, base = server
    phone.get(f"{base}/e/{site.tokens['KA-003']}")
    expected = phone.find_element(By.ID, "expected").text.replace("\u00a0", " ")
    assert expected.startswith("Väntad utbetalning 30.11.2026: 166,25 €; din gräns 151,37 €.")
    _check_page(phone, "earnings-01-expert-sv")
    phone.find_element(By.PARTIAL_LINK_TEXT, "Dina arvoden per betalningsdag").click()
    pdf = wait_for(lambda: [p for p in phone.downloads.glob("KA-003_*.pdf") if p.stat().st_size > 0])[0]
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_coordinator_lists_the_years_statements_on_a_phone(server, phone):
    from selenium.webdriver.common.by import By

    site, base = server
    phone.delete_all_cookies()
    phone.get(base + "/login")
    phone.find_element(By.NAME, "login").send_keys("coord")
    phone.find_element(By.NAME, "password").send_keys(PASSWORDS["coord"])
    phone.find_element(By.CSS_SELECTOR, "form.login button").click()
    wait_for(lambda: "/months/" in phone.current_url)
    phone.get(f"{base}/statements/2026")
    assert "Palkkiot maksupäivittäin 2026" in phone.page_source
    assert phone.find_elements(By.CSS_SELECTOR, "a[href='/statements/2026/all.pdf']")
    _check_page(phone, "earnings-02-statements")
