"""A booking from request to booked in headless Chromium against the real server, every page on a phone-sized
screen (390 px): the unit contact asks for an expert, the coordinator offers the request, the expert accepts on
their own page, and the unit sees who is coming. Each page fits the screen, passes axe-core and is saved as a
screenshot in tests/artifacts/browser/."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from browser import axe_violations, chromium_driver, require_chromium, screenshots_dir, served, wait_for
from webfixtures import PASSWORDS, build_site

from kokemus_docs.web import create_app

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844, "pixelRatio": 3}
NOTE = "Łukasz Nguyễn-Čačić & <b>\"x\"</b> 'y' — ryhmä aikuisille"
DAY = date.today() + timedelta(days=12)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    site = build_site(tmp_path_factory.mktemp("bookings-browser") / "ws")
    with served(create_app(site.root)) as url:
        yield site, url


@pytest.fixture(scope="module")
def phone(tmp_path_factory, server):
    driver = chromium_driver(tmp_path_factory.mktemp("chromium-bookings"), phone=PHONE)
    yield driver
    driver.quit()


def _check_page(driver, name: str) -> None:
    """Saved as a screenshot, no sideways scrolling at 390 px, axe-core clean, no console errors."""
    driver.save_screenshot(str(screenshots_dir() / f"{name}.png"))
    width = driver.execute_script("return document.documentElement.scrollWidth")
    wide = driver.execute_script(
        "return [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 391)"
        ".slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + (e.id || ''))")
    assert width <= PHONE["width"], f"{name}: {width} px wide: {wide}"
    assert axe_violations(driver) == [], name
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def _text(driver, element_id: str) -> str:
    """The text of the element with `element_id` now ('' while the page it was on is being replaced)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    try:
        return " ".join(e.text for e in driver.find_elements(By.ID, element_id))
    except StaleElementReferenceException:
        return ""


def _login(driver, base: str, login: str) -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(base + "/login")
    driver.find_element(By.NAME, "login").send_keys(login)
    driver.find_element(By.NAME, "password").send_keys(PASSWORDS[login])
    driver.find_element(By.CSS_SELECTOR, "form.login button").click()
    wait_for(lambda: "/login" not in driver.current_url)


def test_request_offer_accept_on_a_phone_and_the_unit_sees_the_booking(server, phone):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    site, base = server
    _login(phone, base, "unit-mtp")
    phone.get(f"{base}/units/MTP-PORVOO/bookings")
    _check_page(phone, "bookings-01-unit-request-form")
    Select(phone.find_element(By.ID, "task")).select_by_value("group")
    for element_id, value in (("session1_date", DAY.isoformat()), ("session1_start", "13:00"),
                              ("session1_end", "14:30")):
        phone.execute_script("document.getElementById(arguments[0]).value = arguments[1]", element_id, value)
    phone.find_element(By.ID, "weekly").send_keys("3")
    phone.find_element(By.ID, "topics").send_keys("mielenterveys")
    Select(phone.find_element(By.ID, "language")).select_by_value("fi")
    phone.find_element(By.ID, "place").send_keys("Ryhmähuone 2, Porvoo")
    phone.find_element(By.ID, "audience").send_keys("aikuiset")
    phone.find_element(By.ID, "group_size").send_keys("8")
    phone.find_element(By.ID, "note").send_keys(NOTE)
    phone.find_element(By.CSS_SELECTOR, "form.booking-form button[type=submit]").click()
    added = wait_for(lambda: "tallennettu" in _text(phone, "result") and _text(phone, "result"))
    booking_id = added.split("Pyyntö ")[1].split(" ")[0]
    assert NOTE in phone.find_element(By.TAG_NAME, "main").text
    _check_page(phone, "bookings-02-unit-request-saved")

    _login(phone, base, "coord")
    phone.get(f"{base}/bookings")
    assert booking_id in phone.find_element(By.ID, "waiting").text
    _check_page(phone, "bookings-03-coordinator-queue")
    phone.find_element(By.LINK_TEXT, booking_id).click()
    candidate = wait_for(lambda: phone.find_elements(By.ID, "candidate-KA-001"))[0]
    assert "aiheet: mielenterveys" in candidate.text
    _check_page(phone, "bookings-04-coordinator-candidates")
    candidate.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(lambda: "Tarjous lähetetty" in _text(phone, "result"))
    _check_page(phone, "bookings-05-coordinator-offered")

    phone.delete_all_cookies()
    phone.get(f"{base}/e/{site.tokens['KA-001']}")
    offer = wait_for(lambda: phone.find_elements(By.ID, f"offer-{booking_id}"))[0]
    assert "Ryhmähuone 2, Porvoo" in offer.text and NOTE in offer.text
    phone.execute_script("arguments[0].scrollIntoView()", offer)
    _check_page(phone, "bookings-06-expert-offer-phone")
    offer.find_element(By.CSS_SELECTOR, "button[value=accept]").click()
    wait_for(lambda: f"Tehtävä {booking_id} on varattu sinulle" in _text(phone, "offers"))
    booked = phone.find_element(By.ID, "booked").text
    assert booking_id in booked and booked.count(f"{DAY.year}") >= 1
    _check_page(phone, "bookings-07-expert-accepted-phone")

    _login(phone, base, "unit-mtp")
    phone.get(f"{base}/units/MTP-PORVOO/bookings/{booking_id}")
    page = phone.find_element(By.TAG_NAME, "main").text
    ka001 = site.register.experts["KA-001"]
    assert "varattu" in page and ka001.full_name in page and ka001.email in page and ka001.phone in page
    assert ka001.hetu not in page and ka001.iban not in page and ka001.street_address not in page
    _check_page(phone, "bookings-08-unit-sees-the-expert")


def test_an_offer_closed_or_withdrawn_by_the_coordinator_leaves_the_experts_page(server, phone):
    from selenium.webdriver.common.by import By

    from kokemus_docs.bookings import BookingRequest, SessionTime, add_booking, offer_booking
    from kokemus_docs.core.workspace import Workspace

    site, base = server
    ws = Workspace.open(site.root)
    offered = []
    for days, place in ((20, "Mötesrum Å & <Ö>"), (21, "Ryhmähuone 3")):
        request = BookingRequest(unit_id="MTP-PORVOO", task="individual", place=place, language="any",
                                 sessions=(SessionTime(DAY + timedelta(days=days), time(10), time(11, 30)),))
        booking = add_booking(ws, site.register, request)
        offered.append(offer_booking(ws, site.register, booking.booking_id, "KA-003").booking_id)
    expert_page = f"{base}/e/{site.tokens['KA-003']}"
    phone.delete_all_cookies()
    phone.get(expert_page)
    wait_for(lambda: all(phone.find_elements(By.ID, f"offer-{b}") for b in offered))

    _login(phone, base, "coord")
    phone.get(f"{base}/bookings/{offered[0]}")
    phone.find_element(By.ID, "reason").send_keys("Ingen ledig på svenska & <'x'>")
    phone.find_element(By.CSS_SELECTOR, "#close button[type=submit]").click()
    wait_for(lambda: "Pyyntö suljettu täyttämättä" in _text(phone, "result"))
    phone.get(f"{base}/bookings/{offered[1]}")
    phone.find_element(By.CSS_SELECTOR, "form[action$='/withdraw'] button[type=submit]").click()
    wait_for(lambda: "Tarjous peruttu" in _text(phone, "result"))

    phone.delete_all_cookies()
    phone.get(expert_page)
    offers = wait_for(lambda: _text(phone, "offers"))
    assert "Inga öppna erbjudanden." in offers
    assert not any(phone.find_elements(By.ID, f"offer-{b}") for b in offered)
    _check_page(phone, "bookings-09-expert-offer-gone-phone")
