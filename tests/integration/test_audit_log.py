"""The audit log: what is recorded, reading it (GET /v1/audit_events), the JSON-lines file,
retention, and no secret in any event."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pyrewatch.clock import now_utc
from pyrewatch.db.session import transaction
from pyrewatch.http.app import create_app
from pyrewatch.services import audit_log
from pyrewatch.services.sessions import ResetRequest
from pyrewatch.settings import load_settings
from tests.conftest import ClientFactory
from tests.support.apps import app_state, in_app
from tests.support.constants import ADMIN_SECRET, SECRET
from tests.support.http_auth import ADMIN_HEADERS, bearer, gql
from tests.support.logins import IDENTITY_ENV, PASSWORD, access_token, create_user, member_session

AUDIT_ENV = {**IDENTITY_ENV, "PHOENIX_BRUTE_FORCE_LOGIN_PROTECTION_MAX_ATTEMPTS": "2"}


def _events(client: TestClient, **params: str) -> list[dict[str, Any]]:
    in_app(client, app_state(client).authenticator.flush_usage)
    events: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {**params, "limit": "7", **({"cursor": cursor} if cursor else {})}
        response = client.get("/v1/audit_events", params=query, headers=ADMIN_HEADERS)
        assert response.status_code == 200, response.text
        page = response.json()
        events += page["data"]
        cursor = page["next_cursor"]
        if cursor is None:
            return events


def _exercise(client: TestClient) -> tuple[list[str], dict[str, Any]]:
    """Do every audited thing once; return every secret used and some ids."""
    secrets = [ADMIN_SECRET, SECRET, PASSWORD, PASSWORD + "2", "wrong-password-1", "reset-password-9"]
    admin = member_session(client, "audit-admin@example.com", "ADMIN")
    user = create_user(client, "audit-user@example.com", "MEMBER")
    assert (
        client.post("/auth/login", json={"email": "audit-user@example.com", "password": "wrong-password-1"}).status_code
        == 401
    )
    for _ in range(3):
        client.post("/auth/login", json={"email": "audit-user@example.com", "password": "wrong-password-1"})
    patch = "mutation($id:ID!){patchUser(input:{userId:$id,newRole:VIEWER}){user{id}}}"
    assert "errors" not in gql(client, patch, {"id": user["id"]}, token=access_token(admin))
    system = client.post("/v1/system/api_keys", json={"data": {"name": "audited"}}, headers=ADMIN_HEADERS).json()[
        "data"
    ]
    rotated = client.post(
        f"/v1/system/api_keys/{system['id']}/rotate", json={"grace_seconds": 0}, headers=ADMIN_HEADERS
    )
    new = rotated.json()["data"]
    assert client.get("/v1/projects", headers={"Authorization": f"Bearer {system['key']}"}).status_code == 401
    assert client.delete(f"/v1/system/api_keys/{new['id']}", headers=ADMIN_HEADERS).status_code == 204
    secrets += [system["key"], new["key"]]
    assert client.post("/auth/logout", headers=bearer(access_token(admin))).status_code == 204
    sessions = app_state(client).sessions
    assert sessions is not None
    reset: ResetRequest | None = in_app(client, sessions.start_password_reset, "audit-admin@example.com")
    assert reset is not None
    secrets.append(reset.token)
    done = client.post("/auth/password-reset", json={"token": reset.token, "password": "reset-password-9"})
    assert done.status_code == 204, done.text
    deleted = gql(
        client,
        "mutation($ids:[ID!]!){deleteUsers(input:{userIds:$ids}){userIds}}",
        {"ids": [user["id"]]},
        headers=ADMIN_HEADERS,
    )
    assert "errors" not in deleted
    return secrets, {"user": user, "system": system}


def test_every_audited_action_is_recorded_without_any_secret(make_client: ClientFactory) -> None:
    client = make_client(AUDIT_ENV)
    secrets, _ = _exercise(client)
    events = _events(client)
    actions = {(e["action"], e["outcome"]) for e in events}
    expected = {
        ("server.auth_settings", "success"),
        ("auth.login", "success"),
        ("auth.login", "failure"),
        ("auth.lockout", "refused"),
        ("auth.logout", "success"),
        ("auth.password_reset", "success"),
        ("user.create", "success"),
        ("user.patch", "success"),
        ("user.patch_self", "success"),
        ("user.role_change", "success"),
        ("user.delete", "success"),
        ("api_key.create", "success"),
        ("api_key.rotate", "success"),
        ("api_key.revoke", "success"),
        ("api_key.expired_refused", "refused"),
        ("admin_secret.use", "success"),
    }
    assert expected <= actions, expected - actions
    for event in events:
        assert set(event) >= {
            "occurred_at",
            "actor",
            "action",
            "target_type",
            "target_id",
            "outcome",
            "client_ip",
            "request_id",
        }
    admin_uses = [e for e in events if e["action"] == "admin_secret.use"]
    assert all(e["actor"] == "admin_secret" and e["client_ip"] and e["request_id"] for e in admin_uses)
    text = json.dumps(events)
    leaked = [s for s in secrets if s in text]
    assert leaked == []
    stored = in_app(client, _raw_rows, client)
    assert [s for s in secrets if s in stored] == []


async def _raw_rows(client: TestClient) -> str:
    from sqlalchemy import text

    async with transaction(app_state(client).session_factory) as session:
        rows = (await session.execute(text("SELECT * FROM audit_events"))).all()
    return repr(rows)


def test_filters_and_paging(make_client: ClientFactory) -> None:
    client = make_client(AUDIT_ENV)
    _, ids = _exercise(client)
    everything = _events(client)
    assert [e["id"] for e in everything] == sorted((e["id"] for e in everything), reverse=True)
    assert len({e["id"] for e in everything}) == len(everything)
    failures = _events(client, action="auth.login", outcome="failure")
    assert failures and all((e["action"], e["outcome"]) == ("auth.login", "failure") for e in failures)
    by_secret = _events(client, actor="admin_secret")
    assert by_secret and all(e["actor"] == "admin_secret" for e in by_secret)
    later = _events(client, start_time=(now_utc() + timedelta(minutes=1)).isoformat())
    assert later == []
    earlier = _events(client, end_time=(now_utc() + timedelta(minutes=1)).isoformat())
    assert {e["id"] for e in everything} <= {e["id"] for e in earlier}
    follow = client.get("/v1/audit_events", params={"after": str(everything[-1]["id"])}, headers=ADMIN_HEADERS)
    expected = sorted(e["id"] for e in everything)[1:]
    assert [e["id"] for e in follow.json()["data"]][: len(expected)] == expected
    for bad in ({"actor": "nobody"}, {"outcome": "maybe"}, {"cursor": "x"}):
        response = client.get("/v1/audit_events", params=bad, headers=ADMIN_HEADERS)
        assert response.status_code == 422, response.text


def test_only_admins_read_the_log_and_nothing_changes_it(make_client: ClientFactory) -> None:
    client = make_client(AUDIT_ENV)
    member = member_session(client, "audit-member@example.com", "MEMBER")
    assert client.get("/v1/audit_events", headers=bearer(access_token(member))).status_code == 403
    assert client.get("/v1/audit_events").status_code == 401
    for method in ("PUT", "PATCH", "DELETE"):
        assert client.request(method, "/v1/audit_events", headers=ADMIN_HEADERS).status_code == 405


def test_a_start_up_with_changed_auth_settings_is_recorded(make_client: ClientFactory) -> None:
    client = make_client(AUDIT_ENV)
    again = make_client(AUDIT_ENV)
    changed = make_client({**AUDIT_ENV, "PHOENIX_ENABLE_STRONG_PASSWORD_POLICY": "true"})
    events = _events(changed, action="server.auth_settings")
    assert len(events) == 2
    assert events[0]["details"]["changed"] == ["strong_password_policy"]
    assert ADMIN_SECRET not in json.dumps(events) and SECRET not in json.dumps(events)
    assert client is not again


def test_events_go_to_the_json_lines_file(database_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    env = {**database_env, **AUDIT_ENV, "PYREWATCH_AUDIT_LOG_FILE": str(path)}
    with TestClient(create_app(load_settings(env))) as client:
        created = client.post("/v1/system/api_keys", json={"data": {"name": "filed"}}, headers=ADMIN_HEADERS)
        assert created.status_code == 201
    first = [json.loads(line) for line in path.read_text().splitlines()]
    assert "api_key.create" in {e["action"] for e in first}
    assert created.json()["data"]["key"] not in path.read_text()
    with TestClient(create_app(load_settings(env))) as client:
        assert client.get("/v1/projects", headers=ADMIN_HEADERS).status_code == 200
    second = [json.loads(line) for line in path.read_text().splitlines()]
    ids = [e["id"] for e in second]
    assert ids == sorted(set(ids)) and len(second) > len(first)


@pytest.mark.parametrize("days", [0, 30])
def test_retention_drops_only_old_events(make_client: ClientFactory, days: int) -> None:
    client = make_client(AUDIT_ENV)
    before = len(_events(client))
    in_app(client, app_state(client).authenticator.flush_usage)
    factory = app_state(client).session_factory

    async def purge(at_days: int) -> int:
        async with transaction(factory) as session:
            return await audit_log.purge_expired(session, days, now=now_utc() + timedelta(days=at_days))

    assert in_app(client, purge, 1) == 0
    dropped = in_app(client, purge, 31)
    assert dropped == (0 if days == 0 else before + 1)  # + the flushed admin-secret read of _events
