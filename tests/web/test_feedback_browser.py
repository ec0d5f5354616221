"""The anonymous feedback page on a phone-sized headless Chromium against the real server (waitress): a client
opens the questionnaire's address, taps the answers, sends, and the answer is in the ledger; both pages pass axe-core.
A screenshot is saved in tests/artifacts/browser/ (or $KOKEMUS_TEST_ARTIFACTS/browser)."""

from __future__ import annotations

from datetime import date

import pytest
from browser import axe_violations, chromium_driver, screenshots_dir, served

from kokemus_docs.core.ledger import Ledger
from kokemus_docs.feedback.ledger import answers_for_year
from kokemus_docs.feedback.questionnaire import issue_questionnaires
from kokemus_docs.web import create_app

pytestmark = pytest.mark.browser

COMMENT = 'Hyvä & <"selkeä"> \'tapaaminen\' – åäö'


@pytest.fixture
def phone(tmp_path):
    driver = chromium_driver(tmp_path, phone={"width": 390, "height": 844, "pixelRatio": 2.0})
    yield driver
    driver.quit()


@pytest.fixture
def server(workspace, register):
    outcome = issue_questionnaires(workspace, register, unit_ids=["PERHE-LOVIISA"], respondents=["client"],
                                   languages=["fi"])
    code = outcome.extra["questionnaires"][0]["url"].rsplit("/", 1)[1]
    with served(create_app(workspace.root), threads=2) as url:
        yield workspace, f"{url}/f/{code}"


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
        "document.documentElement.clientWidth + 1 || e.scrollWidth > e.clientWidth + 1).map(e => e.tagName + '.' + "
        "e.className + ' ' + "
        "Math.round(e.getBoundingClientRect().right) + '/' + e.scrollWidth).slice(0, 8)")
    assert phone.execute_script("return document.documentElement.clientWidth") == 390
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 390, wide
    assert axe_violations(phone) == []
    label.click()
    for name, value in (("s1", "5"), ("s2", "4"), ("s3", "na")):
        phone.find_element(By.XPATH, f"//input[@name='{name}'][@value='{value}']/..").click()
    phone.find_element(By.NAME, "comment").send_keys(COMMENT)
    artifacts = screenshots_dir()
    phone.save_screenshot(str(artifacts / "feedback_phone_filled.png"))
    phone.find_element(By.CSS_SELECTOR, "button.send").click()
    WebDriverWait(phone, 30).until(expected_conditions.text_to_be_present_in_element(
        (By.CSS_SELECTOR, "section.result"), "Kiitos palautteestasi!"))
    phone.save_screenshot(str(artifacts / "feedback_phone_thanks.png"))
    assert axe_violations(phone) == []
    with Ledger(ws.ledger_path) as ledger:
        [answer] = answers_for_year(ledger, date.today().year)
    assert (answer.unit_id, answer.recommend, answer.statements, answer.comment, answer.channel) == (
        "PERHE-LOVIISA", 9, (5, 4, None, None, None), COMMENT, "web")


def test_the_phone_itself_asks_for_the_recommendation_before_anything_is_sent(server, phone):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    ws, url = server
    phone.get(url)
    phone.find_element(By.XPATH, "//input[@name='s1'][@value='3']/..").click()
    phone.find_element(By.NAME, "comment").send_keys(COMMENT)
    phone.find_element(By.CSS_SELECTOR, "button.send").click()
    # Chromium stops the post and points at the unanswered 0-10 question; the comment stays typed on the phone.
    WebDriverWait(phone, 5).until(lambda d: d.execute_script(
        "const e = document.activeElement; return e.name === 'recommend' && e.validity.valueMissing"))
    assert phone.current_url == url and not phone.find_elements(By.CSS_SELECTOR, "p.error")
    assert phone.find_element(By.NAME, "comment").get_attribute("value") == COMMENT
    with Ledger(ws.ledger_path) as ledger:
        assert answers_for_year(ledger, date.today().year) == []
    phone.find_element(By.XPATH, "//input[@name='recommend'][@value='0']/..").click()
    phone.find_element(By.CSS_SELECTOR, "button.send").click()
    WebDriverWait(phone, 30).until(expected_conditions.text_to_be_present_in_element(
        (By.CSS_SELECTOR, "section.result"), "Kiitos palautteestasi!"))
    assert phone.current_url == url + "?sent=1"
    with Ledger(ws.ledger_path) as ledger:
        [answer] = answers_for_year(ledger, date.today().year)
    assert (answer.recommend, answer.statements[0], answer.comment) == (0, 3, COMMENT)
