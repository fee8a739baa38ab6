"""Query fields for API keys."""

from __future__ import annotations

import strawberry

from pyrewatch.auth.principal import Principal
from pyrewatch.db.session import Session
from pyrewatch.http.graphql.calls import call_service
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.types.api_keys import SystemApiKey, UserApiKey
from pyrewatch.services import api_keys as service
from pyrewatch.services.api_keys import KeyView


async def _all_user_keys(session: Session, principal: Principal) -> list[KeyView]:
    keys: list[KeyView] = []
    cursor: int | None = None
    while True:
        page, cursor = await service.list_all_user_keys(session, principal, limit=1000, cursor=cursor)
        keys.extend(page)
        if cursor is None:
            return keys


@strawberry.type
class ApiKeysQuery:
    @strawberry.field
    async def system_api_keys(self, info: strawberry.Info[Context, None]) -> list[SystemApiKey]:
        keys = await call_service(info.context, lambda s: service.list_system_keys(s, info.context.principal))
        return [SystemApiKey.from_view(k) for k in reversed(keys)]

    @strawberry.field
    async def user_api_keys(self, info: strawberry.Info[Context, None]) -> list[UserApiKey]:
        keys = await call_service(info.context, lambda s: _all_user_keys(s, info.context.principal))
        return [UserApiKey.from_view(k) for k in reversed(keys)]
