"""Browser session endpoints: ``/auth/*`` (login, logout, refresh, password reset).

Status codes and texts follow Phoenix; ``/auth/*`` exists only with auth on (404 otherwise).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from pyrewatch.auth.principal import Principal
from pyrewatch.http.deps import AppStateDep, PrincipalDep
from pyrewatch.http.errors import unauthenticated_response
from pyrewatch.http.identity import (
    REFRESH_COOKIE,
    client_ip_of,
    delete_session_cookies,
    send_reset_mail,
    set_session_cookies,
)
from pyrewatch.http.state import AppState
from pyrewatch.services.sessions import LoginLocked, Sessions

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/auth", include_in_schema=False)


async def _json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object, or ``{}`` when it is absent or not an object."""
    body = await request.body()
    try:
        value = json.loads(body) if body else {}
    except (ValueError, UnicodeDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _service(state: AppState) -> Sessions | None:
    if not state.settings.enable_auth:
        return None
    return state.sessions


def _not_found() -> Response:
    return PlainTextResponse("Not Found", status_code=404)


@router.post("/login")
async def login(request: Request, state: AppStateDep) -> Response:
    sessions = _service(state)
    if sessions is None:
        return _not_found()
    data = await _json_object(request)
    email, password = _text(data, "email"), _text(data, "password")
    if email is None or password is None:
        return unauthenticated_response(request, "Email and password required")
    try:
        tokens = await sessions.login(email, password, client_ip_of(request), request.headers.get("user-agent"))
    except LoginLocked as exc:
        return PlainTextResponse(exc.message, status_code=429, headers={"Retry-After": str(exc.retry_after_seconds)})
    response = Response(status_code=204)
    set_session_cookies(response, state.settings, tokens)
    return response


async def _logout(request: Request, state: AppState, principal: Principal) -> None:
    sessions = _service(state)
    if sessions is None:
        return
    everywhere = request.query_params.get("everywhere", "").lower() in ("true", "1")
    await sessions.logout(principal, request.cookies.get(REFRESH_COOKIE), everywhere=everywhere)


@router.post("/logout")
async def logout(request: Request, state: AppStateDep, principal: PrincipalDep) -> Response:
    if _service(state) is None:
        return _not_found()
    await _logout(request, state, principal)
    response = Response(status_code=204)
    delete_session_cookies(response, state.settings)
    return response


@router.get("/logout")
async def logout_get(request: Request, state: AppStateDep, principal: PrincipalDep) -> Response:
    """Phoenix's form: end the session and redirect to the login page."""
    if _service(state) is None:
        return _not_found()
    await _logout(request, state, principal)
    response = RedirectResponse(f"{state.settings.host_root_path}/login", status_code=302)
    delete_session_cookies(response, state.settings)
    return response


@router.post("/refresh")
async def refresh(request: Request, state: AppStateDep) -> Response:
    sessions = _service(state)
    if sessions is None:
        return _not_found()
    token = request.cookies.get(REFRESH_COOKIE)
    if not token:
        return unauthenticated_response(request, "Missing refresh token")
    tokens = await sessions.refresh(token)
    response = Response(status_code=204)
    set_session_cookies(response, state.settings, tokens)
    return response


@router.post("/password-reset-email")
async def password_reset_email(request: Request, state: AppStateDep) -> Response:
    sessions = _service(state)
    if sessions is None:
        return _not_found()
    email = _text(await _json_object(request), "email")
    if email is None:
        return PlainTextResponse("Email required", status_code=422)
    mailer = state.mailer
    if mailer is None:
        return PlainTextResponse("SMTP server not configured", status_code=503)
    # The answer is the same, and as fast, whether or not the email has an account: the token
    # and the mail are made afterwards, in the background.
    state.background.run(send_reset_mail(state.settings, sessions, mailer, email))
    return Response(status_code=204)


@router.post("/password-reset")
async def password_reset(request: Request, state: AppStateDep) -> Response:
    sessions = _service(state)
    if sessions is None:
        return _not_found()
    data = await _json_object(request)
    password = _text(data, "password")
    if password is None:
        return PlainTextResponse("Password required", status_code=422)
    token = _text(data, "token")
    if token is None:
        return unauthenticated_response(request, "Invalid token")
    await sessions.complete_password_reset(token, password)
    response = Response(status_code=204)
    delete_session_cookies(response, state.settings)
    return response
