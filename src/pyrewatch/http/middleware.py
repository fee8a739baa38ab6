"""ASGI middleware: request id and security headers, then authentication.

Authentication runs for every request. On the protected surfaces (``/v1/*`` and ``/graphql``) a
missing or unusable credential is answered with 401 here, before any route runs. Elsewhere
(probes, discovery, ``/auth/*``, the web UI) no credential means ``ANONYMOUS`` and each route
decides; but an ``Authorization`` header that does not authenticate is a 401 there too, never
a silent downgrade. Only a stale session cookie is ignored on those paths: the browser keeps it
after the session ends, and the login, refresh and logout routes exist to replace it.
"""

from __future__ import annotations

import secrets
from dataclasses import replace

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pyrewatch import __version__
from pyrewatch.auth.principal import ANONYMOUS, Principal, Via
from pyrewatch.errors import Unauthenticated
from pyrewatch.http.errors import unauthenticated_response
from pyrewatch.http.state import AppState
from pyrewatch.services.authentication import ACCESS_COOKIE

PRINCIPAL_SCOPE_KEY = "pyrewatch.principal"
PROTECTED_PREFIXES = ("/v1/", "/graphql")
PHOENIX_COMPATIBLE_VERSION = "20.26.1"


def route_path(scope: Scope) -> str:
    """The path without the deployment's root path."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path


def is_protected(path: str) -> bool:
    return path == "/graphql" or any(path.startswith(p) for p in PROTECTED_PREFIXES)


def principal_of(scope: Scope) -> Principal:
    principal: Principal = scope.get(PRINCIPAL_SCOPE_KEY, ANONYMOUS)
    return principal


def _cookie(headers: Headers, name: str) -> str | None:
    raw = headers.get("cookie")
    if not raw:
        return None
    for part in raw.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value.strip().strip('"') or None
    return None


# Where the request id travels in the ASGI scope, for the audit trail.
REQUEST_ID_SCOPE_KEY = "pyrewatch.request_id"


class HeadersMiddleware:
    """Adds a request id and conservative security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get("x-request-id", "")
        request_id = incoming if 0 < len(incoming) <= 128 and incoming.isprintable() else secrets.token_hex(8)
        scope[REQUEST_ID_SCOPE_KEY] = request_id

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("x-request-id", request_id)
                headers.setdefault("x-content-type-options", "nosniff")
                headers.setdefault("referrer-policy", "same-origin")
                headers.setdefault("x-frame-options", "DENY")
                headers.setdefault("x-phoenix-server-version", PHOENIX_COMPATIBLE_VERSION)
                headers.setdefault("x-pyrewatch-version", __version__)
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _authenticate(state: AppState, path: str, authorization: str | None, cookie: str | None) -> Principal:
    authenticator = state.authenticator
    if is_protected(path):
        return await authenticator.authenticate_request(authorization, cookie)
    try:
        return await authenticator.optional_principal(authorization, cookie)
    except Unauthenticated:
        if authorization is None:
            return ANONYMOUS  # a stale session cookie, see the module docstring
        raise


class AuthenticationMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        state: AppState = scope["app"].state.pyrewatch
        headers = Headers(scope=scope)
        authorization = headers.get("authorization")
        cookie = _cookie(headers, ACCESS_COOKIE)
        authenticator = state.authenticator
        try:
            principal = await _authenticate(state, route_path(scope), authorization, cookie)
        except Unauthenticated as exc:
            if scope["type"] == "http":
                response = unauthenticated_response(Request(scope), exc.message)
                await response(scope, receive, send)
            else:
                await send({"type": "websocket.close", "code": 4401})
            return
        client = scope.get("client")
        if client and principal.is_authenticated:
            principal = replace(principal, client_ip=client[0], request_id=scope.get(REQUEST_ID_SCOPE_KEY))
        if principal.via is Via.ADMIN_SECRET:
            authenticator.record_admin_secret_use(principal, f"{scope.get('method', 'WEBSOCKET')} {scope['path']}")
        scope[PRINCIPAL_SCOPE_KEY] = principal
        await self.app(scope, receive, send)
