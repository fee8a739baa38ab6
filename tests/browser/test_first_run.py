"""The operator's first run, in a browser: the default admin logs in, must change the
password, creates a system key, copies it, uses it over REST, revokes it, and it is refused."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.browser.pages import Web
from tests.support.constants import AUTH_ENV
from tests.support.server import ServerProcess

NEW_PASSWORD = "Correct-Horse-9-Battery"

pytestmark = pytest.mark.browser


def test_operator_first_run(start_server: Callable[..., ServerProcess], web: Web) -> None:
    server = start_server(AUTH_ENV)
    web.use(server.url).open("/")
    assert web.path.startswith("/login")
    web.screenshot("login")

    web.fill({"email": "admin@localhost", "password": "wrong-password"})
    web.submit("Log in")
    assert "Invalid email and/or password" in web.text("[role='alert']")

    web.fill({"email": "admin@localhost", "password": "admin"})
    web.submit("Log in")
    web.wait_path("/reset-password")
    assert web.heading() == "Choose a new password"
    web.screenshot("forced-password-change")
    web.change_password("admin", NEW_PASSWORD)
    web.wait_path("/projects")
    assert "Your password is changed." in web.text(".notice")
    # The admin secret is configured: admins are told to retire it.
    assert "PHOENIX_ADMIN_SECRET" in web.text(".banner")

    web.open("/settings/api-keys")
    assert web.heading() == "System API keys"
    shown = web.create_key("ci-exporter")
    assert "will not be shown again" in web.text(".minted")
    copied = web.copy_new_key()
    assert copied == shown and copied.startswith("pw")
    web.screenshot("api-keys-created")

    headers = {"Authorization": f"Bearer {copied}"}
    assert httpx.get(f"{server.url}/v1/projects", headers=headers).status_code == 200
    # Reloading the page does not show the key again.
    web.open("/settings/api-keys")
    assert copied not in web.driver.page_source
    assert "ci-exporter" in web.text("table")

    web.revoke_key("ci-exporter")
    assert "The key is revoked" in web.text(".notice")
    assert "ci-exporter" not in web.text("main")
    assert httpx.get(f"{server.url}/v1/projects", headers=headers).status_code == 401

    web.log_out()
    web.open("/settings/api-keys")
    assert web.path.startswith("/login?next=%2Fsettings%2Fapi-keys")
