"""Request limits: body size, body read time, and well-formed text in JSON bodies.

Every HTTP request body is read here, under a size limit that depends on the route (small for
``/auth/*``, ``PYREWATCH_MAX_GRAPHQL_BODY_BYTES`` for ``/graphql``, ``PYREWATCH_MAX_API_BODY_BYTES``
elsewhere), and answered with 413 as soon as it is exceeded, without reading further. The body
must keep arriving: a pause longer than ``PYREWATCH_BODY_IDLE_TIMEOUT_SECONDS``, or a whole body
slower than ``PYREWATCH_BODY_TIMEOUT_SECONDS``, is answered with 408. Both close the connection.

A JSON body must be UTF-8 and must not hold an unpaired surrogate (``"\\ud800"``): no database
can store one and no response can encode one, so it is refused here, once for every route, with
400 (not UTF-8) or FastAPI's 422 validation shape naming the field.

Other bodies (multipart and file uploads) are not held here: they stream to the route, counted
as they pass; ``/v1/datasets/upload`` has its own limit, ``PYREWATCH_MAX_UPLOAD_BODY_BYTES``.

``/v1/traces`` reads its body itself (it may be compressed and has its own limit,
``PYREWATCH_MAX_REQUEST_BODY_BYTES``); only the read timeouts apply to it here.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pyrewatch.http.json_response import dumps
from pyrewatch.http.middleware import route_path
from pyrewatch.settings import RequestLimits

AUTH_BODY_LIMIT = 64 * 1024
SELF_LIMITED_PATHS = ("/v1/traces",)
UPLOAD_PATHS = ("/v1/datasets/upload",)
UNPAIRED_SURROGATE = "String must not contain an unpaired surrogate code point (U+D800 to U+DFFF)"
# A lone surrogate can only reach a JSON string as an escape: raw surrogate bytes are not UTF-8.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


def body_limit(path: str, limits: RequestLimits) -> int | None:
    """The largest body accepted on ``path``, or ``None`` where the route limits its own."""
    if path in SELF_LIMITED_PATHS:
        return None
    if path.startswith("/auth/"):
        return AUTH_BODY_LIMIT
    if path == "/graphql":
        return limits.max_graphql_body_bytes
    if path in UPLOAD_PATHS:
        return limits.max_upload_body_bytes
    return limits.max_api_body_bytes


def _is_json(headers: Headers) -> bool:
    content_type = headers.get("content-type", "").lower()
    return not content_type or "json" in content_type


def _surrogate_location(value: Any) -> list[str | int] | None:
    """The location of the first string (or object key) holding an unpaired surrogate."""
    pending: list[tuple[Any, list[str | int]]] = [(value, [])]
    while pending:
        item, location = pending.pop()
        if isinstance(item, str):
            if not item.isascii() and not _encodes(item):
                return location
        elif isinstance(item, dict):
            for key, child in item.items():
                if not _encodes(key):
                    return [*location, key]
                pending.append((child, [*location, key]))
        elif isinstance(item, list):
            pending.extend((child, [*location, index]) for index, child in enumerate(item))
    return None


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_body_problem(body: bytes) -> Response | None:
    """A 400/422 answer for a JSON body no route could store or echo, else ``None``."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return PlainTextResponse(f"Request body is not valid UTF-8 (byte {exc.start})", status_code=400)
    if not _SURROGATE_ESCAPE.search(body):
        return None
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None  # malformed JSON: the route answers it in its own way
    location = _surrogate_location(value)
    if location is None:
        return None
    location = [item if isinstance(item, int) else item.encode("utf-8", "replace").decode() for item in location]
    detail = {"type": "string_unicode", "loc": ["body", *location], "msg": UNPAIRED_SURROGATE}
    return Response(dumps({"detail": [detail]}).encode(), status_code=422, media_type="application/json")


class _TimedReceive:
    """``receive`` that gives up on a body that stalls or takes too long, as a disconnect."""

    def __init__(self, receive: Receive, limits: RequestLimits) -> None:
        self._receive = receive
        self._idle = limits.body_idle_timeout_seconds
        self._deadline = asyncio.get_running_loop().time() + limits.body_timeout_seconds
        self.body_complete = False
        self.timed_out = False

    def refusal(self) -> Response:
        return _timeout_response()

    async def __call__(self) -> Message:
        if self.body_complete:
            return await self._receive()
        remaining = min(self._idle, self._deadline - asyncio.get_running_loop().time())
        try:
            message = await asyncio.wait_for(self._receive(), timeout=max(remaining, 0.0))
        except TimeoutError:
            self.timed_out = True
            self.body_complete = True
            return {"type": "http.disconnect"}
        if message["type"] != "http.request" or not message.get("more_body", False):
            self.body_complete = True
        return message


class _CountedReceive:
    """``receive`` that stops a streamed body past ``limit`` bytes, as a disconnect."""

    def __init__(self, timed: _TimedReceive, limit: int) -> None:
        self._timed = timed
        self._limit = limit
        self._size = 0
        self.too_large = False

    @property
    def timed_out(self) -> bool:
        return self._timed.timed_out or self.too_large

    def refusal(self) -> Response:
        return _too_large(self._limit) if self.too_large else _timeout_response()

    async def __call__(self) -> Message:
        if self.too_large:
            return {"type": "http.disconnect"}
        message = await self._timed()
        if message["type"] == "http.request":
            self._size += len(message.get("body", b""))
            if self._size > self._limit:
                self.too_large = True
                return {"type": "http.disconnect"}
        return message


def _closing(text: str, status: int) -> Response:
    return PlainTextResponse(text, status_code=status, headers={"Connection": "close"})


def _too_large(limit: int) -> Response:
    return _closing(f"Request body is larger than the limit of {limit} bytes", 413)


def _timeout_response() -> Response:
    return _closing("Request body was not received in time", 408)


class RequestLimitsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limits: RequestLimits = scope["app"].state.settings.limits
        timed = _TimedReceive(receive, limits)
        limit = body_limit(route_path(scope), limits)
        if limit is None:
            await self._streamed(scope, timed, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        if not _is_json(headers):
            # Uploads (multipart, CSV, Arrow) stream to the route, counted as they pass.
            await self._streamed(scope, _CountedReceive(timed, limit), send)
            return
        chunks: list[bytes] = []
        size = 0
        while not timed.body_complete:
            message = await timed()
            if timed.timed_out:
                await _timeout_response()(scope, receive, send)
                return
            if message["type"] != "http.request":
                return  # the client went away: nobody to answer
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _too_large(limit)(scope, receive, send)
                return
            chunks.append(chunk)
        body = b"".join(chunks)
        problem = json_body_problem(body) if body and _is_json(headers) else None
        if problem is not None:
            await problem(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _streamed(self, scope: Scope, timed: _TimedReceive | _CountedReceive, send: Send) -> None:
        started = refused = False

        async def watch(message: Message) -> None:
            nonlocal started, refused
            if refused:
                return
            if message["type"] == "http.response.start" and timed.timed_out and not started:
                # The route answered the stalled or oversized body as a disconnect (or a bad
                # body); the client is told why instead.
                refused = True
                await timed.refusal()(scope, timed, send)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, timed, watch)
        except Exception:
            # The route saw the stalled or oversized body as a disconnect; answer why.
            if not timed.timed_out or started:
                raise
        if timed.timed_out and not started and not refused:
            await timed.refusal()(scope, timed, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` that hands over the already-read body once, then waits for the disconnect."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
