"""Key rotation: same name, scopes, projects and owner; a grace period for the old key; an audit
flag when the old key is used after the new one. No test waits for a grace period to pass: a
grace of 0, or the rotation's clock moved back so its grace period is already over."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pyrewatch.auth.principal import Principal, Role, Via
from pyrewatch.clock import now_utc
from pyrewatch.db.session import transaction
from pyrewatch.ids import parse_typed_global_id
from pyrewatch.services import key_rotation
from pyrewatch.services.api_keys import MintedKey
from tests.conftest import ClientFactory
from tests.support.apps import app_state, in_app
from tests.support.http_auth import ADMIN_HEADERS, bearer, gql
from tests.support.logins import IDENTITY_ENV, access_token, member_session
from tests.support.otlp import query


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client(IDENTITY_ENV)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _system_key(client: TestClient, **data: Any) -> dict[str, Any]:
    response = client.post("/v1/system/api_keys", json={"data": {"name": "rotated", **data}}, headers=ADMIN_HEADERS)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()["data"]
    return created


def _works(client: TestClient, token: str) -> tuple[int, str]:
    response = client.get("/v1/projects", headers=_auth(token))
    return response.status_code, response.text


def test_rotation_keeps_name_scopes_projects_and_the_old_key_until_the_grace_ends(client: TestClient) -> None:
    old = _system_key(client, description="d", scopes=["read"], projects=["p"])
    rotated = client.post(f"/v1/system/api_keys/{old['id']}/rotate", headers=ADMIN_HEADERS)
    assert rotated.status_code == 201, rotated.text
    new = rotated.json()["data"]
    assert new["id"] != old["id"] and new["key"] != old["key"]
    same = ("name", "description", "scopes", "projects")
    assert {f: new[f] for f in same} == {f: old[f] for f in same}
    assert _works(client, old["key"])[0] == 200
    assert _works(client, new["key"])[0] == 200
    listed = {k["id"]: k for k in client.get("/v1/system/api_keys", headers=ADMIN_HEADERS).json()["data"]}
    # The old key is listed with the end of its grace period as its expiry.
    assert listed[old["id"]]["expires_at"] is not None and "expires_at" not in listed[new["id"]]


def test_a_grace_of_zero_refuses_the_old_key_at_once(client: TestClient, database_env: dict[str, str]) -> None:
    old = _system_key(client)
    assert _works(client, old["key"])[0] == 200  # cached as valid
    new = client.post(f"/v1/system/api_keys/{old['id']}/rotate", json={"grace_seconds": 0}, headers=ADMIN_HEADERS)
    assert new.status_code == 201, new.text
    assert _works(client, old["key"]) == (401, "Expired token")
    assert _works(client, new.json()["data"]["key"])[0] == 200
    app_state_ = app_state(client)
    in_app(client, app_state_.authenticator.flush_usage)
    events = query(database_env, "SELECT action, outcome, target_id FROM audit_events ORDER BY id")
    old_row = str(parse_typed_global_id(old["id"], "SystemApiKey"))
    assert {"action": "api_key.rotate", "outcome": "success", "target_id": old_row} in events
    assert {"action": "api_key.expired_refused", "outcome": "refused", "target_id": old_row} in events


def test_the_old_key_is_refused_once_the_grace_period_is_over(client: TestClient) -> None:
    old = _system_key(client, scopes=["ingest"])
    row_id = parse_typed_global_id(old["id"], "SystemApiKey")
    assert row_id is not None
    state = app_state(client)
    admin = Principal(via=Via.ADMIN_SECRET, user_id=state.system_user_id, role=Role.SYSTEM)

    async def rotate_two_days_ago() -> MintedKey:
        async with transaction(state.session_factory) as session:
            return await key_rotation.rotate_system_key(
                session, admin, row_id, grace_seconds=86_400, now=now_utc() - timedelta(days=2)
            )

    minted = in_app(client, rotate_two_days_ago)
    assert minted.key.scopes == ("ingest",)
    assert _works(client, old["key"]) == (401, "Expired token")


@pytest.mark.parametrize("grace", [-1, 31 * 86_400])
def test_a_grace_period_out_of_range_is_refused(client: TestClient, grace: int) -> None:
    old = _system_key(client)
    response = client.post(
        f"/v1/system/api_keys/{old['id']}/rotate", json={"grace_seconds": grace}, headers=ADMIN_HEADERS
    )
    assert response.status_code == 422 and "grace_seconds" in response.text
    assert _works(client, old["key"])[0] == 200


def test_the_old_key_used_after_the_new_one_is_flagged(client: TestClient, database_env: dict[str, str]) -> None:
    old = _system_key(client)
    new = client.post(f"/v1/system/api_keys/{old['id']}/rotate", headers=ADMIN_HEADERS).json()["data"]
    assert _works(client, old["key"])[0] == 200  # before the new key is used: not flagged
    in_app(client, app_state(client).authenticator.flush_usage)
    assert query(database_env, "SELECT id FROM audit_events WHERE action = 'api_key.superseded_use'") == []
    assert _works(client, new["key"])[0] == 200
    assert _works(client, old["key"])[0] == 200  # still in its grace period, but flagged
    in_app(client, app_state(client).authenticator.flush_usage)
    flagged = query(database_env, "SELECT outcome, target_id FROM audit_events WHERE action = 'api_key.superseded_use'")
    assert flagged == [{"outcome": "flagged", "target_id": str(parse_typed_global_id(old["id"], "SystemApiKey"))}]


def test_user_keys_rotate_for_their_owner_or_an_admin_only(client: TestClient) -> None:
    owner = member_session(client, "rotating-owner@example.com", "MEMBER")
    other = member_session(client, "rotating-other@example.com", "MEMBER")
    admin = member_session(client, "rotating-admin@example.com", "ADMIN")
    created = gql(
        client,
        'mutation{createUserApiKey(input:{name:"mine",scopes:["ingest"]}){jwt apiKey{id}}}',
        token=access_token(owner),
    )
    key_id = created["data"]["createUserApiKey"]["apiKey"]["id"]
    rotate = "mutation($id:ID!){rotateUserApiKey(input:{id:$id,graceSeconds:0}){jwt apiKey{id name scopes}}}"
    refused = gql(client, rotate, {"id": key_id}, token=access_token(other))
    assert refused["errors"][0]["message"] == "API key not found"
    by_owner = gql(client, rotate, {"id": key_id}, token=access_token(owner))["data"]["rotateUserApiKey"]
    assert (by_owner["apiKey"]["name"], by_owner["apiKey"]["scopes"]) == ("mine", ["ingest"])
    rest = client.post(f"/v1/user/api_keys/{by_owner['apiKey']['id']}/rotate", headers=bearer(access_token(admin)))
    assert rest.status_code == 201, rest.text
    owners_keys = client.get("/v1/user/api_keys", headers=bearer(access_token(owner))).json()["data"]
    assert rest.json()["data"]["id"] in {k["id"] for k in owners_keys}
    with_key = client.post(
        f"/v1/user/api_keys/{key_id}/rotate", headers=_auth(created["data"]["createUserApiKey"]["jwt"])
    )
    assert with_key.status_code in (401, 403)


def test_graphql_rotates_system_keys(client: TestClient) -> None:
    old = _system_key(client, projects=["p"])
    result = gql(
        client,
        "mutation($id:ID!){rotateSystemApiKey(input:{id:$id}){jwt apiKey{id name projects}}}",
        {"id": old["id"]},
        headers=ADMIN_HEADERS,
    )
    payload = result["data"]["rotateSystemApiKey"]
    assert (payload["apiKey"]["name"], payload["apiKey"]["projects"]) == ("rotated", ["p"])
    assert _works(client, payload["jwt"])[0] == 200
