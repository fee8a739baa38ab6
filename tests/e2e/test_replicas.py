"""Several replicas sharing one PostgreSQL: revocation on one is honoured by the others."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import asyncpg  # type: ignore[import-untyped]
import pytest
import requests

from tests.support.constants import ADMIN_SECRET, AUTH_ENV
from tests.support.server import ServerProcess

CREATE = 'mutation { createSystemApiKey(input: {name: "replicated"}) { jwt apiKey { id } } }'
CACHE_LIFETIME_SECONDS = 5.0
ADMIN = {"Authorization": f"Bearer {ADMIN_SECRET}"}
LISTENERS = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'"


def _get(server: ServerProcess, token: str) -> int:
    response = requests.get(f"{server.url}/v1/user/api_keys", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return response.status_code


@pytest.mark.parametrize("dialect", ["postgresql"], indirect=True)
def test_revocation_reaches_every_replica_before_caches_expire(start_server: Callable[..., ServerProcess]) -> None:
    first, second = start_server(AUTH_ENV), start_server(AUTH_ENV)
    created = requests.post(
        f"{first.url}/graphql", json={"query": CREATE}, headers={"Authorization": f"Bearer {ADMIN_SECRET}"}, timeout=10
    ).json()["data"]["createSystemApiKey"]
    key, key_id = created["jwt"], created["apiKey"]["id"]
    # Both replicas accept (and cache) the key.
    assert _get(first, key) == 200 and _get(second, key) == 200
    revoked = requests.delete(
        f"{first.url}/v1/system/api_keys/{key_id}", headers={"Authorization": f"Bearer {ADMIN_SECRET}"}, timeout=10
    )
    assert revoked.status_code == 204
    assert _get(first, key) == 401
    started = time.monotonic()
    while _get(second, key) != 401:
        assert time.monotonic() - started < CACHE_LIFETIME_SECONDS / 2, "the other replica still accepts the key"
        time.sleep(0.02)


@pytest.mark.parametrize("dialect", ["postgresql"], indirect=True)
def test_project_changes_reach_every_replica_at_once(start_server: Callable[..., ServerProcess]) -> None:
    """Each replica serves the project list from memory; a change on one must show on the others."""
    first, second = start_server(AUTH_ENV), start_server(AUTH_ENV)
    admin = {"Authorization": f"Bearer {ADMIN_SECRET}"}

    def names(server: ServerProcess) -> list[str]:
        body = requests.get(f"{server.url}/v1/projects", headers=admin, timeout=10).json()
        return [p["name"] for p in body["data"]]

    assert names(first) == names(second) == ["default"]
    created = requests.post(f"{first.url}/v1/projects", json={"name": "shared"}, headers=admin, timeout=10)
    assert created.status_code == 200
    started = time.monotonic()
    while "shared" not in names(second):
        assert time.monotonic() - started < 1.0, "the other replica still serves the old project list"
        time.sleep(0.02)
    assert requests.delete(f"{second.url}/v1/projects/shared", headers=admin, timeout=10).status_code == 204
    started = time.monotonic()
    while "shared" in names(first):
        assert time.monotonic() - started < 1.0, "the other replica still lists the deleted project"
        time.sleep(0.02)


def _create_key(server: ServerProcess) -> tuple[str, str]:
    created = requests.post(f"{server.url}/graphql", json={"query": CREATE}, headers=ADMIN, timeout=10).json()
    payload = created["data"]["createSystemApiKey"]
    return payload["jwt"], payload["apiKey"]["id"]


def _revoke(server: ServerProcess, key_id: str) -> None:
    response = requests.delete(f"{server.url}/v1/system/api_keys/{key_id}", headers=ADMIN, timeout=10)
    assert response.status_code == 204


def _hammer(server: ServerProcess, token: str, requests_count: int = 40) -> list[int]:
    """Many requests at once, the first sent without delay."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda _: _get(server, token), range(requests_count)))


async def _sql(url: str, query: str) -> list[int]:
    conn = await asyncpg.connect(url)
    try:
        return [row[0] for row in await conn.fetch(query)]
    finally:
        await conn.close()


def _listeners(url: str) -> set[int]:
    return set(asyncio.run(_sql(url, LISTENERS)))


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < 10, what
        time.sleep(0.01)


@pytest.mark.parametrize("dialect", ["postgresql"], indirect=True)
def test_a_key_revoked_on_one_replica_is_never_accepted_by_another_after_the_answer(
    start_server: Callable[..., ServerProcess],
) -> None:
    """The announcement is part of the revoking commit, so it is out before the 204."""
    first, second = start_server(AUTH_ENV), start_server(AUTH_ENV)
    for _ in range(5):
        key, key_id = _create_key(first)
        assert _get(second, key) == 200  # cached on the second replica
        _revoke(first, key_id)
        assert _hammer(second, key).count(200) == 0


@pytest.mark.parametrize("dialect", ["postgresql"], indirect=True)
def test_a_replica_that_lost_its_listening_connection_reads_credentials_from_the_database(
    start_server: Callable[..., ServerProcess], database_env: dict[str, str]
) -> None:
    """While it may be missing announcements, a replica refuses a revoked key at once."""
    url = database_env["PHOENIX_SQL_DATABASE_URL"]
    first = start_server(AUTH_ENV)
    _wait_for(lambda: len(_listeners(url)) == 1, "the first replica never listened")
    first_listener = _listeners(url)
    second = start_server(AUTH_ENV)
    _wait_for(lambda: len(_listeners(url)) == 2, "the second replica never listened")
    (second_listener,) = _listeners(url) - first_listener
    key, key_id = _create_key(first)
    assert _get(second, key) == 200
    asyncio.run(_sql(url, f"SELECT pg_terminate_backend({second_listener})"))
    _wait_for(lambda: second_listener not in _listeners(url), "the listening backend did not end")
    # Used again while not listening: a replica that trusted its cache would keep this answer.
    assert _get(second, key) == 200
    _revoke(first, key_id)
    assert _hammer(second, key).count(200) == 0
    # Once listening again, the replica serves from its cache and still refuses the key.
    _wait_for(lambda: len(_listeners(url)) == 2, "the second replica did not listen again")
    assert _hammer(second, key).count(200) == 0
