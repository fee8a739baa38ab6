"""Per-client-IP rate limit on ``/auth/*`` and on the login and password-reset forms of the web
UI (one bucket for both, so neither is a way around the other): a token bucket answering 429 with ``Retry-After``.

The client IP is the TCP peer address (behind a proxy, every client shares the proxy's
bucket). Buckets live in this process's memory: each replica limits on its own.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from pyrewatch.http.middleware import route_path

REFILL_PER_SECOND = 0.2
CAPACITY = 12.0
_MAX_BUCKETS = 100_000
# Page forms that check a password or send mail: limited like /auth/* when posted.
LIMITED_FORMS = frozenset({"/login", "/forgot-password", "/reset-password", "/reset-password-with-token"})


def _is_limited(scope: Scope) -> bool:
    path = route_path(scope)
    return path.startswith("/auth/") or (scope["method"] == "POST" and path in LIMITED_FORMS)


class TokenBuckets:
    def __init__(
        self,
        rate: float = REFILL_PER_SECOND,
        capacity: float = CAPACITY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = rate
        self._capacity = capacity
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """Take one token; return 0 when allowed, else the seconds until one is available."""
        now = self._clock()
        tokens, last = self._buckets.get(key, (self._capacity, now))
        tokens = min(self._capacity, tokens + (now - last) * self._rate)
        if tokens >= 1:
            if len(self._buckets) >= _MAX_BUCKETS:
                self._buckets.clear()
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / self._rate


class AuthRateLimitMiddleware:
    def __init__(self, app: ASGIApp, buckets: TokenBuckets | None = None) -> None:
        self.app = app
        self.buckets = buckets or TokenBuckets()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_limited(scope):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        if scope["app"].state.settings.disable_rate_limit or not client:
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(str(client[0]))
        if wait > 0:
            response = PlainTextResponse(
                "Too Many Requests", status_code=429, headers={"Retry-After": str(max(1, math.ceil(wait)))}
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
