"""``User`` and ``UserRole``."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from pyrewatch.auth.policy import NotAllowed
from pyrewatch.auth.principal import Role
from pyrewatch.db.models import User as UserRow
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.errors import GraphQLDenied
from pyrewatch.http.graphql.types.node import Node
from pyrewatch.http.graphql.types.pagination import PageInfo
from pyrewatch.ids import encode_global_id
from pyrewatch.services.api_keys import KeyView
from pyrewatch.services.provisioning import DEFAULT_ADMIN_EMAIL

if TYPE_CHECKING:
    from pyrewatch.http.graphql.types.api_keys import UserApiKey


@strawberry.enum
class AuthMethod(Enum):
    LOCAL = "LOCAL"
    OAUTH2 = "OAUTH2"
    LDAP = "LDAP"


@strawberry.type
class UserRole(Node):
    name: str


# Role ids as Phoenix numbers them: SYSTEM 1, ADMIN 2, MEMBER 3, VIEWER 4.
ROLE_IDS = {role.value: number for number, role in enumerate(Role, start=1)}


def role_type(name: str) -> UserRole:
    return UserRole(id=strawberry.ID(encode_global_id("UserRole", ROLE_IDS[name])), name=name)


@strawberry.type
class User(Node):
    user_id: strawberry.Private[int]
    email: str | None
    username: str
    created_at: datetime
    password_needs_reset: bool
    auth_method: AuthMethod
    role: UserRole
    profile_picture_url: str | None = None

    async def _keys(self, context: Context) -> list[KeyView]:
        try:
            return await context.loaders.user_keys.load(self.user_id)
        except NotAllowed:
            raise GraphQLDenied("User not authorized to access credentials") from None

    @strawberry.field
    async def api_keys(
        self, info: strawberry.Info[Context, None]
    ) -> list[Annotated[UserApiKey, strawberry.lazy("pyrewatch.http.graphql.types.api_keys")]]:
        from pyrewatch.http.graphql.types.api_keys import UserApiKey

        return [UserApiKey.from_view(key) for key in await self._keys(info.context)]

    @strawberry.field
    async def api_key_count(self, info: strawberry.Info[Context, None]) -> int:
        return len(await self._keys(info.context))

    @strawberry.field
    def is_management_user(self, info: strawberry.Info[Context, None]) -> bool:
        """The default admin or an admin declared in ``PHOENIX_ADMINS``."""
        declared = {email for _, email in info.context.state.settings.admins}
        return self.email == DEFAULT_ADMIN_EMAIL or self.email in declared

    @classmethod
    def from_row(cls, row: UserRow) -> User:
        return cls(
            id=strawberry.ID(encode_global_id("User", row.id)),
            user_id=row.id,
            email=row.email,
            username=row.username,
            created_at=row.created_at,
            password_needs_reset=row.reset_password,
            auth_method=AuthMethod(row.auth_method),
            role=role_type(row.role),
        )


@strawberry.type
class UserEdge:
    cursor: str
    node: User


@strawberry.type
class UserConnection:
    edges: list[UserEdge]
    page_info: PageInfo
