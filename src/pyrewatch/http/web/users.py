"""Users (``/settings/users``, admins): list, create, change role, reset password, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from pyrewatch.auth.principal import ASSIGNABLE_ROLES
from pyrewatch.db.models import User
from pyrewatch.db.session import transaction
from pyrewatch.errors import BadRequest, Conflict, Forbidden, InvalidInput, NotFound
from pyrewatch.http.middleware import principal_of
from pyrewatch.http.web.errors import WebRoute
from pyrewatch.http.web.forms import read_form
from pyrewatch.http.web.render import redirect, render, state_of
from pyrewatch.services import users as user_service
from pyrewatch.services.users import NewUser, UserPatch

router = APIRouter(route_class=WebRoute, include_in_schema=False)

USERS_PATH = "/settings/users"
_FORM_ERRORS = (InvalidInput, BadRequest, Conflict, Forbidden)


async def _page(request: Request, extra: dict[str, Any], status: int = 200) -> Response:
    state = state_of(request)
    if not state.settings.enable_auth:
        return render(request, "settings/auth_off.html", {"title": "Users"})
    async with transaction(state.session_factory) as session:
        users = await user_service.list_users(session, principal_of(request.scope))
    context = {"users": users, "roles": ASSIGNABLE_ROLES, "values": {}} | extra
    return render(request, "settings/users.html", context, status=status)


async def _user(request: Request, user_id: int) -> User:
    async with transaction(state_of(request).session_factory) as session:
        users = await user_service.list_users(session, principal_of(request.scope))
    for user in users:
        if user.id == user_id:
            return user
    raise NotFound("User not found")


@router.get(USERS_PATH)
async def users_page(request: Request) -> Response:
    return await _page(request, {})


@router.post(USERS_PATH)
async def create_user(request: Request) -> Response:
    form = await read_form(request)
    state = state_of(request)
    data = NewUser(
        email=form.get("email"),
        username=form.get("username"),
        role=form.get("role"),
        password=form.raw("password"),
    )
    try:
        async with transaction(state.session_factory) as session:
            await user_service.create_user(
                session,
                principal_of(request.scope),
                data,
                strong_passwords=state.settings.enable_strong_password_policy,
            )
    except _FORM_ERRORS as exc:
        values = {"email": data.email, "username": data.username, "role": data.role}
        return await _page(request, {"error": exc.message, "values": values}, status=422)
    return redirect(request, USERS_PATH, query="notice=user-created")


async def _patch(request: Request, patch: UserPatch) -> str | None:
    state = state_of(request)
    try:
        async with transaction(state.session_factory) as session:
            await user_service.patch_user(
                session,
                principal_of(request.scope),
                patch,
                strong_passwords=state.settings.enable_strong_password_policy,
            )
    except _FORM_ERRORS as exc:
        return exc.message
    return None


@router.post(USERS_PATH + "/{user_id}/role")
async def change_role(request: Request, user_id: int) -> Response:
    form = await read_form(request)
    error = await _patch(request, UserPatch(user_id=user_id, new_role=form.get("role")))
    if error is not None:
        return await _page(request, {"error": error}, status=422)
    return redirect(request, USERS_PATH, query="notice=user-updated")


@router.get(USERS_PATH + "/{user_id}/password")
async def reset_password_page(request: Request, user_id: int) -> Response:
    return render(request, "settings/user_password.html", {"user": await _user(request, user_id)})


@router.post(USERS_PATH + "/{user_id}/password")
async def reset_password(request: Request, user_id: int) -> Response:
    form = await read_form(request)
    error = await _patch(request, UserPatch(user_id=user_id, new_password=form.raw("password")))
    if error is not None:
        context = {"user": await _user(request, user_id), "error": error}
        return render(request, "settings/user_password.html", context, status=422)
    return redirect(request, USERS_PATH, query="notice=user-updated")


@router.get(USERS_PATH + "/{user_id}/delete")
async def confirm_delete(request: Request, user_id: int) -> Response:
    return render(request, "settings/user_delete.html", {"user": await _user(request, user_id)})


@router.post(USERS_PATH + "/{user_id}/delete")
async def delete_user(request: Request, user_id: int) -> Response:
    await read_form(request)
    state = state_of(request)
    try:
        async with transaction(state.session_factory) as session:
            await user_service.delete_users(session, principal_of(request.scope), [user_id])
    except Forbidden as exc:
        return await _page(request, {"error": exc.message}, status=403)
    return redirect(request, USERS_PATH, query="notice=user-deleted")
