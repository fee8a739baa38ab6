"""Query fields for API keys."""

from __future__ import annotations

import strawberry

from pyrewatch.auth.policy import Action
from pyrewatch.db.session import transaction
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.permissions import require
from pyrewatch.http.graphql.types.api_keys import SystemApiKey, UserApiKey
from pyrewatch.services import api_keys as service


@strawberry.type
class ApiKeysQuery:
    @strawberry.field
    async def system_api_keys(self, info: strawberry.Info[Context, None]) -> list[SystemApiKey]:
        require(info.context, Action.LIST_SYSTEM_KEYS)
        async with transaction(info.context.state.session_factory) as session:
            keys = await service.list_system_keys(session, info.context.principal)
        return [SystemApiKey.from_view(k) for k in reversed(keys)]

    @strawberry.field
    async def user_api_keys(self, info: strawberry.Info[Context, None]) -> list[UserApiKey]:
        require(info.context, Action.LIST_ALL_USER_KEYS)
        keys = []
        cursor: int | None = None
        async with transaction(info.context.state.session_factory) as session:
            while True:
                page, cursor = await service.list_all_user_keys(
                    session, info.context.principal, limit=1000, cursor=cursor
                )
                keys.extend(page)
                if cursor is None:
                    break
        return [UserApiKey.from_view(k) for k in reversed(keys)]
