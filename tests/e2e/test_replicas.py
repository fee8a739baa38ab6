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
