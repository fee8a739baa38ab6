"""One headless Chromium (Debian's chromium and chromium-driver) per test session, driven by
Selenium against real ``pyrewatch serve`` processes. Screenshots and page sources land in
``test-artifacts/browser/`` (not committed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from tests.browser.pages import Web

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


@pytest.fixture
def dialect() -> str:
    """The browser tests exercise pages, not storage: SQLite only."""
    return "sqlite"


@pytest.fixture(scope="session")
def driver() -> Iterator[webdriver.Chrome]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("the browser tests need Debian's chromium and chromium-driver (apt-get install them)")
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chrome = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    chrome.implicitly_wait(0)
    yield chrome
    chrome.quit()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    if report.when == "call" and report.failed:  # type: ignore[attr-defined]
        web = item.funcargs.get("web") if hasattr(item, "funcargs") else None
        if isinstance(web, Web):
            web.save_artifacts(f"FAILED-{item.name}")
    return report


@pytest.fixture
def web(driver: webdriver.Chrome) -> Iterator[Web]:
    """The browser with no cookies; after the test, no page may have logged a console error."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.delete_all_cookies()
    driver.get_log("browser")  # type: ignore[no-untyped-call]  # drop what earlier tests left
    page = Web(driver, ARTIFACTS)
    yield page
    page.collect_console()
    assert page.console_errors == [], page.console_errors
