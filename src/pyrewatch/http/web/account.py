"""API keys: system keys (``/settings/api-keys``, admins) and your own (``/profile``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from pyrewatch.auth.principal import Via
from pyrewatch.db.session import transaction
from pyrewatch.errors import InvalidInput, NotFound
from pyrewatch.http.middleware import principal_of
from pyrewatch.http.web.errors import WebRoute
from pyrewatch.http.web.forms import Form, read_form
from pyrewatch.http.web.render import redirect, render, state_of
from pyrewatch.services import api_keys as key_service
from pyrewatch.services import users as user_service
from pyrewatch.services.api_keys import KeyInput, KeyView, MintedKey

router = APIRouter(route_class=WebRoute, include_in_schema=False)

SYSTEM_KEYS_PATH = "/settings/api-keys"
PROFILE_PATH = "/profile"


def _key_input(form: Form) -> KeyInput:
    expires = form.get("expires_at")
    expires_at = None
    if expires:
        try:
            expires_at = datetime.fromisoformat(expires).replace(tzinfo=UTC)
        except ValueError:
            raise InvalidInput("Enter the expiry as a date and time.") from None
    return KeyInput(name=form.get("name"), description=form.optional("description"), expires_at=expires_at)


def _row(key: KeyView, names: dict[int, str]) -> dict[str, Any]:
    if key.created_via == Via.ADMIN_SECRET.value:
        created_by = "admin secret"
    else:
        created_by = names.get(key.created_by_user_id or 0, "—")
    return {
        "id": key.id,
        "name": key.name,
        "description": key.description,
        "created_by": created_by,
        "created_at": key.created_at,
        "expires_at": key.expires_at,
        "last_used_at": key.last_used_at,
    }


async def _system_keys_page(request: Request, extra: dict[str, Any], status: int = 200) -> Response:
    state = state_of(request)
    principal = principal_of(request.scope)
    if not state.settings.enable_auth:
        return render(request, "settings/auth_off.html", {"title": "API keys"})
    async with transaction(state.session_factory) as session:
        keys = await key_service.list_system_keys(session, principal)
        users = await user_service.list_users(session, principal)
    names = {u.id: u.username for u in users}
    context = {"keys": [_row(k, names) for k in keys], "values": {}} | extra
    return render(request, "settings/api_keys.html", context, status=status)


@router.get(SYSTEM_KEYS_PATH)
async def system_keys(request: Request) -> Response:
    return await _system_keys_page(request, {})


@router.post(SYSTEM_KEYS_PATH)
async def create_system_key(request: Request) -> Response:
    form = await read_form(request)
    state = state_of(request)
    try:
        data = _key_input(form)
        async with transaction(state.session_factory) as session:
            minted = await key_service.create_system_key(
                session, principal_of(request.scope), data, system_user_id=state.system_user_id
            )
    except InvalidInput as exc:
        values = {
            "name": form.get("name"),
            "description": form.get("description"),
            "expires_at": form.get("expires_at"),
        }
        return await _system_keys_page(request, {"error": exc.message, "values": values}, status=422)
    return await _system_keys_page(request, {"minted": minted.token})


async def _find(keys: list[KeyView], key_id: int) -> KeyView:
    for key in keys:
        if key.id == key_id:
            return key
    raise NotFound("API key not found")


@router.get(SYSTEM_KEYS_PATH + "/{key_id}/revoke")
async def confirm_revoke_system_key(request: Request, key_id: int) -> Response:
    state = state_of(request)
    async with transaction(state.session_factory) as session:
        key = await _find(await key_service.list_system_keys(session, principal_of(request.scope)), key_id)
    context = {"key": key, "action": f"{SYSTEM_KEYS_PATH}/{key.id}/revoke", "back": SYSTEM_KEYS_PATH}
    return render(request, "settings/confirm_revoke.html", context)


@router.post(SYSTEM_KEYS_PATH + "/{key_id}/revoke")
async def revoke_system_key(request: Request, key_id: int) -> Response:
    await read_form(request)
    state = state_of(request)
    async with transaction(state.session_factory) as session:
        await key_service.revoke_system_key(session, principal_of(request.scope), key_id)
    return redirect(request, SYSTEM_KEYS_PATH, query="notice=key-revoked")


async def _profile_page(request: Request, extra: dict[str, Any], status: int = 200) -> Response:
    state = state_of(request)
    principal = principal_of(request.scope)
    if not state.settings.enable_auth:
        return render(request, "settings/auth_off.html", {"title": "Profile"})
    async with transaction(state.session_factory) as session:
        user = await user_service.get_viewer(session, principal)
        keys = await key_service.list_own_keys(session, principal)
    names = {user.id: user.username}
    context = {"user": user, "keys": [_row(k, names) for k in keys], "values": {}} | extra
    return render(request, "settings/profile.html", context, status=status)


@router.get(PROFILE_PATH)
async def profile(request: Request) -> Response:
    return await _profile_page(request, {})


@router.post(PROFILE_PATH + "/api-keys")
async def create_user_key(request: Request) -> Response:
    form = await read_form(request)
    state = state_of(request)
    minted: MintedKey
    try:
        data = _key_input(form)
        async with transaction(state.session_factory) as session:
            minted = await key_service.create_user_key(session, principal_of(request.scope), data)
    except InvalidInput as exc:
        values = {
            "name": form.get("name"),
            "description": form.get("description"),
            "expires_at": form.get("expires_at"),
        }
        return await _profile_page(request, {"error": exc.message, "values": values}, status=422)
    return await _profile_page(request, {"minted": minted.token})


@router.get(PROFILE_PATH + "/api-keys/{key_id}/revoke")
async def confirm_revoke_user_key(request: Request, key_id: int) -> Response:
    state = state_of(request)
    async with transaction(state.session_factory) as session:
        key = await _find(await key_service.list_own_keys(session, principal_of(request.scope)), key_id)
    context = {"key": key, "action": f"{PROFILE_PATH}/api-keys/{key.id}/revoke", "back": PROFILE_PATH}
    return render(request, "settings/confirm_revoke.html", context)


@router.post(PROFILE_PATH + "/api-keys/{key_id}/revoke")
async def revoke_user_key(request: Request, key_id: int) -> Response:
    await read_form(request)
    state = state_of(request)
    async with transaction(state.session_factory) as session:
        await key_service.revoke_user_key(session, principal_of(request.scope), key_id)
    return redirect(request, PROFILE_PATH, query="notice=key-revoked")
