"""Page objects: what a person does on the pages, so tests read as user stories."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

TIMEOUT = 15


class Web:
    def __init__(self, driver: webdriver.Chrome, artifacts: Path) -> None:
        self.driver = driver
        self.artifacts = artifacts
        self.base = ""
        self.console_errors: list[str] = []

    # -- navigation ----------------------------------------------------------------------------

    def use(self, base_url: str) -> Web:
        self.base = base_url.rstrip("/")
        return self

    def open(self, path: str) -> Web:
        self.collect_console()
        self.driver.get(self.base + path)
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        WebDriverWait(self.driver, TIMEOUT).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )

    @property
    def path(self) -> str:
        parts = urlsplit(self.driver.current_url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def wait_path(self, prefix: str) -> None:
        WebDriverWait(self.driver, TIMEOUT).until(lambda d: self.path.startswith(prefix), f"never reached {prefix}")
        self.wait_ready()

    def find(self, selector: str, *, xpath: bool = False) -> WebElement:
        by = By.XPATH if xpath else By.CSS_SELECTOR
        return WebDriverWait(self.driver, TIMEOUT).until(ec.presence_of_element_located((by, selector)))

    def all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css: str = "main") -> str:
        return self.find(css).text

    def heading(self) -> str:
        return self.text("h1")

    def nav_links(self) -> list[str]:
        return [a.text for a in self.all("header nav a")]

    def fill(self, fields: dict[str, str], scope: str = "main") -> None:
        for name, value in fields.items():
            element = self.find(f"{scope} [name='{name}']")
            if element.tag_name == "select":
                Select(element).select_by_value(value)
            else:
                element.clear()
                element.send_keys(value)

    def submit(self, button_text: str) -> None:
        buttons = [b for b in self.all("main button[type='submit']") if b.text.strip() == button_text]
        assert buttons, f"no button {button_text!r}"
        self.collect_console()
        old = self.find("html")
        buttons[0].click()
        WebDriverWait(self.driver, TIMEOUT).until(ec.staleness_of(old))
        self.wait_ready()

    def click_link(self, text: str) -> None:
        self.collect_console()
        old = self.find("html")
        self.driver.find_element(By.PARTIAL_LINK_TEXT, text).click()
        WebDriverWait(self.driver, TIMEOUT).until(ec.staleness_of(old))
        self.wait_ready()

    # -- stories -------------------------------------------------------------------------------

    def log_in(self, email: str, password: str) -> None:
        self.open("/login")
        self.fill({"email": email, "password": password})
        self.submit("Log in")

    def change_password(self, current: str, new: str) -> None:
        self.fill({"current_password": current, "new_password": new, "confirm_password": new})
        self.submit("Set password")

    def log_out(self) -> None:
        self.collect_console()
        self.driver.find_element(By.CSS_SELECTOR, "form.logout button").click()
        self.wait_path("/login")

    def create_key(self, name: str) -> str:
        """Create a key on the current keys page; return what the page shows once."""
        self.fill({"name": name, "description": f"{name} key"})
        self.submit("Create key")
        return self.find("#new-key").get_attribute("value") or ""

    def copy_new_key(self) -> str:
        """Press the copy button and read the clipboard back."""
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.driver.current_url))
        self.driver.execute_cdp_cmd(
            "Browser.grantPermissions",
            {"origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
        )
        self.find("button[data-copy='new-key']").click()
        WebDriverWait(self.driver, TIMEOUT).until(lambda d: self.text("[data-copied-for='new-key']") == "Copied")
        copied: str = self.driver.execute_async_script(
            "const done = arguments[0]; navigator.clipboard.readText().then(done, e => done('error: ' + e));"
        )
        return copied

    def click_row_action(self, row_text: str, href_part: str) -> None:
        """Follow the link whose address contains ``href_part`` in the table row naming ``row_text``."""
        xpath = f"//tr[td[contains(normalize-space(), '{row_text}')]]//a[contains(@href, '{href_part}')]"
        self.collect_console()
        old = self.find("html")
        self.driver.find_element(By.XPATH, xpath).click()
        WebDriverWait(self.driver, TIMEOUT).until(ec.staleness_of(old))
        self.wait_ready()

    def revoke_key(self, name: str) -> None:
        self.click_row_action(name, "/revoke")
        assert name in self.heading()
        self.submit(f"Revoke {name}")

    def check_accessibility(self) -> None:
        """axe-core finds no serious or critical violation on the current page."""
        axe = Axe(self.driver)
        axe.inject()
        results = axe.run()
        bad = [
            f"{v['id']} ({v['impact']}): {[(n['target'], n.get('failureSummary', '')) for n in v['nodes']][:2]}"
            for v in results["violations"]
            if v.get("impact") in ("serious", "critical")
        ]
        assert bad == [], f"{self.path}: {bad}"

    def screenshot(self, name: str) -> Path:
        """Save a screenshot of the page, after checking its accessibility."""
        self.check_accessibility()
        return self._capture(name)

    # -- artifacts -----------------------------------------------------------------------------

    def _capture(self, name: str) -> Path:
        path = self.artifacts / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def save_artifacts(self, name: str) -> None:
        self._capture(name)
        (self.artifacts / f"{name}.html").write_text(self.driver.page_source)

    def collect_console(self) -> None:
        """Errors the browser logged; a page answered with a 4xx on purpose (a refused form) is
        not one, any other failed request or script error is."""
        document = self.driver.current_url
        for entry in self.driver.get_log("browser"):  # type: ignore[no-untyped-call]  # untyped in selenium
            message = str(entry.get("message", ""))
            if entry.get("level") != "SEVERE":
                continue
            if entry.get("source") == "network" and message.startswith(f"{document} - Failed to load resource"):
                continue
            self.console_errors.append(f"{self.path}: {message}")
