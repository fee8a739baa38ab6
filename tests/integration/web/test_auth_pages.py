"""Login, lockout, CSRF, the forced password change, and password reset by mail, as pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import ClientFactory
from tests.integration.web.support import csrf_of, log_in, post_form
from tests.support.constants import AUTH_ENV
from tests.support.smtp import Mailbox, reset_link, smtp_server

pytestmark = pytest.mark.parametrize("dialect", ["sqlite"])
AUTH = {**AUTH_ENV, "PHOENIX_DISABLE_RATE_LIMIT": "true"}


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, dict[str, str]]]:
    with smtp_server() as server:
        yield server


def test_wrong_password_then_lockout_names_the_wait(make_client: ClientFactory) -> None:
    client = make_client({**AUTH, "PHOENIX_BRUTE_FORCE_LOGIN_PROTECTION_MAX_ATTEMPTS": "3"})
    for _ in range(3):
        refused = log_in(client, "admin@localhost", "not-the-password")
        assert refused.status_code == 401
        assert "Invalid email and/or password" in refused.text
    locked = log_in(client, "admin@localhost", "admin")
    assert locked.status_code == 429
    assert "Too many failed attempts. Try again in 5 minutes." in locked.text
    assert int(locked.headers["retry-after"]) > 240
    assert "phoenix-access-token" not in locked.headers.get("set-cookie", "")


def test_forms_without_this_browsers_token_are_refused(make_client: ClientFactory) -> None:
    client = make_client(AUTH)
    missing = client.post("/login", data={"email": "admin@localhost", "password": "admin"})
    assert missing.status_code == 403
    assert "did not come from this site" in missing.text
    csrf_of(client)
    forged = client.post("/login", data={"csrf_token": "x" * 43, "email": "admin@localhost", "password": "admin"})
    assert forged.status_code == 403
    assert "phoenix-access-token" not in client.cookies


def test_first_login_must_change_the_password_before_anything_else(make_client: ClientFactory) -> None:
    client = make_client(AUTH)
    assert log_in(client, "admin@localhost", "admin").headers["location"] == "/projects"
    held = client.get("/projects", follow_redirects=False)
    assert (held.status_code, held.headers["location"]) == (303, "/reset-password")
    mismatch = post_form(
        client,
        "/reset-password",
        {"current_password": "admin", "new_password": "Fresh-Pass-123", "confirm_password": "other"},
        token_from="/reset-password",
    )
    assert mismatch.status_code == 422 and "do not match" in mismatch.text
    changed = post_form(
        client,
        "/reset-password",
        {"current_password": "admin", "new_password": "Fresh-Pass-123", "confirm_password": "Fresh-Pass-123"},
        token_from="/reset-password",
    )
    assert changed.headers["location"] == "/projects?notice=password-changed"
    assert client.get("/projects").status_code == 200
    logged_out = post_form(client, "/logout", {}, token_from="/projects")
    assert logged_out.headers["location"] == "/login?notice=logged-out"
    assert client.get("/projects", follow_redirects=False).headers["location"] == "/login?next=%2Fprojects"


def test_mailed_link_lands_on_the_reset_page_and_sets_the_password(
    make_client: ClientFactory, smtp: tuple[Mailbox, dict[str, str]]
) -> None:
    mailbox, smtp_env = smtp
    client = make_client({**AUTH, **smtp_env})
    sent = post_form(client, "/forgot-password", {"email": "admin@localhost"}, token_from="/forgot-password")
    assert sent.status_code == 200 and "on its way" in sent.text
    unknown = post_form(client, "/forgot-password", {"email": "nobody@example.com"}, token_from="/forgot-password")
    assert unknown.text == sent.text
    link = reset_link(mailbox.wait_for(1)[0])
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert path.startswith("reset-password-with-token?token=")
    page = client.get("/" + path)
    assert page.status_code == 200 and "Reset your password" in page.text
    token = path.split("token=", 1)[1]
    done = post_form(
        client,
        "/reset-password-with-token",
        {"token": token, "new_password": "Mailed-Pass-42", "confirm_password": "Mailed-Pass-42"},
        token_from="/" + path,
    )
    assert done.headers["location"] == "/login?notice=password-reset"
    again = post_form(
        client,
        "/reset-password-with-token",
        {"token": token, "new_password": "Other-Pass-42", "confirm_password": "Other-Pass-42"},
        token_from="/" + path,
    )
    assert again.status_code == 422 and "invalid or has expired" in again.text
    assert log_in(client, "admin@localhost", "Mailed-Pass-42").headers["location"] == "/projects"


def test_without_mail_the_forgot_page_says_to_ask_an_admin(make_client: ClientFactory) -> None:
    client = make_client(AUTH)
    assert "Ask an administrator" in client.get("/forgot-password").text


def test_with_auth_off_pages_need_no_login(make_client: ClientFactory) -> None:
    client = make_client()
    assert client.get("/", follow_redirects=False).headers["location"] == "/projects"
    assert client.get("/login", follow_redirects=False).headers["location"] == "/projects"
    assert client.get("/projects").status_code == 200
    for path in ("/settings/api-keys", "/settings/users", "/profile"):
        page = client.get(path)
        assert page.status_code == 200 and "Authentication is off" in page.text


def test_error_pages_speak_to_people_and_apis_keep_plain_text(make_client: ClientFactory) -> None:
    client = make_client(AUTH)
    page = client.get("/no/such/page", headers={"accept": "text/html"})
    assert page.status_code == 404 and "There is no page at this address." in page.text
    assert "Traceback" not in page.text
    malformed = client.get("/settings/users/not-a-number/delete")
    assert malformed.status_code == 404 and "There is no page at this address." in malformed.text
    api = client.get("/v1/no/such/thing", headers={"accept": "text/html"})
    assert api.status_code in (401, 404) and "<html" not in api.text


def test_pages_work_under_a_host_root_path(make_client: ClientFactory) -> None:
    client = make_client({**AUTH, "PHOENIX_HOST_ROOT_PATH": "/phoenix"}, root_path="/phoenix")
    page = client.get("/phoenix/login")
    assert page.status_code == 200
    assert 'href="/phoenix/static/app.css' in page.text and 'action="/phoenix/login"' in page.text
    assert client.get("/phoenix/static/app.css").status_code == 200
    token = csrf_of(client, "/phoenix/login")
    redirect = client.post(
        "/phoenix/login",
        data={"csrf_token": token, "email": "admin@localhost", "password": "admin", "next": "/projects"},
        follow_redirects=False,
    )
    assert redirect.headers["location"] == "/phoenix/projects"
