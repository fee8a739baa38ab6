"""REST /v1 routes: users (``GET/POST /v1/users``, ``DELETE /v1/users/{user_id}``, ``GET /v1/user``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from pyrewatch.auth.policy import Action
from pyrewatch.auth.principal import Via
from pyrewatch.clock import isoformat
from pyrewatch.db.models import User
from pyrewatch.errors import Forbidden, InvalidInput, NotFound
from pyrewatch.http.deps import PrincipalDep, SessionDep, SettingsDep, guard
from pyrewatch.http.json_response import json_response
from pyrewatch.ids import decode_global_id, encode_global_id, parse_typed_global_id
from pyrewatch.services import users as service
from pyrewatch.services.users import NewUser, UserNotDeletable

router = APIRouter(prefix="/v1", tags=["users"])

RoleName = Literal["SYSTEM", "ADMIN", "MEMBER", "VIEWER"]
MAX_PAGE_SIZE = 1000


class LocalUserData(BaseModel):
    email: str
    username: str
    role: RoleName
    auth_method: Literal["LOCAL"]
    password: str | None = None


class OAuth2UserData(BaseModel):
    email: str
    username: str
    role: RoleName
    auth_method: Literal["OAUTH2"]
    oauth2_client_id: str | None = None
    oauth2_user_id: str | None = None


class LDAPUserData(BaseModel):
    email: str
    username: str
    role: RoleName
    auth_method: Literal["LDAP"]


class CreateUserRequestBody(BaseModel):
    user: Annotated[LocalUserData | OAuth2UserData | LDAPUserData, Field(discriminator="auth_method")]
    send_welcome_email: bool = True


def user_json(row: User) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": encode_global_id("User", row.id),
        "created_at": isoformat(row.created_at),
        "updated_at": isoformat(row.updated_at),
        "email": row.email or "",
        "username": row.username,
        "role": row.role,
        "auth_method": row.auth_method,
    }
    if row.auth_method == "LOCAL":
        data["password_needs_reset"] = row.reset_password
    return data


@router.get("/user", operation_id="getViewer", summary="Get the authenticated user")
async def get_viewer(session: SessionDep, principal: PrincipalDep) -> Response:
    if principal.via is Via.AUTH_DISABLED:
        return json_response({"data": {"auth_method": "ANONYMOUS"}})
    row = await service.get_viewer(session, principal)
    return json_response({"data": user_json(row)})


@router.get("/users", operation_id="getUsers", summary="List all users", dependencies=[guard(Action.LIST_USERS)])
async def get_users(
    session: SessionDep,
    principal: PrincipalDep,
    cursor: Annotated[str | None, Query(description="Cursor for pagination (base64-encoded user ID)")] = None,
    limit: Annotated[int, Query(gt=0, le=MAX_PAGE_SIZE, description="The max number of users to return.")] = 100,
) -> Response:
    cursor_id: int | None = None
    if cursor is not None:
        decoded = decode_global_id(cursor)
        if decoded is None:
            raise InvalidInput(f"Invalid cursor format: {cursor}")
        cursor_id = decoded[1]
    rows, next_id = await service.list_users_page(session, principal, limit=limit, cursor=cursor_id)
    next_cursor = None if next_id is None else encode_global_id("User", next_id)
    return json_response({"data": [user_json(r) for r in rows], "next_cursor": next_cursor})


@router.post("/users", operation_id="createUser", summary="Create a new user", status_code=201)
async def create_user(
    body: CreateUserRequestBody, settings: SettingsDep, session: SessionDep, principal: PrincipalDep
) -> Response:
    user = body.user
    data = NewUser(
        email=user.email,
        username=user.username,
        role=user.role,
        password=user.password if isinstance(user, LocalUserData) else None,
        auth_method=user.auth_method,
        generate_missing_password=True,
    )
    row = await service.create_user(session, principal, data, strong_passwords=settings.enable_strong_password_policy)
    return json_response({"data": user_json(row)}, status_code=201)


@router.delete(
    "/users/{user_id}",
    operation_id="deleteUser",
    summary="Delete a user by ID",
    status_code=204,
    dependencies=[guard(Action.MANAGE_USERS)],
)
async def delete_user(user_id: str, session: SessionDep, principal: PrincipalDep) -> Response:
    row_id = parse_typed_global_id(user_id, "User")
    if row_id is None:
        raise InvalidInput(f"Invalid User GlobalID format: {user_id}")
    try:
        await service.delete_users(session, principal, [row_id])
    except UserNotDeletable:
        # REST's wording (and status) for both protected users; see docs/compatibility.md.
        raise Forbidden("Cannot delete the default admin or system user") from None
    except NotFound:
        raise NotFound("User not found") from None
    return Response(status_code=204)
