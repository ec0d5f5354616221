"""The anonymous feedback page on a phone-sized headless Chromium against the real server (waitress): a client
opens the questionnaire's address, taps the answers, sends, and the answer is in the ledger.
A screenshot is saved in tests/artifacts/browser/ (or $KOKEMUS_TEST_ARTIFACTS/browser)."""

from __future__ import annotations

import os
import shutil
import threading
from datetime import date
from pathlib import Path

import pytest

from kokemus_docs.feedback.answers import answers_for_year
from kokemus_docs.feedback.questionnaire import issue_questionnaires
from kokemus_docs.ledger import Ledger
from kokemus_docs.web import create_app

pytestmark = pytest.mark.browser

COMMENT = 'Hyvä & <"selkeä"> \'tapaaminen\' – åäö'


@pytest.fixture
def phone(tmp_path):
    missing = [tool for tool in ("chromium", "chromedriver") if shutil.which(tool) is None]
    if missing:
        message = f"{', '.join(missing)} not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run this test: {message}")
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(argument)
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 390, "height": 844,
                                                                          "pixelRatio": 2.0}})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def server(workspace, register):
    from waitress.server import create_server

    outcome = issue_questionnaires(workspace, register, unit_ids=["PERHE-LOVIISA"], respondents=["client"],
                                   languages=["fi"])
    code = outcome.extra["questionnaires"][0]["url"].rsplit("/", 1)[1]
    httpd = create_server(create_app(workspace.root), host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=httpd.run, daemon=True)
    thread.start()
    yield workspace, f"http://127.0.0.1:{httpd.effective_port}/f/{code}"
    httpd.close()
    thread.join(timeout=5)


def test_client_answers_on_a_phone(server, phone):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    ws, url = server
    phone.get(url)
    assert "Minua kuunneltiin." in phone.page_source
    # Tap targets are large enough for a finger and the page does not scroll sideways.
    label = phone.find_element(By.XPATH, "//input[@name='recommend'][@value='9']/..")
    assert label.size["width"] >= 40 and label.size["height"] >= 40
    wide = phone.execute_script(
        "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
        "document.documentElement.clientWidth + 1 || e.scrollWidth > e.clientWidth + 1).map(e => e.tagName + '.' + e.className + ' ' + "
        "Math.round(e.getBoundingClientRect().right) + '/' + e.scrollWidth).slice(0, 8)")
    assert phone.execute_script("return document.documentElement.clientWidth") == 390
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 390, wide
    label.click()
    for name, value in (("s1", "5"), ("s2", "4"), ("s3", "na")):
        phone.find_element(By.XPATH, f"//input[@name='{name}'][@value='{value}']/..").click()
    phone.find_element(By.NAME, "comment").send_keys(COMMENT)
    artifacts = Path(os.environ.get("KOKEMUS_TEST_ARTIFACTS") or Path(__file__).parent / "artifacts") / "browser"
    artifacts.mkdir(parents=True, exist_ok=True)
    phone.save_screenshot(str(artifacts / "feedback_phone_filled.png"))
    phone.find_element(By.CSS_SELECTOR, "button.send").click()
    WebDriverWait(phone, 30).until(expected_conditions.text_to_be_present_in_element(
        (By.CSS_SELECTOR, "section.result"), "Kiitos palautteestasi!"))
    phone.save_screenshot(str(artifacts / "feedback_phone_thanks.png"))
    with Ledger(ws.ledger_path) as ledger:
        [answer] = answers_for_year(ledger, date.today().year)
    assert (answer.unit_id, answer.recommend, answer.statements, answer.comment, answer.channel) == (
        "PERHE-LOVIISA", 9, (5, 4, None, None, None), COMMENT, "web")
