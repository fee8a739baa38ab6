from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import ClientFactory
from tests.support.constants import AUTH_ENV


def test_probes_answer_without_credentials(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    assert client.get("/healthz").text == "OK"
    ready = client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {})
    version = client.get("/arize_phoenix_version")
    assert version.headers["content-type"].startswith("text/plain")
    major, minor, patch = (int(p) for p in version.text.split("."))
    assert (major, minor) >= (20, 8)


def test_security_headers_are_set(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-phoenix-server-version"]
    assert len(response.headers["x-request-id"]) == 16


def test_protected_routes_need_a_credential_when_auth_is_on(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    response = client.get("/v1/projects")
    assert response.status_code == 401
    assert response.text == "Invalid token"
    assert response.headers["www-authenticate"] == (
        'Bearer realm="Arize Phoenix", resource_metadata="http://testserver/.well-known/oauth-protected-resource"'
    )


def test_a_presented_invalid_credential_is_refused_on_public_paths_too(make_client: ClientFactory) -> None:
    """Never a silent downgrade to anonymous: a bad header is a 401 wherever it is sent."""
    client = make_client(AUTH_ENV)
    revoked_shape = "pwsk_" + "A" * 60
    for header in (f"Bearer {revoked_shape}", "Bearer not-a-token", "Basic YTpi"):
        for path in ("/healthz", "/readyz", "/.well-known/oauth-protected-resource", "/auth/logout"):
            response = client.request(
                "POST" if path.startswith("/auth") else "GET", path, headers={"Authorization": header}
            )
            assert response.status_code == 401, (header, path)
    # A stale session cookie is what a browser keeps after its session ends: public paths ignore
    # it (the login and refresh routes exist to replace it); protected ones refuse it.
    client.cookies.set("phoenix-access-token", "stale.jwt.value")
    assert client.get("/healthz").status_code == 200
    assert client.post("/auth/refresh").text == "Missing refresh token"
    assert client.post("/auth/logout").status_code == 204
    assert client.get("/v1/projects").status_code == 401
