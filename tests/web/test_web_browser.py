"""The web app in a real browser (headless Chromium with Selenium) against the real server (waitress).

The coordinator logs in, uploads a filled form, sees it accepted on the month page and downloads a fee notice;
a Swedish-speaking expert opens their address, uploads a form with a mistake and reads what to correct.
Screenshots are saved in tests/artifacts/browser/ (or $KOKEMUS_TEST_ARTIFACTS/browser; the path is printed).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from browser import chromium_driver, require_chromium, screenshots_dir, served
from webfixtures import MONTH, PASSWORDS, build_site

from kokemus_docs.web import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium():
    require_chromium()


@pytest.fixture(scope="module")
def server(tmp_path_factory, chromium):
    site = build_site(tmp_path_factory.mktemp("browser") / "ws")
    with served(create_app(site.root)) as url:
        yield site, url


@pytest.fixture(scope="module")
def browser(tmp_path_factory, chromium):
    work = tmp_path_factory.mktemp("chromium")
    downloads = work / "downloads"
    downloads.mkdir()
    driver = chromium_driver(work, "--window-size=1280,1400",
                             prefs={"download.default_directory": str(downloads),
                                    "download.prompt_for_download": False})
    driver.downloads = downloads
    driver.shots = screenshots_dir()
    print(f"\nscreenshots in {driver.shots}")
    yield driver
    driver.quit()


def _shot(driver, name: str) -> Path:
    """Save a screenshot; the page must have loaded everything it asked for within the CSP (no console errors)."""
    path = driver.shots / f"{name}.png"
    driver.save_screenshot(str(path))
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors
    return path


def _wait_for(condition, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_coordinator_uploads_sees_accepted_and_downloads_notice(server, browser):
    from selenium.webdriver.common.by import By

    site, base = server
    browser.get(base + "/")
    assert "/login" in browser.current_url
    browser.find_element(By.NAME, "login").send_keys("coord")
    browser.find_element(By.NAME, "password").send_keys(PASSWORDS["coord"])
    _shot(browser, "01-login")
    browser.find_element(By.CSS_SELECTOR, "form.login button").click()
    _wait_for(lambda: "/months/" in browser.current_url)

    browser.get(f"{base}/months/{MONTH}")
    row = browser.find_element(By.ID, "row-S-2026-002")
    assert "puuttuu" in row.text  # not returned yet
    browser.find_element(By.ID, "upload-file").send_keys(str(site.uploads["good"]))
    browser.find_element(By.CSS_SELECTOR, "#upload-form button").click()
    result = _wait_for(lambda: browser.find_elements(By.ID, "upload-result"))[0]
    assert "S-2026-002 lokakuu.pdf" in result.text and "hyväksytty" in result.text
    row = browser.find_element(By.ID, "row-S-2026-002")
    assert "hyväksytty" in row.text
    _shot(browser, "02-month-after-upload")

    link = browser.find_element(By.PARTIAL_LINK_TEXT, "MTP-PORVOO_fi.docx")
    link.click()
    notice = _wait_for(lambda: [p for p in browser.downloads.glob("MTP-PORVOO_fi.docx")
                                if p.stat().st_size > 0])[0]
    assert notice.read_bytes()[:2] == b"PK"

    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart rect.bar")
    assert charts, "the indicators are drawn as bars"
    browser.execute_script("document.querySelector('section.charts').scrollIntoView()")
    _shot(browser, "03-charts")


def test_expert_reads_swedish_feedback(server, browser):
    from selenium.webdriver.common.by import By

    site, base = server
    browser.delete_all_cookies()
    browser.get(f"{base}/e/{site.tokens['KA-003']}")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "sv"
    assert "Returnera timblanketten" in browser.page_source
    browser.find_element(By.NAME, "file").send_keys(str(site.uploads["mistaken_sv"]))
    browser.find_element(By.CSS_SELECTOR, "form.upload button").click()
    feedback = _wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "pre.feedback"))[0]
    assert "Att rätta:" in feedback.text and "Rad 3" in feedback.text
    assert "Blanketten kunde inte godkännas" in browser.find_element(By.ID, "result").text
    _shot(browser, "04-expert-feedback-sv")


def test_unit_contact_approves_the_notice_in_swedish(server, browser):
    from selenium.webdriver.common.by import By

    site, base = server
    browser.delete_all_cookies()
    browser.get(base + "/login")
    browser.find_element(By.CSS_SELECTOR, "button.lang[value=sv]").click()
    _wait_for(lambda: "Användarnamn" in browser.page_source)
    browser.find_element(By.NAME, "login").send_keys("unit-perhe")
    browser.find_element(By.NAME, "password").send_keys(PASSWORDS["unit-perhe"])
    browser.find_element(By.CSS_SELECTOR, "form.login button").click()
    _wait_for(lambda: "/units/PERHE-LOVIISA/months/" in browser.current_url)
    browser.get(f"{base}/units/PERHE-LOVIISA/months/{MONTH}")
    assert "Arvodesanmälningar" in browser.page_source
    browser.find_element(By.XPATH, "//button[contains(., 'Godkänn arvodesanmälan')]").click()
    approved = _wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "p.approved"))[0]
    assert "Godkänd av unit-perhe" in approved.text
    _shot(browser, "05-unit-approved-sv")
