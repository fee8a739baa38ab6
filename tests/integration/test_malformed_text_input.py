"""Text no database can store (lone surrogates, NUL, unrepresentable instants) is a 4xx naming the
rule, on every route and on both databases, never a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ClientFactory
from tests.support.http_auth import ADMIN_HEADERS, gql
from tests.support.logins import IDENTITY_ENV

JSON_HEADERS = {**ADMIN_HEADERS, "content-type": "application/json"}
USER = b'"role":"MEMBER","auth_method":"LOCAL"'
# Raw bodies: the JSON escape \ud800 decodes to a lone surrogate (no client library sends one).
LONE_SURROGATE_BODIES: list[tuple[str, bytes, list[Any]]] = [
    ("/v1/projects", b'{"name":"p\\ud800"}', ["body", "name"]),
    ("/v1/projects", b'{"name":"p","description":"\\udfff x"}', ["body", "description"]),
    ("/v1/system/api_keys", b'{"data":{"name":"k\\ud800"}}', ["body", "data", "name"]),
    ("/v1/system/api_keys", b'{"data":{"name":"k","description":"\\ud800"}}', ["body", "data", "description"]),
    ("/v1/users", b'{"user":{"email":"a\\ud800@x.io","username":"u",' + USER + b"}}", ["body", "user", "email"]),
    ("/v1/users", b'{"user":{"email":"a@x.io","username":"u\\ud800",' + USER + b"}}", ["body", "user", "username"]),
    (
        "/v1/users",
        b'{"user":{"email":"a@x.io","username":"u","password":"pw\\ud800pw\\ud800",' + USER + b"}}",
        ["body", "user", "password"],
    ),
    ("/v1/span_notes", b'{"data":{"span_id":"abc","note":"\\ud800"}}', ["body", "data", "note"]),
    ("/auth/login", b'{"email":"a\\ud800@x.io","password":"x"}', ["body", "email"]),
    ("/graphql", b'{"query":"{ __typename }","variables":{"a":["ok","\\udc00"]}}', ["body", "variables", "a", 1]),
]
OUT_OF_RANGE = ["9999-12-31T23:59:59.999999-23:59", "0001-01-01T00:00:00+14:00"]


@pytest.fixture
def admin_client(make_client: ClientFactory) -> TestClient:
    return make_client(IDENTITY_ENV)


@pytest.mark.parametrize(("path", "body", "location"), LONE_SURROGATE_BODIES)
def test_a_lone_surrogate_is_422_naming_the_field(
    admin_client: TestClient, path: str, body: bytes, location: list[Any]
) -> None:
    response = admin_client.post(path, content=body, headers=JSON_HEADERS)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == location
    assert "unpaired surrogate" in error["msg"]


def test_surrogate_pairs_are_ordinary_text(admin_client: TestClient) -> None:
    response = admin_client.post("/v1/projects", content=b'{"name":"p\\ud83d\\ude00"}', headers=JSON_HEADERS)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["name"] == "p\N{GRINNING FACE}"


def test_invalid_utf8_json_is_400(admin_client: TestClient) -> None:
    for path in ("/graphql", "/v1/projects", "/auth/login"):
        response = admin_client.post(path, content=b'{"name":"\xff"}', headers=JSON_HEADERS)
        assert response.status_code == 400, (path, response.text)
        assert "not valid UTF-8" in response.text


@pytest.mark.parametrize("expires_at", OUT_OF_RANGE)
def test_an_expiry_outside_utc_is_422_on_rest_and_an_error_on_graphql(
    admin_client: TestClient, expires_at: str
) -> None:
    body = {"data": {"name": "k", "expires_at": expires_at}}
    response = admin_client.post("/v1/system/api_keys", json=body, headers=ADMIN_HEADERS)
    assert response.status_code == 422, response.text
    assert "out of range" in response.text
    result = gql(
        admin_client,
        "mutation($i: CreateApiKeyInput!){createSystemApiKey(input:$i){jwt}}",
        {"i": {"name": "k", "expiresAt": expires_at}},
        headers=ADMIN_HEADERS,
    )
    assert result["errors"][0]["message"] == "Expiration time is out of range once converted to UTC"


def test_nul_in_a_key_name_or_description_is_422(admin_client: TestClient) -> None:
    for data in ({"name": "k\x00"}, {"name": "k", "description": "d\x00"}):
        response = admin_client.post("/v1/system/api_keys", json={"data": data}, headers=ADMIN_HEADERS)
        assert (response.status_code, response.text) == (422, "Name and description must not contain NUL characters")
    result = gql(
        admin_client,
        "mutation($i: CreateApiKeyInput!){createSystemApiKey(input:$i){jwt}}",
        {"i": {"name": "k", "description": "\x00"}},
        headers=ADMIN_HEADERS,
    )
    assert result["errors"][0]["message"] == "Name and description must not contain NUL characters"
    listed = admin_client.get("/v1/system/api_keys", headers=ADMIN_HEADERS)
    assert listed.status_code == 200
    assert listed.json()["data"] == []
