"""Mutations for users: ``createUser``, ``patchUser``, ``patchViewer``, ``resetPassword`` and
``deleteUsers``. Each runs the service in its own transaction and evicts cached credentials of
the affected users once it has committed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum
from typing import TypeVar

import strawberry

from pyrewatch.auth.policy import Action, NotAllowed
from pyrewatch.db.session import Session, transaction
from pyrewatch.errors import PyrewatchError
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.errors import GraphQLDenied, deny
from pyrewatch.http.graphql.permissions import require
from pyrewatch.http.graphql.types.users import AuthMethod, User
from pyrewatch.http.identity import delete_session_cookies
from pyrewatch.ids import parse_typed_global_id
from pyrewatch.services import users as service
from pyrewatch.services.users import NewUser, UserPatch, ViewerPatch

T = TypeVar("T")


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


async def _run(context: Context, call: Callable[[Session], Awaitable[T]]) -> T:
    try:
        async with transaction(context.state.session_factory) as session:
            return await call(session)
    except NotAllowed as exc:
        raise deny(exc.denial) from None
    except PyrewatchError as exc:
        raise GraphQLDenied(exc.message) from None


def _strong(context: Context) -> bool:
    return context.state.settings.enable_strong_password_policy


async def _patch_viewer(context: Context, patch: ViewerPatch) -> UserMutationPayload:
    user, password_changed = await _run(
        context, lambda s: service.patch_viewer(s, context.principal, patch, strong_passwords=_strong(context))
    )
    if password_changed:
        context.state.authenticator.invalidate_user(user.id)
        delete_session_cookies(context.http_response, context.state.settings)
    return UserMutationPayload(user=User.from_row(user))


@strawberry.type
class UsersMutation:
    @strawberry.mutation
    async def create_user(self, info: strawberry.Info[Context, None], input: CreateUserInput) -> UserMutationPayload:
        context = info.context
        require(context, Action.MANAGE_USERS)
        data = NewUser(
            email=input.email,
            username=input.username,
            role=input.role.value,
            password=input.password,
            auth_method=(input.auth_method or AuthMethod.LOCAL).value,
        )
        row = await _run(
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
        row = await _run(
            context, lambda s: service.patch_user(s, context.principal, patch, strong_passwords=_strong(context))
        )
        context.state.authenticator.invalidate_user(row.id)
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
        deleted = await _run(context, lambda s: service.delete_users(s, context.principal, ids))
        for user_id in deleted:
            context.state.authenticator.invalidate_user(user_id)
        return DeleteUsersPayload(user_ids=list(input.user_ids))
