"""Query fields for users: ``viewer``, ``users``, ``userRoles`` and ``node``."""

from __future__ import annotations

import base64

import strawberry

from pyrewatch.auth.policy import Action, decide
from pyrewatch.auth.principal import ASSIGNABLE_ROLES, Principal, Via
from pyrewatch.db.models import User as UserRow
from pyrewatch.db.session import Session
from pyrewatch.errors import Unauthenticated
from pyrewatch.http.graphql.calls import call_service
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.errors import GraphQLDenied
from pyrewatch.http.graphql.nodes import register_node, resolve_node
from pyrewatch.http.graphql.types.node import Node
from pyrewatch.http.graphql.types.pagination import PageInfo
from pyrewatch.http.graphql.types.users import User, UserConnection, UserEdge, UserRole, role_type
from pyrewatch.services import users as service

_CURSOR_PREFIX = "connection:"


def _cursor(offset: int) -> str:
    return base64.b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def _offset(cursor: str) -> int:
    try:
        raw = base64.b64decode(cursor.encode("ascii"), validate=True).decode()
    except (ValueError, UnicodeError):
        raise GraphQLDenied(f"Invalid cursor: {cursor}") from None
    if not raw.startswith(_CURSOR_PREFIX) or not raw[len(_CURSOR_PREFIX) :].isdigit():
        raise GraphQLDenied(f"Invalid cursor: {cursor}")
    return int(raw[len(_CURSOR_PREFIX) :])


def _connection(
    users: list[User], first: int | None, after: str | None, last: int | None, before: str | None
) -> UserConnection:
    start, end = 0, len(users)
    if after is not None:
        start = max(start, _offset(after) + 1)
    if before is not None:
        end = min(end, _offset(before))
    if first is not None:
        if first < 0:
            raise GraphQLDenied("Argument 'first' must be a non-negative integer")
        end = min(end, start + first)
    if last is not None:
        if last < 0:
            raise GraphQLDenied("Argument 'last' must be a non-negative integer")
        start = max(start, end - last)
    edges = [UserEdge(cursor=_cursor(i), node=users[i]) for i in range(start, max(start, end))]
    return UserConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=end < len(users),
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


async def load_user_node(context: Context, user_id: int) -> Node:
    """A user as a node: oneself, or anyone for an admin."""
    return User.from_row(await call_service(context, lambda s: service.get_user(s, context.principal, user_id)))


async def _viewer(session: Session, principal: Principal) -> UserRow | None:
    try:
        return await service.get_viewer(session, principal)
    except Unauthenticated:
        return None


register_node("User", load_user_node)


@strawberry.type
class UsersQuery:
    @strawberry.field
    async def viewer(self, info: strawberry.Info[Context, None]) -> User | None:
        """The caller; the system user for the admin secret and system keys; null with auth off."""
        principal = info.context.principal
        if principal.via in (Via.AUTH_DISABLED, Via.ANONYMOUS) or principal.user_id is None:
            return None
        if decide(principal, Action.READ_SELF) is not None:
            return None
        row = await call_service(info.context, lambda s: _viewer(s, principal))
        return None if row is None else User.from_row(row)

    @strawberry.field
    async def users(
        self,
        info: strawberry.Info[Context, None],
        first: int | None = 50,
        last: int | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> UserConnection:
        """Every person (not the system user), by email; admin only."""
        rows = await call_service(info.context, lambda s: service.list_users(s, info.context.principal))
        return _connection([User.from_row(r) for r in rows], first, after, last, before)

    @strawberry.field
    def user_roles(self) -> list[UserRole]:
        return [role_type(role) for role in ASSIGNABLE_ROLES]

    @strawberry.field
    async def node(self, info: strawberry.Info[Context, None], id: strawberry.ID) -> Node:
        return await resolve_node(info.context, str(id))
