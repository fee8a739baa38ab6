"""Helpers for identity tests: users, logins and GraphQL calls over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

from tests.support.constants import ADMIN_SECRET, AUTH_ENV

ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN_SECRET}"}
PASSWORD = "correct-horse-battery"
# Auth on, with the per-IP /auth rate limit off so tests can log in as often as they need.
IDENTITY_ENV = {**AUTH_ENV, "PHOENIX_DISABLE_RATE_LIMIT": "true"}


def create_user(client: TestClient, email: str, role: str, *, username: str | None = None) -> dict[str, Any]:
    """Create a user through REST with the admin secret; it must reset its password."""
    body = {
        "user": {
            "email": email,
            "username": username or email.split("@")[0],
            "role": role,
            "auth_method": "LOCAL",
            "password": PASSWORD,
        }
    }
    response = client.post("/v1/users", json=body, headers=ADMIN_HEADERS)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def login(client: TestClient, email: str, password: str = PASSWORD) -> httpx.Cookies:
    """Log in and return the session cookies (without storing them on the client)."""
    response = client.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 204, response.text
    cookies = httpx.Cookies()
    for name in ("phoenix-access-token", "phoenix-refresh-token"):
        cookies.set(name, response.cookies[name])
    client.cookies.clear()
    return cookies


def change_password(client: TestClient, cookies: httpx.Cookies, current: str, new: str) -> None:
    result = gql(
        client,
        "mutation($i: PatchViewerInput!){patchViewer(input:$i){user{passwordNeedsReset}}}",
        {"i": {"currentPassword": current, "newPassword": new}},
        cookies=cookies,
    )
    assert "errors" not in result, result
    client.cookies.clear()


def member_session(client: TestClient, email: str, role: str) -> httpx.Cookies:
    """A ready session of a new user whose first password change is done."""
    create_user(client, email, role)
    cookies = login(client, email)
    change_password(client, cookies, PASSWORD, PASSWORD + "2")
    return login(client, email, PASSWORD + "2")


def cookie_headers(cookies: httpx.Cookies, *names: str) -> dict[str, str]:
    """A ``Cookie`` header carrying the named session cookies (all of them by default)."""
    chosen = names or ("phoenix-access-token", "phoenix-refresh-token")
    return {"Cookie": "; ".join(f"{n}={cookies[n]}" for n in chosen if n in cookies)}


def bearer(cookies: httpx.Cookies) -> dict[str, str]:
    return {"Authorization": f"Bearer {cookies['phoenix-access-token']}"}


def gql(
    client: TestClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
    cookies: httpx.Cookies | None = None,
) -> dict[str, Any]:
    if cookies is not None:
        headers = {**(headers or {}), **bearer(cookies)}
    response = client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result
