"""REST /v1 API-key routes (Phoenix's paths, shapes and status codes).

Revocation evicts the key from every replica's credential cache as part of its commit (an
effect the service registers), so the very next request with that key is refused.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from starlette.responses import Response

from pyrewatch.auth.policy import Action
from pyrewatch.errors import InvalidInput
from pyrewatch.http.deps import AppStateDep, PrincipalDep, SessionDep, guard
from pyrewatch.http.json_response import json_response
from pyrewatch.http.rest.v1.schemas.api_keys import (
    ApiKey,
    ApiKeyUser,
    CreateApiKeyRequestBody,
    CreateApiKeyResponseBody,
    CreatedApiKey,
    GetAllUserApiKeysResponseBody,
    GetApiKeysResponseBody,
    RotateApiKeyRequestBody,
    UserApiKey,
)
from pyrewatch.ids import encode_global_id, parse_typed_global_id
from pyrewatch.services import api_keys as service
from pyrewatch.services import key_rotation
from pyrewatch.services.api_keys import KeyInput, MintedKey

router = APIRouter(prefix="/v1", tags=["api_keys"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Unauthorized"},
    403: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Forbidden"},
    422: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Unprocessable Entity"},
}


def _json(model: BaseModel, status: int = 200, **always: object) -> Response:
    """Serialize with unset optional fields omitted, as Phoenix does; ``always`` keys stay even when null."""
    return json_response(model.model_dump(mode="json", exclude_none=True) | always, status_code=status)


def _created(minted: MintedKey, type_name: str) -> Response:
    body = ApiKey.from_view(minted.key, type_name).model_dump()
    return _json(CreateApiKeyResponseBody(data=CreatedApiKey(**body, key=minted.token)), status=201)


def _input(body: CreateApiKeyRequestBody) -> KeyInput:
    data = body.data
    return KeyInput(
        name=data.name,
        description=data.description,
        expires_at=data.expires_at,
        scopes=data.scopes,
        projects=data.projects,
    )


@router.get("/system/api_keys", operation_id="getSystemApiKeys", summary="List system API keys", responses=_ERRORS)
async def get_system_api_keys(session: SessionDep, principal: PrincipalDep) -> Response:
    keys = await service.list_system_keys(session, principal)
    return _json(GetApiKeysResponseBody(data=[ApiKey.from_view(k, "SystemApiKey") for k in keys]))


@router.post(
    "/system/api_keys",
    operation_id="createSystemApiKey",
    summary="Create a system API key",
    status_code=201,
    responses=_ERRORS,
    response_model=CreateApiKeyResponseBody,
)
async def create_system_api_key(
    body: CreateApiKeyRequestBody, state: AppStateDep, session: SessionDep, principal: PrincipalDep
) -> Response:
    minted = await service.create_system_key(session, principal, _input(body), system_user_id=state.system_user_id)
    return _created(minted, "SystemApiKey")


@router.delete(
    "/system/api_keys/{api_key_id}",
    operation_id="deleteSystemApiKey",
    summary="Revoke a system API key",
    status_code=204,
    responses=_ERRORS,
    dependencies=[guard(Action.REVOKE_SYSTEM_KEY)],
)
async def delete_system_api_key(api_key_id: str, session: SessionDep, principal: PrincipalDep) -> Response:
    row_id = parse_typed_global_id(api_key_id, "SystemApiKey")
    if row_id is None:
        raise InvalidInput(f"Invalid SystemApiKey GlobalID format: {api_key_id}")
    await service.revoke_system_key(session, principal, row_id)
    return Response(status_code=204)


@router.get("/user/api_keys", operation_id="getUserApiKeys", summary="List your API keys", responses=_ERRORS)
async def get_user_api_keys(session: SessionDep, principal: PrincipalDep) -> Response:
    keys = await service.list_own_keys(session, principal)
    return _json(GetApiKeysResponseBody(data=[ApiKey.from_view(k, "UserApiKey") for k in keys]))


@router.post(
    "/user/api_keys",
    operation_id="createUserApiKey",
    summary="Create an API key for yourself",
    status_code=201,
    responses=_ERRORS,
    response_model=CreateApiKeyResponseBody,
)
async def create_user_api_key(body: CreateApiKeyRequestBody, session: SessionDep, principal: PrincipalDep) -> Response:
    minted = await service.create_user_key(session, principal, _input(body))
    return _created(minted, "UserApiKey")


@router.delete(
    "/user/api_keys/{api_key_id}",
    operation_id="deleteUserApiKey",
    summary="Revoke a user API key",
    status_code=204,
    responses=_ERRORS,
    dependencies=[guard(Action.REVOKE_USER_KEY, as_owner=True)],
)
async def delete_user_api_key(api_key_id: str, session: SessionDep, principal: PrincipalDep) -> Response:
    row_id = parse_typed_global_id(api_key_id, "UserApiKey")
    if row_id is None:
        raise InvalidInput(f"Invalid UserApiKey GlobalID format: {api_key_id}")
    await service.revoke_user_key(session, principal, row_id)
    return Response(status_code=204)


@router.get(
    "/users/api_keys",
    operation_id="getAllUserApiKeys",
    summary="List every user's API keys",
    responses=_ERRORS,
    dependencies=[guard(Action.LIST_ALL_USER_KEYS)],
)
async def get_all_user_api_keys(
    session: SessionDep,
    principal: PrincipalDep,
    cursor: Annotated[str | None, Query(description="Cursor for pagination (a UserApiKey GlobalID).")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="The maximum number of keys to return.")] = 100,
) -> Response:
    cursor_id = None
    if cursor is not None:
        cursor_id = parse_typed_global_id(cursor, "UserApiKey")
        if cursor_id is None:
            raise InvalidInput(f"Invalid UserApiKey GlobalID format: {cursor}")
    keys, next_id = await service.list_all_user_keys(session, principal, limit=limit, cursor=cursor_id)
    data = []
    for key in keys:
        assert key.owner is not None
        user = ApiKeyUser(id=encode_global_id("User", key.owner.id), username=key.owner.username, email=key.owner.email)
        data.append(UserApiKey(**ApiKey.from_view(key, "UserApiKey").model_dump(), user=user))
    next_cursor = None if next_id is None else encode_global_id("UserApiKey", next_id)
    return _json(GetAllUserApiKeysResponseBody(data=data, next_cursor=next_cursor), next_cursor=next_cursor)


def _key_row_id(api_key_id: str, type_name: str) -> int:
    row_id = parse_typed_global_id(api_key_id, type_name)
    if row_id is None:
        raise InvalidInput(f"Invalid {type_name} GlobalID format: {api_key_id}")
    return row_id


@router.post(
    "/system/api_keys/{api_key_id}/rotate",
    operation_id="rotateSystemApiKey",
    summary="Replace a system API key; the old one keeps working for a grace period",
    status_code=201,
    responses=_ERRORS,
    response_model=CreateApiKeyResponseBody,
    dependencies=[guard(Action.CREATE_SYSTEM_KEY)],
)
async def rotate_system_api_key(
    api_key_id: str, session: SessionDep, principal: PrincipalDep, body: RotateApiKeyRequestBody | None = None
) -> Response:
    grace = (body or RotateApiKeyRequestBody()).grace_seconds
    row_id = _key_row_id(api_key_id, "SystemApiKey")
    minted = await key_rotation.rotate_system_key(session, principal, row_id, grace_seconds=grace)
    return _created(minted, "SystemApiKey")


@router.post(
    "/user/api_keys/{api_key_id}/rotate",
    operation_id="rotateUserApiKey",
    summary="Replace a user API key; the old one keeps working for a grace period",
    status_code=201,
    responses=_ERRORS,
    response_model=CreateApiKeyResponseBody,
    dependencies=[guard(Action.CREATE_USER_KEY)],
)
async def rotate_user_api_key(
    api_key_id: str, session: SessionDep, principal: PrincipalDep, body: RotateApiKeyRequestBody | None = None
) -> Response:
    grace = (body or RotateApiKeyRequestBody()).grace_seconds
    row_id = _key_row_id(api_key_id, "UserApiKey")
    minted = await key_rotation.rotate_user_key(session, principal, row_id, grace_seconds=grace)
    return _created(minted, "UserApiKey")
