"""Start-up provisioning of the system user, the default admin and PHOENIX_ADMINS."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import ClientFactory
from tests.support.http_auth import ADMIN_HEADERS
from tests.support.logins import IDENTITY_ENV


def test_declared_admins_are_created_once_with_unusable_passwords_and_collisions_are_logged(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    env = {**IDENTITY_ENV, "PHOENIX_ADMINS": "alice=Alice@Example.com;admin=other@example.com"}
    with caplog.at_level(logging.INFO, logger="pyrewatch.services.provisioning"):
        client = make_client(env)
    assert "username 'admin' is already taken by admin@localhost; other@example.com was not created" in caplog.text
    users = client.get("/v1/users", headers=ADMIN_HEADERS).json()["data"]
    by_email = {u["email"]: u for u in users}
    assert set(by_email) == {"system@localhost", "admin@localhost", "alice@example.com"}
    assert (by_email["alice@example.com"]["role"], by_email["alice@example.com"]["password_needs_reset"]) == (
        "ADMIN",
        True,
    )
    assert [by_email[e]["id"] for e in ("system@localhost", "admin@localhost")] == ["VXNlcjox", "VXNlcjoy"]
    # No password works for a declared admin until a reset sets one.
    for guess in ("", "admin", "alice", "Alice@Example.com"):
        assert client.post("/auth/login", json={"email": "alice@example.com", "password": guess}).status_code == 401
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="pyrewatch.services.provisioning"):
        again = make_client(env)
    assert "alice@example.com already exists; left unchanged" in caplog.text
    assert len(again.get("/v1/users", headers=ADMIN_HEADERS).json()["data"]) == 3


def test_default_admin_password_comes_from_the_environment(make_client: ClientFactory) -> None:
    client = make_client({**IDENTITY_ENV, "PHOENIX_DEFAULT_ADMIN_INITIAL_PASSWORD": "first-pass-9"})
    assert client.post("/auth/login", json={"email": "admin@localhost", "password": "admin"}).status_code == 401
    assert client.post("/auth/login", json={"email": "admin@localhost", "password": "first-pass-9"}).status_code == 204
