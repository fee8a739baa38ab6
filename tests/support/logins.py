"""Login flows over HTTP: users created through REST with the admin secret, then logged in with
a password, as a person would."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

from tests.support.constants import AUTH_ENV
from tests.support.http_auth import ADMIN_HEADERS, gql

PASSWORD = "correct-horse-battery"
ACCESS_COOKIE = "phoenix-access-token"
REFRESH_COOKIE = "phoenix-refresh-token"
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
    for name in (ACCESS_COOKIE, REFRESH_COOKIE):
        cookies.set(name, response.cookies[name])
    client.cookies.clear()
    return cookies


def access_token(cookies: httpx.Cookies) -> str:
    """The session's access token, to present as a bearer token."""
    token: str = cookies[ACCESS_COOKIE]
    return token


def change_password(client: TestClient, cookies: httpx.Cookies, current: str, new: str) -> None:
    result = gql(
        client,
        "mutation($i: PatchViewerInput!){patchViewer(input:$i){user{passwordNeedsReset}}}",
        {"i": {"currentPassword": current, "newPassword": new}},
        token=access_token(cookies),
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
    chosen = names or (ACCESS_COOKIE, REFRESH_COOKIE)
    return {"Cookie": "; ".join(f"{n}={cookies[n]}" for n in chosen if n in cookies)}
