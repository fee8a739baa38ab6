"""The provisioning scenario through GraphQL, exactly as an operator's script sends it."""

from __future__ import annotations

import re
from datetime import datetime

from fastapi.testclient import TestClient

from pyrewatch.auth.api_keys import KEY_PATTERN
from tests.conftest import ClientFactory
from tests.support.constants import ADMIN_SECRET, AUTH_ENV
from tests.support.http_auth import bearer, gql, gql_error

SEED = """ mutation { createSystemApiKey(input: { name: "system-api-key"}) { jwt apiKey { name description createdAt expiresAt } } } """


def test_admin_secret_mints_a_system_key_with_phoenix_shape(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    response = client.post(
        "/graphql", json={"query": SEED}, headers={**bearer(ADMIN_SECRET), "Content-Type": "application/json"}
    )
    assert response.status_code == 200
    body = response.json()
    payload = body["data"]["createSystemApiKey"]
    assert set(body) == {"data"}
    assert payload["apiKey"]["name"] == "system-api-key"
    assert payload["apiKey"]["description"] is None
    assert payload["apiKey"]["expiresAt"] is None
    created = datetime.fromisoformat(payload["apiKey"]["createdAt"])
    assert created.utcoffset() is not None
    assert re.fullmatch(KEY_PATTERN.replace(r"\b", ""), payload["jwt"])
    assert payload["jwt"].startswith("pwsk_")


def test_minted_key_authenticates_graphql_and_rest_as_the_system_user(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    key = gql(client, SEED, token=ADMIN_SECRET)["data"]["createSystemApiKey"]["jwt"]
    viewer = gql(client, "{ viewer { username role { name } } }", token=key)
    assert viewer["data"]["viewer"] == {"username": "system", "role": {"name": "SYSTEM"}}
    assert client.get("/v1/user/api_keys", headers=bearer(key)).json() == {"data": []}
    # Lowercase scheme works too.
    assert client.get("/v1/user/api_keys", headers={"Authorization": f"bearer {key}"}).status_code == 200


def test_graphql_without_or_with_a_bad_credential_is_http_401(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    for headers in ({}, bearer("nope"), bearer(ADMIN_SECRET + "x"), {"Authorization": f"Basic {ADMIN_SECRET}"}):
        response = client.post("/graphql", json={"query": SEED}, headers=headers)
        assert response.status_code == 401
        assert response.text == "Invalid token"
        assert response.headers["www-authenticate"].startswith('Bearer realm="Arize Phoenix"')


def test_api_key_cannot_mint_any_key(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    key = gql(client, SEED, token=ADMIN_SECRET)["data"]["createSystemApiKey"]["jwt"]
    body = gql(client, SEED, token=key)
    assert body["data"] is None
    assert gql_error(body) == "Only admin can perform this action"
    body = gql(client, 'mutation { createUserApiKey(input: {name: "x"}) { jwt } }', token=key)
    assert gql_error(body) == "API keys cannot create API keys"


def test_graphql_refuses_blank_names_and_past_expiry(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    query = "mutation($i: CreateApiKeyInput!) { createSystemApiKey(input: $i) { jwt } }"
    blank = gql(client, query, {"i": {"name": "   "}}, token=ADMIN_SECRET)
    assert gql_error(blank) == "Name cannot be empty"
    past = gql(client, query, {"i": {"name": "x", "expiresAt": "2000-01-01T00:00:00Z"}}, token=ADMIN_SECRET)
    assert gql_error(past) == "Expiration time must be in the future"
    assert gql(client, "{ systemApiKeys { id } }", token=ADMIN_SECRET)["data"]["systemApiKeys"] == []


def test_auth_off_refuses_key_management(client: TestClient) -> None:
    body = gql(client, SEED)
    assert gql_error(body) == "Authentication must be enabled to manage API keys"
    response = client.post("/v1/system/api_keys", json={"data": {"name": "x"}})
    assert response.status_code == 403
    assert response.text.startswith("This action requires authentication to be enabled.")


def test_payloads_carry_the_root_query_to_refetch(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    created = gql(
        client,
        'mutation { createSystemApiKey(input: {name: "refetch"}) { apiKey { id } query { systemApiKeys { name } } } }',
        token=ADMIN_SECRET,
    )["data"]["createSystemApiKey"]
    assert created["query"]["systemApiKeys"] == [{"name": "refetch"}]
    deleted = gql(
        client,
        "mutation($id: ID!) { deleteSystemApiKey(input: {id: $id}) { apiKeyId query { systemApiKeys { name } } } }",
        {"id": created["apiKey"]["id"]},
        token=ADMIN_SECRET,
    )["data"]["deleteSystemApiKey"]
    assert deleted == {"apiKeyId": created["apiKey"]["id"], "query": {"systemApiKeys": []}}
