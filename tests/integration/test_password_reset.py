"""Password reset by mail through a real loopback SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import ClientFactory
from tests.support.http_auth import ADMIN_HEADERS, bearer, gql
from tests.support.logins import IDENTITY_ENV, PASSWORD, access_token, create_user, login
from tests.support.smtp import Mailbox, reset_link, smtp_server

ROOT_URL = "https://px.example.com/pw"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, dict[str, str]]]:
    with smtp_server() as server:
        yield server


def _token(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def test_reset_mail_link_comes_from_root_url_and_sets_a_new_password(
    make_client: ClientFactory, smtp: tuple[Mailbox, dict[str, str]]
) -> None:
    mailbox, smtp_env = smtp
    client = make_client({**IDENTITY_ENV, **smtp_env, "PHOENIX_ROOT_URL": ROOT_URL})
    create_user(client, "carol@example.com", "MEMBER")
    old_session = login(client, "carol@example.com")
    # A forged Host/Referer must not steer the link anywhere else.
    response = client.post(
        "/auth/password-reset-email",
        json={"email": "Carol@Example.com"},
        headers={"Referer": "https://evil.example.net/x", "Host": "evil.example.net"},
    )
    assert response.status_code == 204
    (message,) = mailbox.wait_for(1)
    assert mailbox.logins == ["mailer"]
    assert message["To"] == "carol@example.com"
    link = reset_link(message)
    assert link.startswith(f"{ROOT_URL}/reset-password-with-token?token=")
    token = _token(link)
    # Asking for a reset does not change the password; the reset token is not a bearer credential.
    assert login(client, "carol@example.com")
    assert client.get("/v1/user", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    weak = client.post("/auth/password-reset", json={"token": token, "password": "a b"})
    assert (weak.status_code, weak.text) == (422, "Password must not contain whitespace characters")
    done = client.post("/auth/password-reset", json={"token": token, "password": "brand-new-pass"})
    assert done.status_code == 204
    assert client.get("/v1/user", headers=bearer(access_token(old_session))).status_code == 401
    assert client.post("/auth/login", json={"email": "carol@example.com", "password": PASSWORD}).status_code == 401
    fresh = login(client, "carol@example.com", "brand-new-pass")
    viewer = gql(client, "{viewer{passwordNeedsReset}}", token=access_token(fresh))
    assert viewer["data"]["viewer"]["passwordNeedsReset"] is False
    # Single use.
    again = client.post("/auth/password-reset", json={"token": token, "password": "another-pass"})
    assert (again.status_code, again.text) == (401, "Invalid token")


def test_only_the_latest_reset_token_works_and_unknown_emails_get_no_mail(
    make_client: ClientFactory, smtp: tuple[Mailbox, dict[str, str]]
) -> None:
    mailbox, smtp_env = smtp
    client = make_client({**IDENTITY_ENV, **smtp_env})
    create_user(client, "dave@example.com", "VIEWER")
    assert client.post("/auth/password-reset-email", json={"email": "nobody@example.com"}).status_code == 204
    assert client.post("/auth/password-reset-email", json={"email": "dave@example.com"}).status_code == 204
    assert client.post("/auth/password-reset-email", json={"email": "dave@example.com"}).status_code == 204
    first, second = mailbox.wait_for(2)
    assert len(mailbox.messages) == 2
    assert all(m["To"] == "dave@example.com" for m in mailbox.messages)
    stale = client.post("/auth/password-reset", json={"token": _token(reset_link(first)), "password": "pw-number-1"})
    assert stale.status_code == 401
    fresh = client.post("/auth/password-reset", json={"token": _token(reset_link(second)), "password": "pw-number-2"})
    assert fresh.status_code == 204


def test_deleted_users_reset_tokens_stop_working(
    make_client: ClientFactory, smtp: tuple[Mailbox, dict[str, str]]
) -> None:
    mailbox, smtp_env = smtp
    client = make_client({**IDENTITY_ENV, **smtp_env})
    user = create_user(client, "erin@example.com", "MEMBER")
    assert client.post("/auth/password-reset-email", json={"email": "erin@example.com"}).status_code == 204
    (message,) = mailbox.wait_for(1)
    assert client.delete(f"/v1/users/{user['id']}", headers=ADMIN_HEADERS).status_code == 204
    response = client.post("/auth/password-reset", json={"token": _token(reset_link(message)), "password": "pw-x-123"})
    assert response.status_code == 401


def test_reset_requests_need_an_email_and_a_mail_server(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    missing = client.post("/auth/password-reset-email", json={})
    assert (missing.status_code, missing.text) == (422, "Email required")
    no_smtp = client.post("/auth/password-reset-email", json={"email": "admin@localhost"})
    assert (no_smtp.status_code, no_smtp.text) == (503, "SMTP server not configured")
    no_password = client.post("/auth/password-reset", json={"token": "x"})
    assert (no_password.status_code, no_password.text) == (422, "Password required")
    bad_token = client.post("/auth/password-reset", json={"token": "not-a-token", "password": "pw-123456"})
    assert (bad_token.status_code, bad_token.text) == (401, "Invalid token")
