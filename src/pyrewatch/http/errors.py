"""The single table that maps domain errors to HTTP responses.

Like Phoenix, route errors are plain text (the body is the message); request-validation errors
stay FastAPI's JSON 422. A 401 carries ``WWW-Authenticate`` when auth is on.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Match

from pyrewatch.auth.policy import NotAllowed
from pyrewatch.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Overloaded,
    PyrewatchError,
    Unauthenticated,
)
from pyrewatch.http.json_response import dumps
from pyrewatch.http.origin import www_authenticate
from pyrewatch.http.state import AppState

logger = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[PyrewatchError], int] = {
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    InvalidInput: 422,
    BadRequest: 400,
    Unauthenticated: 401,
    Overloaded: 503,
}


def unauthenticated_response(request: Request, message: str) -> Response:
    state: AppState = request.app.state.pyrewatch
    headers = {}
    if state.settings.enable_auth:
        headers["WWW-Authenticate"] = www_authenticate(request, state.settings)
    return PlainTextResponse(message, status_code=401, headers=headers)


def error_response(request: Request, exc: PyrewatchError) -> Response:
    if isinstance(exc, NotAllowed):
        if exc.denial.status == 401:
            return unauthenticated_response(request, exc.denial.rest_message)
        return PlainTextResponse(exc.denial.rest_message, status_code=exc.denial.status)
    if isinstance(exc, Unauthenticated):
        return unauthenticated_response(request, exc.message)
    headers = {}
    if isinstance(exc, Overloaded):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    status = next((code for kind, code in STATUS_BY_ERROR.items() if isinstance(exc, kind)), 400)
    return PlainTextResponse(exc.message, status_code=status, headers=headers)


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PyrewatchError)
    return error_response(request, exc)


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 401:
        return unauthenticated_response(request, str(exc.detail))
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    headers = exc.headers
    if exc.status_code == 405:
        # Starlette names only the first route whose path matched; a path served by several
        # routes (GET and POST /v1/projects) allows the methods of all of them.
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return PlainTextResponse(str(exc.detail), status_code=exc.status_code, headers=headers)


_PROBED_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> str:
    allowed = [
        method
        for method in _PROBED_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in request.app.router.routes
        )
    ]
    return ", ".join(allowed)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    # FastAPI's JSON body, serialized so that an echoed NaN or Infinity input becomes null
    # instead of failing the response.
    return Response(
        dumps({"detail": jsonable_encoder(exc.errors())}).encode(), status_code=422, media_type="application/json"
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(PyrewatchError, _domain_error)
    app.add_exception_handler(HTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _validation_error)
