"""CSRF origin check for cookie-authenticated, state-changing requests.

Active when ``PHOENIX_CSRF_TRUSTED_ORIGINS`` is set. A POST/PUT/PATCH/DELETE that carries a
session cookie (or targets ``/auth/*``) and names an ``Origin`` (else ``Referer``) must come
from a trusted origin: scheme, host and port compared in full, unlike Phoenix's hostname-only
check. Requests authenticated by an ``Authorization`` header are not forgeable by another site
and are not checked. Session cookies are ``SameSite=Strict`` as a second line.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from pyrewatch.http.identity import REFRESH_COOKIE
from pyrewatch.http.middleware import route_path
from pyrewatch.services.authentication import ACCESS_COOKIE
from pyrewatch.settings import normalize_origin

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _has_session_cookie(headers: Headers) -> bool:
    raw = headers.get("cookie", "")
    names = {part.strip().partition("=")[0] for part in raw.split(";")}
    return ACCESS_COOKIE in names or REFRESH_COOKIE in names


def _untrusted(headers: Headers, trusted: tuple[str, ...]) -> str | None:
    """The refusal text when ``Origin`` or ``Referer`` names an untrusted origin, else ``None``."""
    origin = headers.get("origin")
    if origin is not None:
        if origin == "null" or normalize_origin(origin) not in trusted:
            return "untrusted origin"
        return None
    referer = headers.get("referer")
    if referer is not None and normalize_origin(referer) not in trusted:
        return "untrusted referer"
    return None


class CsrfMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        trusted: tuple[str, ...] = scope["app"].state.settings.csrf_trusted_origins
        headers = Headers(scope=scope)
        cookie_authenticated = _has_session_cookie(headers) and "authorization" not in headers
        if trusted and (cookie_authenticated or route_path(scope).startswith("/auth/")):
            refusal = _untrusted(headers, trusted)
            if refusal is not None:
                await PlainTextResponse(refusal, status_code=401)(scope, receive, send)
                return
        await self.app(scope, receive, send)
