"""Query fields for users."""

from __future__ import annotations

import strawberry

from pyrewatch.auth.principal import Via
from pyrewatch.db.session import transaction
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.types.users import User
from pyrewatch.store import users as user_store


@strawberry.type
class UsersQuery:
    @strawberry.field
    async def viewer(self, info: strawberry.Info[Context, None]) -> User | None:
        """The caller; the system user for the admin secret and system keys; null with auth off."""
        principal = info.context.principal
        if principal.via in (Via.AUTH_DISABLED, Via.ANONYMOUS) or principal.user_id is None:
            return None
        async with transaction(info.context.state.session_factory) as session:
            row = await user_store.find_user(session, principal.user_id)
        return None if row is None else User.from_row(row)
