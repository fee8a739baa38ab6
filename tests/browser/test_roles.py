"""Roles in the browser: an admin adds a member and a viewer on the users page; the viewer sees
neither system keys nor users, the member sees only their own keys."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser.pages import Web
from tests.support.constants import SECRET
from tests.support.server import ServerProcess

ADMIN_PASSWORD = "Admin-Password-42"
AUTH_ON = {"PHOENIX_ENABLE_AUTH": "true", "PHOENIX_SECRET": SECRET}

pytestmark = pytest.mark.browser


def _first_login(web: Web, email: str, initial: str, new: str) -> None:
    web.log_in(email, initial)
    web.wait_path("/reset-password")
    web.change_password(initial, new)
    web.wait_path("/projects")


def _add_user(web: Web, email: str, username: str, role: str) -> None:
    web.open("/settings/users")
    web.fill(
        {"email": email, "username": username, "role": role, "password": "Initial-Pass-1"},
        scope="section[aria-labelledby='new-user']",
    )
    web.submit("Add user")
    assert "must choose a new password" in web.text(".notice")
    row = web.find(f"//tr[td[contains(., '{email}')]]//select[@name='role']", xpath=True)
    assert row.get_attribute("value") == role


def test_viewer_and_member_see_only_what_the_policy_allows(
    start_server: Callable[..., ServerProcess], web: Web
) -> None:
    server = start_server(AUTH_ON)
    web.use(server.url)
    _first_login(web, "admin@localhost", "admin", ADMIN_PASSWORD)
    # No admin secret configured: no banner.
    assert web.all(".banner") == []
    _add_user(web, "member@example.com", "member", "MEMBER")
    _add_user(web, "viewer@example.com", "viewer", "VIEWER")
    users_table = web.text("table")
    assert "member@example.com" in users_table and "viewer@example.com" in users_table
    web.screenshot("users")
    web.open("/profile")
    web.create_key("admin-own")
    web.log_out()

    _first_login(web, "viewer@example.com", "Initial-Pass-1", "Viewer-Pass-77")
    assert web.nav_links() == ["Projects", "Datasets", "Prompts", "Annotations", "Profile"]
    # Viewers cannot write: no form to create a project.
    assert "New project" not in web.text("main")
    web.open("/settings/api-keys")
    assert web.heading() == "Not allowed"
    assert "Only admin" in web.text("main")
    web.screenshot("forbidden")
    web.open("/settings/users")
    assert web.heading() == "Not allowed"
    web.open("/settings/annotations")
    assert web.heading() == "Annotation configs" and not web.all("form[action$='/settings/annotations']")
    web.log_out()

    _first_login(web, "member@example.com", "Initial-Pass-1", "Member-Pass-77")
    assert web.nav_links() == ["Projects", "Datasets", "Prompts", "Annotations", "Profile"]
    assert "New project" in web.text("main")
    web.open("/profile")
    assert "No keys yet." in web.text("main")
    web.create_key("member-own")
    web.open("/profile")
    keys = web.text("table")
    assert "member-own" in keys and "admin-own" not in keys
    web.screenshot("profile")
    web.open("/settings/api-keys")
    assert web.heading() == "Not allowed"
