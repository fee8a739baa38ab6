"""Parallel wrong passwords cannot get past the lockout: at most the limit are checked."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.support.logins import IDENTITY_ENV
from tests.support.server import ServerProcess

PARALLEL = 12
MAX_ATTEMPTS = 5


def test_twelve_parallel_wrong_passwords_check_at_most_the_limit(
    start_server: Callable[..., ServerProcess],
) -> None:
    server = start_server({**IDENTITY_ENV, "PHOENIX_BRUTE_FORCE_LOGIN_PROTECTION_MAX_ATTEMPTS": str(MAX_ATTEMPTS)})
    body = {"email": "admin@localhost", "password": "wrong-password"}

    def attempt(_: int) -> int:
        return httpx.post(f"{server.url}/auth/login", json=body, timeout=60).status_code

    with ThreadPoolExecutor(PARALLEL) as pool:
        statuses = list(pool.map(attempt, range(PARALLEL)))
    # 401 means the password was checked (and was wrong); 429 means it was refused unchecked.
    assert sorted(set(statuses)) == [401, 429], statuses
    assert statuses.count(401) <= MAX_ATTEMPTS, statuses
    # The pair is locked now, even for the right password.
    right = httpx.post(f"{server.url}/auth/login", json={"email": "admin@localhost", "password": "admin"})
    assert right.status_code == 429
