"""``ApiKey``, ``UserApiKey`` and ``SystemApiKey``, with Phoenix's names."""

from __future__ import annotations

from datetime import datetime

import strawberry

from pyrewatch.auth.policy import NotAllowed
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.errors import deny
from pyrewatch.http.graphql.types.node import Node
from pyrewatch.http.graphql.types.users import User
from pyrewatch.ids import encode_global_id
from pyrewatch.services.api_keys import KeyView


@strawberry.interface
class ApiKey:
    name: str
    description: str | None
    created_at: datetime
    expires_at: datetime | None
    # Pyrewatch additions (Phoenix has none of these). ``scopes`` and ``projects`` are null for
    # the owner's full role and for every project.
    last_used_at: datetime | None
    scopes: list[str] | None
    projects: list[str] | None


@strawberry.type
class SystemApiKey(ApiKey, Node):
    @classmethod
    def from_view(cls, key: KeyView) -> SystemApiKey:
        return cls(
            id=strawberry.ID(encode_global_id("SystemApiKey", key.id)),
            name=key.name,
            description=key.description,
            created_at=key.created_at,
            expires_at=key.expires_at,
            last_used_at=key.last_used_at,
            scopes=None if key.scopes is None else list(key.scopes),
            projects=None if key.projects is None else list(key.projects),
        )


@strawberry.type
class UserApiKey(ApiKey, Node):
    owner_id: strawberry.Private[int]

    @strawberry.field
    async def user(self, info: strawberry.Info[Context, None]) -> User:
        try:
            row = await info.context.loaders.users.load(self.owner_id)
        except NotAllowed as exc:
            raise deny(exc.denial) from None
        return User.from_row(row)

    @classmethod
    def from_view(cls, key: KeyView) -> UserApiKey:
        return cls(
            id=strawberry.ID(encode_global_id("UserApiKey", key.id)),
            owner_id=key.user_id,
            name=key.name,
            description=key.description,
            created_at=key.created_at,
            expires_at=key.expires_at,
            last_used_at=key.last_used_at,
            scopes=None if key.scopes is None else list(key.scopes),
            projects=None if key.projects is None else list(key.projects),
        )
