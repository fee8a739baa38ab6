"""Fields resolved per row are batched: listing keys with their owners costs the same number of
statements for two keys as for six."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from pyrewatch.http.state import AppState
from tests.conftest import ClientFactory
from tests.support.actors import add_key, make_actor
from tests.support.apps import app_state
from tests.support.constants import ADMIN_SECRET, AUTH_ENV
from tests.support.http_auth import gql

QUERY = "{ userApiKeys { name user { email role { name } } } }"


def _statements_of(client: TestClient, query: str) -> tuple[int, dict[str, Any]]:
    state: AppState = app_state(client)
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(state.engine.sync_engine, "before_cursor_execute", record)
    try:
        result = gql(client, query, token=ADMIN_SECRET)
    finally:
        event.remove(state.engine.sync_engine, "before_cursor_execute", record)
    # Only what the query reads: background flushes (usage, audit) may run meanwhile.
    return len([s for s in statements if s.lstrip().upper().startswith("SELECT")]), result


def test_key_owners_are_loaded_in_one_batch(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    for _ in range(2):
        make_actor(client, "MEMBER", via="key")
    few, result = _statements_of(client, QUERY)
    assert len(result["data"]["userApiKeys"]) == 2
    for _ in range(4):
        make_actor(client, "VIEWER", via="key")
    many, result = _statements_of(client, QUERY)
    keys = result["data"]["userApiKeys"]
    assert len(keys) == 6
    assert {key["user"]["role"]["name"] for key in keys} == {"MEMBER", "VIEWER"}
    assert all(key["user"]["email"].endswith("@example.com") for key in keys)
    assert many == few


def test_the_keys_of_listed_users_are_loaded_in_one_batch(make_client: ClientFactory) -> None:
    query = "{ users { edges { node { username apiKeyCount apiKeys { name } } } } }"
    client = make_client(AUTH_ENV)
    for _ in range(2):
        make_actor(client, "MEMBER", via="key")
    few, result = _statements_of(client, query)
    before = len(result["data"]["users"]["edges"])
    for _ in range(4):
        owner = make_actor(client, "MEMBER", via="key")
        add_key(client, owner)
    many, result = _statements_of(client, query)
    nodes = [edge["node"] for edge in result["data"]["users"]["edges"]]
    assert len(nodes) == before + 4
    assert sorted(node["apiKeyCount"] for node in nodes)[-4:] == [2, 2, 2, 2]
    assert all(node["apiKeyCount"] == len(node["apiKeys"]) for node in nodes)
    assert many == few
