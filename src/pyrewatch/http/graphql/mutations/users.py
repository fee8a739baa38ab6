"""Mutations for users: ``createUser``, ``patchUser``, ``patchViewer``, ``resetPassword`` and
``deleteUsers``. Each runs the service in its own transaction; the service registers the
eviction of the affected users' cached credentials, which the commit carries out."""

from __future__ import annotations

from enum import Enum

import strawberry

from pyrewatch.auth.policy import Action
from pyrewatch.auth.principal import Principal
from pyrewatch.db.session import Session
from pyrewatch.errors import NotFound
from pyrewatch.http.graphql.calls import call_service
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.errors import GraphQLDenied
from pyrewatch.http.graphql.permissions import require
from pyrewatch.http.graphql.types.users import AuthMethod, User
from pyrewatch.http.identity import delete_session_cookies
from pyrewatch.ids import parse_typed_global_id
from pyrewatch.services import users as service
from pyrewatch.services.users import MISSING_USERS, NewUser, UserNotDeletable, UserPatch, ViewerPatch


@strawberry.enum
class UserRoleInput(Enum):
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"
    VIEWER = "VIEWER"


@strawberry.input
class CreateUserInput:
    email: str
    username: str
    role: UserRoleInput
    password: str | None = None
    send_welcome_email: bool | None = False
    auth_method: AuthMethod | None = AuthMethod.LOCAL


@strawberry.input
class PatchUserInput:
    user_id: strawberry.ID
    new_role: UserRoleInput | None = None
    new_username: str | None = None
    new_password: str | None = None


@strawberry.input
class PatchViewerInput:
    new_username: str | None = None
    new_password: str | None = None
    current_password: str | None = None


@strawberry.input
class DeleteUsersInput:
    user_ids: list[strawberry.ID]


@strawberry.type
class UserMutationPayload:
    user: User


@strawberry.type
class DeleteUsersPayload:
    user_ids: list[strawberry.ID]


def _strong(context: Context) -> bool:
    return context.state.settings.enable_strong_password_policy


async def _patch_viewer(context: Context, patch: ViewerPatch) -> UserMutationPayload:
    user, password_changed = await call_service(
        context, lambda s: service.patch_viewer(s, context.principal, patch, strong_passwords=_strong(context))
    )
    if password_changed:
        delete_session_cookies(context.http_response, context.state.settings)
    return UserMutationPayload(user=User.from_row(user))


async def _delete_users(session: Session, principal: Principal, ids: list[int]) -> None:
    try:
        await service.delete_users(session, principal, ids)
    except UserNotDeletable as exc:
        if exc.is_system:
            # GraphQL treats the system user as one that does not exist (docs/compatibility.md).
            raise NotFound(MISSING_USERS) from None
        raise


@strawberry.type
class UsersMutation:
    @strawberry.mutation
    async def create_user(self, info: strawberry.Info[Context, None], input: CreateUserInput) -> UserMutationPayload:
        context = info.context
        data = NewUser(
            email=input.email,
            username=input.username,
            role=input.role.value,
            password=input.password,
            auth_method=(input.auth_method or AuthMethod.LOCAL).value,
        )
        row = await call_service(
            context, lambda s: service.create_user(s, context.principal, data, strong_passwords=_strong(context))
        )
        return UserMutationPayload(user=User.from_row(row))

    @strawberry.mutation
    async def patch_user(self, info: strawberry.Info[Context, None], input: PatchUserInput) -> UserMutationPayload:
        context = info.context
        require(context, Action.MANAGE_USERS)
        user_id = parse_typed_global_id(str(input.user_id), "User")
        if user_id is None:
            raise GraphQLDenied(f"Invalid User GlobalID format: {input.user_id}")
        patch = UserPatch(
            user_id=user_id,
            new_role=None if input.new_role is None else input.new_role.value,
            new_username=input.new_username,
            new_password=input.new_password,
        )
        row = await call_service(
            context, lambda s: service.patch_user(s, context.principal, patch, strong_passwords=_strong(context))
        )
        return UserMutationPayload(user=User.from_row(row))

    @strawberry.mutation
    async def patch_viewer(self, info: strawberry.Info[Context, None], input: PatchViewerInput) -> UserMutationPayload:
        patch = ViewerPatch(input.new_username, input.new_password, input.current_password)
        return await _patch_viewer(info.context, patch)

    @strawberry.mutation
    async def reset_password(
        self, info: strawberry.Info[Context, None], input: PatchViewerInput
    ) -> UserMutationPayload:
        """Change one's own password (the page a must-reset session is sent to)."""
        if input.new_password is None:
            raise GraphQLDenied("newPassword is required")
        patch = ViewerPatch(None, input.new_password, input.current_password)
        return await _patch_viewer(info.context, patch)

    @strawberry.mutation
    async def delete_users(self, info: strawberry.Info[Context, None], input: DeleteUsersInput) -> DeleteUsersPayload:
        context = info.context
        require(context, Action.MANAGE_USERS)
        ids: list[int] = []
        for global_id in input.user_ids:
            user_id = parse_typed_global_id(str(global_id), "User")
            if user_id is None:
                raise GraphQLDenied(f"Invalid user ID: '{global_id}'")
            ids.append(user_id)
        await call_service(context, lambda s: _delete_users(s, context.principal, ids))
        return DeleteUsersPayload(user_ids=list(input.user_ids))
