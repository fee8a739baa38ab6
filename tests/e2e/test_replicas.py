"""Several replicas sharing one PostgreSQL: revocation on one is honoured by the others."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import requests

from tests.support.constants import ADMIN_SECRET, AUTH_ENV
from tests.support.server import ServerProcess

CREATE = 'mutation { createSystemApiKey(input: {name: "replicated"}) { jwt apiKey { id } } }'
CACHE_LIFETIME_SECONDS = 5.0


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
