"""CSRF origin checks for cookie sessions, and the public discovery documents."""

from __future__ import annotations

from tests.conftest import ClientFactory
from tests.support.http_auth import bearer
from tests.support.logins import IDENTITY_ENV, access_token, cookie_headers, login

TRUSTED = {**IDENTITY_ENV, "PHOENIX_CSRF_TRUSTED_ORIGINS": "https://px.example.com,http://localhost:6006"}
VIEWER_QUERY = {"query": "{viewer{email}}"}


def test_cookie_requests_from_untrusted_origins_are_refused(make_client: ClientFactory) -> None:
    client = make_client(TRUSTED)
    cookies = login(client, "admin@localhost", "admin")
    session = cookie_headers(cookies, "phoenix-access-token")
    cases = [
        ({"Origin": "https://px.example.com"}, 200, None),
        ({"Origin": "HTTPS://PX.example.com:443"}, 200, None),
        ({"Origin": "http://localhost:6006"}, 200, None),
        ({"Origin": "https://evil.example.net"}, 401, "untrusted origin"),
        # Same host, other scheme or port: Phoenix compares hostnames only; Pyrewatch the full origin.
        ({"Origin": "http://px.example.com"}, 401, "untrusted origin"),
        ({"Origin": "http://localhost:7007"}, 401, "untrusted origin"),
        ({"Origin": "null"}, 401, "untrusted origin"),
        ({"Referer": "https://evil.example.net/page"}, 401, "untrusted referer"),
        ({"Referer": "https://px.example.com/projects"}, 200, None),
        ({}, 200, None),
    ]
    for extra, status, text in cases:
        response = client.post("/graphql", json=VIEWER_QUERY, headers={**session, **extra})
        assert response.status_code == status, extra
        if text is not None:
            assert response.text == text
    # A bearer request cannot be forged by another site and is not checked.
    forged_origin = {"Origin": "https://evil.example.net"}
    assert (
        client.post(
            "/graphql", json=VIEWER_QUERY, headers={**bearer(access_token(cookies)), **forged_origin}
        ).status_code
        == 200
    )
    # Safe methods are not checked; /auth/* is, even without cookies.
    assert client.get("/v1/user", headers={**session, **forged_origin}).status_code == 200
    login_attempt = client.post(
        "/auth/login", json={"email": "admin@localhost", "password": "admin"}, headers=forged_origin
    )
    assert (login_attempt.status_code, login_attempt.text) == (401, "untrusted origin")


def test_without_trusted_origins_no_origin_check_applies(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    cookies = login(client, "admin@localhost", "admin")
    headers = {**cookie_headers(cookies, "phoenix-access-token"), "Origin": "https://elsewhere.example"}
    assert client.post("/graphql", json=VIEWER_QUERY, headers=headers).status_code == 200


def test_discovery_documents_use_the_public_origin(make_client: ClientFactory) -> None:
    client = make_client({**IDENTITY_ENV, "PHOENIX_ROOT_URL": "https://px.example.com/phoenix"})
    metadata = client.get("/.well-known/oauth-protected-resource")
    assert metadata.json() == {
        "resource": "https://px.example.com/phoenix",
        "resource_name": "Arize Phoenix",
        "authorization_servers": [],
        "bearer_methods_supported": ["header"],
        "resource_documentation": "https://px.example.com/phoenix/auth.md",
    }
    doc = client.get("/auth.md")
    assert doc.headers["content-type"] == "text/markdown; charset=utf-8"
    assert doc.text.startswith("# auth.md")
    for needle in (
        "Authorization: Bearer",
        "https://px.example.com/phoenix/.well-known/oauth-protected-resource",
        "https://px.example.com/phoenix/auth/login",
        "phoenix-access-token",
        "phoenix-refresh-token",
    ):
        assert needle in doc.text
    assert client.head("/auth.md").status_code == 200
    unauthorized = client.get("/v1/user")
    assert unauthorized.headers["www-authenticate"] == (
        'Bearer realm="Arize Phoenix", resource_metadata="https://px.example.com/phoenix/.well-known/oauth-protected-resource"'
    )


def test_auth_md_says_when_there_is_no_authentication(make_client: ClientFactory) -> None:
    client = make_client()
    doc = client.get("/auth.md").text
    assert "without authentication" in doc
    assert "http://testserver/.well-known/oauth-protected-resource" in doc
    assert "www-authenticate" not in client.get("/v1/user").headers
