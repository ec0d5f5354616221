"""The expert fills in the month's hour form on a phone-sized screen (390 px) in headless Chromium, sends it,
and reads that it was accepted; every page fits the screen and passes axe-core. Screenshots go to
tests/artifacts/browser/."""

from __future__ import annotations

import pytest
from browser import axe_violations, chromium_driver, require_chromium, screenshots_dir, served, wait_for
from webfixtures import MONTH, build_site

from kokemus_docs.core.ledger import Ledger
from kokemus_docs.core.workspace import Workspace
from kokemus_docs.web import create_app

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844, "pixelRatio": 3}
NOTE = "Łukasz Nguyễn-Čačić & <b>\"x\"</b> 'y'"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    site = build_site(tmp_path_factory.mktemp("hours-browser") / "ws")
    with served(create_app(site.root)) as url:
        yield site, url


@pytest.fixture(scope="module")
def phone(tmp_path_factory, server):
    driver = chromium_driver(tmp_path_factory.mktemp("chromium-phone"), phone=PHONE)
    yield driver
    driver.quit()


def _check_page(driver, name: str) -> None:
    """The page fits 390 px without sideways scrolling, passes axe-core, and is saved as a screenshot."""
    driver.save_screenshot(str(screenshots_dir() / f"{name}.png"))  # before axe, which scrolls the page
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: {width} px wide"
    assert axe_violations(driver) == [], name
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def _set(driver, element_id: str, value: str) -> None:
    """A value into a date/time picker as the picker itself gives it (typing into one depends on the locale)."""
    driver.execute_script("document.getElementById(arguments[0]).value = arguments[1]", element_id, value)


def test_expert_fills_and_sends_the_hour_form_on_a_phone(server, phone):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    site, base = server
    phone.get(f"{base}/e/{site.tokens['KA-002']}")
    phone.find_element(By.CSS_SELECTOR, "a[href*='/hours/S-2026-002']").click()
    wait_for(lambda: phone.find_elements(By.ID, "row01_date"))
    _check_page(phone, "hours-01-phone-form")

    _set(phone, "row01_date", "2026-10-07")
    _set(phone, "row01_start", "10:30")
    _set(phone, "row01_end", "09:30")  # the end before the start: the rules say so at once
    Select(phone.find_element(By.ID, "row01_task")).select_by_value("individual")
    Select(phone.find_element(By.ID, "row01_status")).select_by_value("held")
    phone.find_element(By.ID, "row01_notes").send_keys(NOTE)
    phone.find_element(By.CSS_SELECTOR, "button[value=add]").click()
    wait_for(lambda: phone.find_elements(By.ID, "row02_date"))
    assert phone.find_element(By.ID, "row01_notes").get_attribute("value") == NOTE
    _set(phone, "row02_date", "2026-10-14")
    _set(phone, "row02_start", "18:00")
    _set(phone, "row02_end", "19:30")
    Select(phone.find_element(By.ID, "row02_task")).select_by_value("lecture")
    Select(phone.find_element(By.ID, "row02_status")).select_by_value("held")
    phone.find_element(By.ID, "confirm").click()
    phone.find_element(By.CSS_SELECTOR, "button[value=send]").click()
    alert = wait_for(lambda: phone.find_elements(By.ID, "result"))[0]
    assert phone.execute_script("return window.scrollY") > 0  # the page opens at what to correct
    assert "Lomaketta ei lähetetty" in alert.text and "Rivi 1, Päättyi" in alert.text
    _check_page(phone, "hours-02-phone-to-correct")

    _set(phone, "row01_end", "11:00")
    phone.find_element(By.CSS_SELECTOR, "button[value=send]").click()
    result = wait_for(lambda: [e.text for e in phone.find_elements(By.ID, "result") if "hyväksytty" in e.text])[0]
    assert "Lomake S-2026-002_2026-10 on hyväksytty" in result
    _check_page(phone, "hours-03-phone-sent")

    ws = Workspace.open(site.root)
    with Ledger(ws.ledger_path) as ledger:
        lines = ledger.lines_of([f"S-2026-002_{MONTH}"])[f"S-2026-002_{MONTH}"]
    assert [(ln.start, ln.end, ln.task) for ln in lines] == [("10:30", "11:00", "individual"),
                                                              ("18:00", "19:30", "lecture")]
    assert lines[0].notes == NOTE
