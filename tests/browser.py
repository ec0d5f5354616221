"""Headless Chromium for the browser tests: Debian's chromium and chromedriver driven by Selenium, with the
flags this needs on a machine without network, and the folder the screenshots go to."""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path


def require_chromium() -> None:
    """Skip where Chromium is not installed; in CI, fail instead (the browser tests must run there)."""
    from conftest import missing

    absent = [tool for tool in ("chromium", "chromedriver") if shutil.which(tool) is None]
    if absent:
        missing(f"{', '.join(absent)} not installed (apt-get install chromium chromium-driver)")


def screenshots_dir() -> Path:
    """tests/artifacts/browser/, or $KOKEMUS_TEST_ARTIFACTS/browser/."""
    folder = Path(os.environ.get("KOKEMUS_TEST_ARTIFACTS") or Path(__file__).parent / "artifacts") / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def chromium_driver(work: Path, *arguments: str, prefs: dict | None = None, phone: dict | None = None):
    """A headless Chromium with a fresh profile in `work`; `phone` emulates a device's metrics."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    require_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                     f"--user-data-dir={work / 'profile'}", *arguments):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if prefs:
        options.add_experimental_option("prefs", prefs)
    if phone:
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": phone})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(60)
    return driver


@contextmanager
def served(app, threads: int = 4):
    """The app served by waitress on a free port of 127.0.0.1; yields its base address."""
    from waitress.server import create_server

    httpd = create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=httpd.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.effective_port}"
    finally:
        httpd.close()
        thread.join(timeout=5)


def wait_for(condition, seconds: float = 20.0):
    """The first true value of `condition()`, polled for up to `seconds`.

    While a click's new page replaces the old one, an element found on the old page can vanish between finding it
    and reading it (stale element, or Chromium's "does not belong to the document"): that is "not yet", not a
    failure."""
    import time

    from selenium.common.exceptions import WebDriverException

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = condition()
        except WebDriverException:
            found = None
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


AXE_FOLDER = Path(__file__).parent / "axe"
AXE_SCRIPT = AXE_FOLDER / "node_modules" / "axe-core" / "axe.min.js"
# The rules every page must pass: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_version() -> str:
    """The version of the axe-core the browser tests inject (tests/axe/package.json, installed by `make test`)."""
    import json

    from conftest import missing

    if not AXE_SCRIPT.is_file():
        missing(f"axe-core is not installed in {AXE_FOLDER} (npm ci --prefix {AXE_FOLDER}; `make test` does it)")
    return str(json.loads((AXE_SCRIPT.parent / "package.json").read_text(encoding="utf-8"))["version"])


def axe_violations(driver) -> list[str]:
    """axe-core's accessibility violations on the page open in `driver`, one line each ([] when it passes)."""
    axe_version()
    driver.execute_script(AXE_SCRIPT.read_text(encoding="utf-8"))
    results = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(done, error => done({error: String(error)}));", AXE_TAGS)
    assert "error" not in results, results.get("error")
    return [f"{v['id']}: {v['help']} ({', '.join(str(n['target']) for n in v['nodes'][:3])})"
            for v in results["violations"]]
