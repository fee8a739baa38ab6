"""Who may mint which key, on both surfaces (REST and GraphQL), for every kind of principal."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ClientFactory
from tests.integration.api_keys.helpers import CREATE_USER
from tests.support.actors import make_actor
from tests.support.constants import ADMIN_SECRET, AUTH_ENV
from tests.support.http_auth import CREATE_SYSTEM, bearer, gql, gql_error, mint_system_key

NOT_ADMIN = (403, "Only admin or system users can perform this action.", "Only admin can perform this action")
VIEWER = (403, "Viewers cannot perform this action.", "Viewers cannot perform this action")
NO_MINT = (403, "API keys cannot create API keys", "API keys cannot create API keys")
OK_SYSTEM = (201, None, None)
OK_USER = (201, None, None)

Credential = Callable[[TestClient], str]


def _admin_secret(client: TestClient) -> str:
    return ADMIN_SECRET


def _session(role: str) -> Credential:
    return lambda client: make_actor(client, role).token


def _user_key(role: str) -> Credential:
    def build(client: TestClient) -> str:
        return make_actor(client, role, via="key").token

    return build


def _system_key(client: TestClient) -> str:
    return mint_system_key(client, ADMIN_SECRET).token


CASES: list[tuple[str, Credential, tuple[int, str | None, str | None], tuple[int, str | None, str | None]]] = [
    ("admin secret", _admin_secret, OK_SYSTEM, NO_MINT),
    ("admin session", _session("ADMIN"), OK_SYSTEM, OK_USER),
    ("member session", _session("MEMBER"), NOT_ADMIN, OK_USER),
    ("viewer session", _session("VIEWER"), VIEWER, OK_USER),
    ("system key", _system_key, NOT_ADMIN, NO_MINT),
    ("admin user key", _user_key("ADMIN"), NO_MINT, NO_MINT),
    ("member user key", _user_key("MEMBER"), NOT_ADMIN, NO_MINT),
    ("viewer user key", _user_key("VIEWER"), VIEWER, NO_MINT),
]


@pytest.mark.parametrize(("label", "credential", "system", "user"), CASES, ids=[c[0] for c in CASES])
def test_key_minting_by_principal_kind(
    make_client: ClientFactory,
    label: str,
    credential: Credential,
    system: tuple[int, str | None, str | None],
    user: tuple[int, str | None, str | None],
) -> None:
    client = make_client(AUTH_ENV)
    token = credential(client)
    for path, query, root, (status, rest_text, gql_text) in (
        ("/v1/system/api_keys", CREATE_SYSTEM, "createSystemApiKey", system),
        ("/v1/user/api_keys", CREATE_USER, "createUserApiKey", user),
    ):
        response = client.post(path, json={"data": {"name": f"{label} key"}}, headers=bearer(token))
        assert response.status_code == status, (path, response.text)
        body = gql(client, query, {"input": {"name": f"{label} key"}}, token=token)
        if status == 201:
            assert response.json()["data"]["key"].startswith("pwsk_" if "system" in path else "pwuk_")
            assert gql_error(body) is None, body
            assert body["data"][root]["jwt"]
        else:
            assert response.text == rest_text
            assert gql_error(body) == gql_text
            assert body["data"] is None


def test_no_credential_cannot_reach_key_routes(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    for method, path in (
        ("GET", "/v1/system/api_keys"),
        ("POST", "/v1/system/api_keys"),
        ("DELETE", "/v1/system/api_keys/U3lzdGVtQXBpS2V5OjE="),
        ("GET", "/v1/user/api_keys"),
        ("POST", "/v1/user/api_keys"),
        ("DELETE", "/v1/user/api_keys/VXNlckFwaUtleTox"),
        ("GET", "/v1/users/api_keys"),
    ):
        response = client.request(method, path, json={"data": {"name": "x"}})
        assert (response.status_code, response.text) == (401, "Invalid token"), path


def test_must_reset_password_session_cannot_mint(make_client: ClientFactory) -> None:
    """The default admin still on its initial password may not mint keys (server-enforced)."""
    client = make_client(AUTH_ENV)
    admin = make_actor(client, "ADMIN", reset_password=True)
    response = client.post("/v1/system/api_keys", json={"data": {"name": "x"}}, headers=admin.headers)
    assert response.status_code == 403
    assert "Password reset required" in response.text
    body = gql(client, CREATE_SYSTEM, {"input": {"name": "x"}}, token=admin.token)
    assert "Password reset required" in (gql_error(body) or "")
