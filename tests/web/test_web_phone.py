"""Every page of every role on a 390 px wide phone in headless Chromium against the real server (waitress): no
sideways scrolling, and no axe-core accessibility violations. Screenshots go to tests/artifacts/browser/."""

from __future__ import annotations

import pytest
from browser import axe_violations, chromium_driver, require_chromium, screenshots_dir, served
from webfixtures import MONTH, PASSWORDS, build_site

from kokemus_docs.web import create_app

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844, "pixelRatio": 2.0}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    site = build_site(tmp_path_factory.mktemp("phone") / "ws")
    with served(create_app(site.root)) as url:
        yield site, url


@pytest.fixture(scope="module")
def phone(tmp_path_factory):
    require_chromium()
    driver = chromium_driver(tmp_path_factory.mktemp("chromium-phone"), phone=PHONE)
    yield driver
    driver.quit()


def _log_in(driver, base: str, login: str) -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(base + "/login")
    driver.find_element(By.NAME, "login").send_keys(login)
    driver.find_element(By.NAME, "password").send_keys(PASSWORDS[login])
    driver.find_element(By.CSS_SELECTOR, "form.login button").click()


def _pages(site) -> dict[str, list[str]]:
    return {
        "anonymous": ["/login", f"/e/{site.tokens['KA-001']}", f"/e/{site.tokens['KA-003']}?lang=sv"],
        "coord": [f"/months/{MONTH}", f"/months/{MONTH}/links", f"/months/{MONTH}/close",
                  f"/months/{MONTH}/links/KA-001/revoke", "/audit", "/payroll/", "/bookings", "/no/such/page"],
        "unit-mtp": [f"/units/MTP-PORVOO/months/{MONTH}", "/units/MTP-PORVOO/bookings"],
        "hpk": ["/payroll/"],
    }


def _overflow(driver) -> tuple[int, list[str]]:
    """The page's scroll width, and the elements that reach past the viewport."""
    width = driver.execute_script("return document.scrollingElement.scrollWidth")
    wide = driver.execute_script(
        "const w = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > w + 1).slice(0, 8)"
        ".map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 40))")
    return width, wide


@pytest.mark.parametrize("role", ["anonymous", "coord", "unit-mtp", "hpk"])
def test_every_page_fits_a_phone_and_passes_axe(server, phone, role):
    site, base = server
    if role == "anonymous":
        phone.delete_all_cookies()
    else:
        _log_in(phone, base, role)
    shots = screenshots_dir()
    violations = {}
    for path in _pages(site)[role]:
        phone.get(base + path)
        assert phone.execute_script("return document.documentElement.clientWidth") == 390
        width, wide = _overflow(phone)
        name = f"phone-{role}-{path.strip('/').replace('/', '_').split('?')[0][:40] or 'home'}.png"
        phone.save_screenshot(str(shots / name))
        assert width <= 390, (path, width, wide)
        violations[path] = axe_violations(phone)
    assert {path: found for path, found in violations.items() if found} == {}


def test_a_step_says_it_is_running_while_it_runs(server, phone):
    """A step can take seconds: on the click the page says it is working and the button takes no second click."""
    from selenium.webdriver.common.by import By

    _site, base = server
    _log_in(phone, base, "coord")
    phone.get(f"{base}/months/{MONTH}")
    form = phone.find_element(By.CSS_SELECTOR, "form.step")
    said = phone.execute_script(
        "const form = arguments[0]; form.addEventListener('submit', e => e.preventDefault());"
        "form.requestSubmit(); const note = form.querySelector('.working');"
        "return [note && note.textContent, note && note.getAttribute('role'),"
        " form.querySelector('button[type=submit]').disabled];", form)
    assert said == ["Työ on käynnissä. Tämä voi kestää hetken; sivu päivittyy, kun työ on valmis.", "status", True]
