"""Login, logout, the forced password change, and password reset by mail (Phoenix's paths)."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from pyrewatch.auth.policy import Action, decide
from pyrewatch.auth.principal import Via
from pyrewatch.db.session import transaction
from pyrewatch.errors import InvalidInput, Unauthenticated
from pyrewatch.http.identity import (
    REFRESH_COOKIE,
    client_ip_of,
    delete_session_cookies,
    send_reset_mail,
    set_session_cookies,
)
from pyrewatch.http.middleware import principal_of
from pyrewatch.http.web.errors import WebRoute
from pyrewatch.http.web.forms import read_form
from pyrewatch.http.web.render import redirect, render, state_of
from pyrewatch.services import users as user_service
from pyrewatch.services.sessions import LoginLocked, Sessions
from pyrewatch.services.users import ViewerPatch

logger = logging.getLogger(__name__)
router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _sessions(request: Request) -> Sessions | None:
    state = state_of(request)
    return state.sessions if state.settings.enable_auth else None


def _safe_next(value: str | None) -> str:
    """Only a path of this site: never another origin, never the login page itself."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/projects"
    return "/projects" if value.startswith("/login") else value


def _wait_text(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return f"{seconds} seconds" if seconds < 60 else f"{minutes} minute{'s' if minutes != 1 else ''}"


@router.get("/")
async def home(request: Request) -> Response:
    if decide(principal_of(request.scope), Action.READ) is None:
        return redirect(request, "/projects")
    return redirect(request, "/login")


@router.get("/login")
async def login_page(request: Request) -> Response:
    sessions = _sessions(request)
    target = _safe_next(request.query_params.get("next"))
    if sessions is None:
        return redirect(request, target)
    if principal_of(request.scope).via is Via.SESSION:
        return redirect(request, target)
    refresh_token = request.cookies.get(REFRESH_COOKIE)
    if refresh_token:
        # An expired access cookie with a live refresh cookie: renew the session quietly.
        try:
            tokens = await sessions.refresh(refresh_token)
        except Unauthenticated:
            tokens = None
        if tokens is not None:
            response = redirect(request, target)
            set_session_cookies(response, state_of(request).settings, tokens)
            return response
    return render(request, "auth/login.html", {"next": target, "email": ""})


@router.post("/login")
async def login(request: Request) -> Response:
    form = await read_form(request)
    sessions = _sessions(request)
    target = _safe_next(form.get("next"))
    if sessions is None:
        return redirect(request, target)
    email, password = form.get("email"), form.raw("password")
    context = {"next": target, "email": email}
    if not email or not password:
        return render(request, "auth/login.html", context | {"error": "Enter your email and password."}, status=401)
    try:
        tokens = await sessions.login(email, password, client_ip_of(request), request.headers.get("user-agent"))
    except LoginLocked as exc:
        error = f"Too many failed attempts. Try again in {_wait_text(exc.retry_after_seconds)}."
        response = render(request, "auth/login.html", context | {"error": error}, status=429)
        response.headers["Retry-After"] = str(exc.retry_after_seconds)
        return response
    except Unauthenticated as exc:
        return render(request, "auth/login.html", context | {"error": exc.message}, status=401)
    response = redirect(request, target)
    set_session_cookies(response, state_of(request).settings, tokens)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    await read_form(request)
    state = state_of(request)
    sessions = _sessions(request)
    if sessions is None:
        return redirect(request, "/projects")
    await sessions.logout(principal_of(request.scope), request.cookies.get(REFRESH_COOKIE), everywhere=False)
    response = redirect(request, "/login", query="notice=logged-out")
    delete_session_cookies(response, state.settings)
    return response


@router.get("/logout")
async def logout_page(request: Request) -> Response:
    """A link to /logout asks to confirm, so another site cannot log anyone out with a link."""
    if _sessions(request) is None:
        return redirect(request, "/projects")
    return render(request, "auth/logout.html", {})


@router.get("/reset-password")
async def change_password_page(request: Request) -> Response:
    state = state_of(request)
    if not state.settings.enable_auth:
        return redirect(request, "/profile")
    async with transaction(state.session_factory) as session:
        user = await user_service.get_viewer(session, principal_of(request.scope))
    return render(request, "auth/change_password.html", {"user": user, "forced": user.reset_password})


@router.post("/reset-password")
async def change_password(request: Request) -> Response:
    form = await read_form(request)
    state = state_of(request)
    sessions = _sessions(request)
    principal = principal_of(request.scope)
    new_password = form.raw("new_password")
    patch = ViewerPatch(new_password=new_password, current_password=form.raw("current_password"))
    error = None
    if new_password != form.raw("confirm_password"):
        error = "The new passwords do not match."
    elif new_password == patch.current_password:
        error = "Choose a password different from the current one."
    if error is None:
        try:
            async with transaction(state.session_factory) as session:
                user, _ = await user_service.patch_viewer(
                    session, principal, patch, strong_passwords=state.settings.enable_strong_password_policy
                )
        except InvalidInput as exc:
            error = exc.message
    if error is not None or sessions is None:
        async with transaction(state.session_factory) as session:
            viewer = await user_service.get_viewer(session, principal)
        context = {"user": viewer, "forced": viewer.reset_password, "error": error}
        return render(request, "auth/change_password.html", context, status=422)
    # The change ended every session of the user; open a fresh one with the new password.
    tokens = await sessions.login(user.email, new_password, client_ip_of(request), request.headers.get("user-agent"))
    response = redirect(request, "/projects", query="notice=password-changed")
    set_session_cookies(response, state.settings, tokens)
    return response


@router.get("/forgot-password")
async def forgot_password_page(request: Request) -> Response:
    if _sessions(request) is None:
        return redirect(request, "/projects")
    can_mail = state_of(request).mailer is not None
    return render(request, "auth/forgot_password.html", {"can_mail": can_mail, "sent": False})


@router.post("/forgot-password")
async def forgot_password(request: Request) -> Response:
    form = await read_form(request)
    state = state_of(request)
    sessions = _sessions(request)
    mailer = state.mailer
    if sessions is None or mailer is None:
        return redirect(request, "/forgot-password")
    email = form.get("email")
    if email:
        # Mailed after the answer, as on /auth/password-reset-email: the page must look and take
        # the same whether or not the address has an account (a mail failure is only logged).
        state.background.run(send_reset_mail(state.settings, sessions, mailer, email))
    # The same answer whether or not the address has an account.
    return render(request, "auth/forgot_password.html", {"can_mail": True, "sent": True})


@router.get("/reset-password-with-token")
async def reset_with_token_page(request: Request) -> Response:
    if _sessions(request) is None:
        return redirect(request, "/projects")
    token = request.query_params.get("token", "")
    return render(request, "auth/reset_with_token.html", {"token": token})


@router.post("/reset-password-with-token")
async def reset_with_token(request: Request) -> Response:
    form = await read_form(request)
    state = state_of(request)
    sessions = _sessions(request)
    if sessions is None:
        return redirect(request, "/projects")
    token, password = form.get("token"), form.raw("new_password")
    error = None
    if password != form.raw("confirm_password"):
        error = "The passwords do not match."
    else:
        try:
            await sessions.complete_password_reset(token, password)
        except InvalidInput as exc:
            error = exc.message
        except Unauthenticated:
            error = "This link is invalid or has expired. Ask for a new one."
    if error is not None:
        return render(request, "auth/reset_with_token.html", {"token": token, "error": error}, status=422)
    response = redirect(request, "/login", query="notice=password-reset")
    delete_session_cookies(response, state.settings)
    return response
