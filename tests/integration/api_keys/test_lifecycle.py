"""Listing, revocation, expiry, tampering and secret rotation of API keys."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, select

from pyrewatch.auth import api_keys as key_format
from pyrewatch.clock import now_utc
from pyrewatch.db.models import AuditEvent
from pyrewatch.db.session import transaction
from pyrewatch.http.state import AppState
from pyrewatch.ids import encode_global_id
from tests.conftest import ClientFactory
from tests.integration.api_keys.helpers import DELETE_SYSTEM, DELETE_USER, insert_expired_key
from tests.support.actors import add_key, make_actor
from tests.support.apps import app_state, in_app
from tests.support.constants import ADMIN_SECRET, AUTH_ENV, OTHER_SECRET, SECRET
from tests.support.http_auth import bearer, gql, gql_error, mint_system_key


def _state(client: TestClient) -> AppState:
    state: AppState = app_state(client)
    return state


@contextmanager
def _statements(client: TestClient) -> Iterator[list[str]]:
    """Collect every SQL statement the app runs inside the block."""
    seen: list[str] = []
    engine = _state(client).engine.sync_engine

    def listener(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_revoked_system_key_is_refused_on_the_next_request(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    rest_key = client.post("/v1/system/api_keys", json={"data": {"name": "a"}}, headers=bearer(ADMIN_SECRET)).json()
    gql_key, gql_id = mint_system_key(client, ADMIN_SECRET, "b")
    for key in (rest_key["data"]["key"], gql_key):
        assert client.get("/v1/user/api_keys", headers=bearer(key)).status_code == 200
    response = client.delete(f"/v1/system/api_keys/{rest_key['data']['id']}", headers=bearer(ADMIN_SECRET))
    assert response.status_code == 204
    assert gql(client, DELETE_SYSTEM, {"id": gql_id}, token=ADMIN_SECRET)["data"]["deleteSystemApiKey"] == {
        "apiKeyId": gql_id
    }
    for key in (rest_key["data"]["key"], gql_key):
        response = client.get("/v1/user/api_keys", headers=bearer(key))
        assert (response.status_code, response.text) == (401, "Invalid token")
    again = gql(client, DELETE_SYSTEM, {"id": gql_id}, token=ADMIN_SECRET)
    assert gql_error(again) == "System API key not found"


def test_revoked_user_key_is_refused_and_only_owner_or_admin_may_revoke(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    owner, other, admin = make_actor(client, "MEMBER"), make_actor(client, "MEMBER"), make_actor(client, "ADMIN")
    created = client.post("/v1/user/api_keys", json={"data": {"name": "mine"}}, headers=owner.headers).json()["data"]
    key, key_id = created["key"], created["id"]
    assert client.get("/v1/user/api_keys", headers=bearer(key)).json()["data"][0]["id"] == key_id
    # Someone else's key looks exactly like a missing one.
    assert client.delete(f"/v1/user/api_keys/{key_id}", headers=other.headers).status_code == 404
    assert client.delete("/v1/user/api_keys/VXNlckFwaUtleTo5OTk5OTk=", headers=other.headers).status_code == 404
    assert gql_error(gql(client, DELETE_USER, {"id": key_id}, token=other.token)) == "API key not found"
    assert client.get("/v1/user/api_keys", headers=bearer(key)).status_code == 200
    # An admin may revoke it; the next request with it fails.
    assert client.delete(f"/v1/user/api_keys/{key_id}", headers=admin.headers).status_code == 204
    assert client.get("/v1/user/api_keys", headers=bearer(key)).status_code == 401
    # The owner may revoke their own key, even with that key.
    second = add_key(client, owner)
    listed = client.get("/v1/user/api_keys", headers=bearer(second)).json()["data"]
    assert [k["name"] for k in listed] == ["k"]
    assert client.delete(f"/v1/user/api_keys/{listed[0]['id']}", headers=bearer(second)).status_code == 204
    assert client.get("/v1/user/api_keys", headers=bearer(second)).status_code == 401


def test_key_classes_cannot_be_confused(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    member = make_actor(client, "MEMBER")
    user_key = client.post("/v1/user/api_keys", json={"data": {"name": "u"}}, headers=member.headers).json()["data"]
    system_key, system_id = mint_system_key(client, ADMIN_SECRET)
    # A user-key id on the system route is malformed for that route; relabelled, it is not found.
    response = client.delete(f"/v1/system/api_keys/{user_key['id']}", headers=bearer(ADMIN_SECRET))
    assert (response.status_code, response.text) == (422, f"Invalid SystemApiKey GlobalID format: {user_key['id']}")
    user_row = int(__import__("base64").b64decode(user_key["id"]).decode().split(":")[1])
    relabelled = encode_global_id("SystemApiKey", user_row)
    assert client.delete(f"/v1/system/api_keys/{relabelled}", headers=bearer(ADMIN_SECRET)).status_code == 404
    system_row = int(__import__("base64").b64decode(system_id).decode().split(":")[1])
    as_user = encode_global_id("UserApiKey", system_row)
    assert client.delete(f"/v1/user/api_keys/{as_user}", headers=bearer(ADMIN_SECRET)).status_code == 404
    # A system key may not touch personal keys at all.
    response = client.delete(f"/v1/user/api_keys/{user_key['id']}", headers=bearer(system_key))
    assert (response.status_code, response.text) == (
        403,
        "System API keys must be managed through the /system/api_keys endpoints.",
    )
    # Both keys still work.
    assert client.get("/v1/user/api_keys", headers=bearer(user_key["key"])).status_code == 200
    assert client.get("/v1/user/api_keys", headers=bearer(system_key)).status_code == 200


def test_expired_keys_are_refused(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    member = make_actor(client, "MEMBER")
    state = _state(client)
    past = now_utc() - timedelta(seconds=1)
    for token in (
        insert_expired_key(client, key_format.KeyKind.SYSTEM, state.system_user_id, past),
        insert_expired_key(client, key_format.KeyKind.USER, member.user_id, past),
    ):
        response = client.get("/v1/user/api_keys", headers=bearer(token))
        assert (response.status_code, response.text) == (401, "Expired token")


def test_tampered_keys_are_refused_without_a_database_write(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    # Minted by an admin's session, not the admin secret: admin-secret uses are written in the
    # background about once a second, and such a write must not land in the windows below.
    key, _ = mint_system_key(client, make_actor(client, "ADMIN").token)
    flipped = key[:10] + ("A" if key[10] != "A" else "B") + key[11:]
    body = "pwuk_" + key[5:-6]
    other_kind = body + key_format._checksum(body)  # a well-formed key of the other class
    unknown = key_format.generate_key(key_format.KeyKind.SYSTEM).token  # valid shape, no such key
    wrong_secret = key[: 5 + 16] + unknown[5 + 16 : -6]
    wrong_secret += key_format._checksum(wrong_secret)
    with _statements(client) as statements:
        for bad in (flipped, key[:-1], key + "x", key[:-6] + "000000", other_kind, unknown, wrong_secret):
            response = client.get("/v1/user/api_keys", headers=bearer(bad))
            assert (response.status_code, response.text) == (401, "Invalid token"), bad
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    # Shape and checksum failures are refused before any database access at all.
    with _statements(client) as statements:
        for bad in (flipped, key[:-1], key[:-6] + "000000"):
            assert client.get("/v1/user/api_keys", headers=bearer(bad)).status_code == 401
    assert statements == []
    assert client.get("/v1/user/api_keys", headers=bearer(key)).status_code == 200


def test_listings_never_show_the_key_and_omit_unset_fields(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    headers = bearer(ADMIN_SECRET)
    first = client.post("/v1/system/api_keys", json={"data": {"name": "one"}}, headers=headers)
    assert first.status_code == 201
    assert set(first.json()["data"]) == {"id", "name", "created_at", "key"}
    expires = (now_utc() + timedelta(days=30)).isoformat()
    second = client.post(
        "/v1/system/api_keys",
        json={"data": {"name": " two ", "description": "d", "expires_at": expires}},
        headers=headers,
    ).json()["data"]
    assert second["name"] == "two" and second["description"] == "d"
    listed = client.get("/v1/system/api_keys", headers=headers).json()["data"]
    assert [k["name"] for k in listed] == ["two", "one"]
    assert all("key" not in k for k in listed)
    assert set(listed[1]) == {"id", "name", "created_at"}
    gql_list = gql(client, "{ systemApiKeys { name } }", token=ADMIN_SECRET)["data"]["systemApiKeys"]
    assert [k["name"] for k in gql_list] == ["one", "two"]


def test_rest_validation_errors_are_json_422(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    headers = bearer(ADMIN_SECRET)
    for body, message in (
        ({"data": {"name": "  "}}, "Value error, Name cannot be empty"),
        (
            {"data": {"name": "x", "expires_at": "2000-01-01T00:00:00Z"}},
            "Value error, Expiration time must be in the future",
        ),
        ({"name": "x"}, "Field required"),
        ({"data": {"name": "x", "expires_at": "not a date"}}, None),
    ):
        response = client.post("/v1/system/api_keys", json=body, headers=headers)
        assert response.status_code == 422
        if message:
            assert response.json()["detail"][0]["msg"] == message
    assert client.post("/v1/system/api_keys", content=b"{not json", headers=headers).status_code == 422


def test_inventory_of_user_keys_is_admin_only_and_paginated(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    alice, bob = make_actor(client, "MEMBER", username="alice"), make_actor(client, "VIEWER", username="bob")
    for actor in (alice, bob, alice):
        add_key(client, actor)
    mint_system_key(client, ADMIN_SECRET)
    assert client.get("/v1/users/api_keys", headers=alice.headers).status_code == 403
    assert client.get("/v1/users/api_keys?limit=1001", headers=bearer(ADMIN_SECRET)).status_code == 422
    assert client.get("/v1/users/api_keys?cursor=bogus", headers=bearer(ADMIN_SECRET)).status_code == 422
    page = client.get("/v1/users/api_keys?limit=2", headers=bearer(ADMIN_SECRET)).json()
    assert len(page["data"]) == 2 and page["next_cursor"]
    assert [k["user"]["username"] for k in page["data"]] == ["alice", "bob"]
    rest = client.get(f"/v1/users/api_keys?limit=2&cursor={page['next_cursor']}", headers=bearer(ADMIN_SECRET)).json()
    assert [k["user"]["username"] for k in rest["data"]] == ["alice"]
    assert rest["next_cursor"] is None
    assert gql_error(gql(client, "{ userApiKeys { id } }", token=alice.token)) == "Only admin can perform this action"
    assert len(gql(client, "{ userApiKeys { id user { username } } }", token=ADMIN_SECRET)["data"]["userApiKeys"]) == 3


def test_last_used_is_recorded_without_a_write_per_request(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    key, _ = mint_system_key(client, ADMIN_SECRET)
    client.get("/v1/user/api_keys", headers=bearer(key))
    with _statements(client) as statements:
        for _ in range(5):
            assert client.get("/v1/user/api_keys", headers=bearer(key)).status_code == 200
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    in_app(client, _state(client).authenticator.flush_usage)
    listed = gql(client, "{ systemApiKeys { lastUsedAt } }", token=ADMIN_SECRET)["data"]["systemApiKeys"]
    assert listed[0]["lastUsedAt"] is not None


def test_minting_and_revoking_are_audited(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    _, key_id = mint_system_key(client, ADMIN_SECRET, "audited")
    gql(client, DELETE_SYSTEM, {"id": key_id}, token=ADMIN_SECRET)

    in_app(client, _state(client).authenticator.flush_usage)

    async def events() -> list[tuple[str, str, object]]:
        async with transaction(_state(client).session_factory) as session:
            stmt = (
                select(AuditEvent.action, AuditEvent.actor_via, AuditEvent.details)
                .where(AuditEvent.action != "server.auth_settings")
                .order_by(AuditEvent.occurred_at, AuditEvent.id)
            )
            rows = (await session.execute(stmt)).all()
        return [(a, v, d) for a, v, d in rows]

    recorded = in_app(client, events)
    # Admin-secret uses are written in the background, so their order against the changes made
    # in the request's own transaction is not fixed; each change and each use is there once.
    assert sorted((a, v) for a, v, _ in recorded) == [
        ("admin_secret.use", "ADMIN_SECRET"),
        ("admin_secret.use", "ADMIN_SECRET"),
        ("api_key.create", "ADMIN_SECRET"),
        ("api_key.revoke", "ADMIN_SECRET"),
    ]
    assert [d for a, _, d in recorded if a == "admin_secret.use"] == [{"surface": "POST /graphql"}] * 2


def test_keys_survive_secret_rotation_and_admin_secret_removal(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    key, _ = mint_system_key(client, ADMIN_SECRET)
    rotated = make_client({"PHOENIX_ENABLE_AUTH": "true", "PHOENIX_SECRET": OTHER_SECRET})
    assert rotated.get("/v1/user/api_keys", headers=bearer(key)).status_code == 200
    response = rotated.get("/v1/user/api_keys", headers=bearer(ADMIN_SECRET))
    assert (response.status_code, response.text) == (401, "Invalid token")
    assert SECRET != OTHER_SECRET


def test_out_of_range_key_ids_are_not_found(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    huge = 2**63 - 1
    for route, type_name in (("system", "SystemApiKey"), ("user", "UserApiKey")):
        response = client.delete(
            f"/v1/{route}/api_keys/{encode_global_id(type_name, huge)}", headers=bearer(ADMIN_SECRET)
        )
        assert response.status_code == 404
    cursor = encode_global_id("UserApiKey", huge)
    assert client.get(f"/v1/users/api_keys?cursor={cursor}", headers=bearer(ADMIN_SECRET)).json()["data"] == []
    body = gql(client, DELETE_SYSTEM, {"id": encode_global_id("SystemApiKey", huge)}, token=ADMIN_SECRET)
    assert gql_error(body) == "System API key not found"
