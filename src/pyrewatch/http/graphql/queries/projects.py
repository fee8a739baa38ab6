"""Query fields for projects, and ``node(id:)``."""

from __future__ import annotations

import base64
import binascii

import strawberry

from pyrewatch.auth.policy import Action
from pyrewatch.db.session import transaction
from pyrewatch.errors import InvalidInput, NotFound
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.nodes import NODE_RESOLVERS, register_node
from pyrewatch.http.graphql.permissions import require
from pyrewatch.http.graphql.types.node import Node
from pyrewatch.http.graphql.types.projects import PageInfo, Project, ProjectConnection, ProjectEdge
from pyrewatch.ids import decode_global_id
from pyrewatch.services import projects as service
from pyrewatch.store import projects as project_store

MAX_PAGE = 1000


def _edge_cursor(row_id: int) -> str:
    return base64.b64encode(f"connection:{row_id}".encode()).decode()


def _parse_edge_cursor(cursor: str) -> int:
    try:
        raw = base64.b64decode(cursor.encode("ascii"), validate=True).decode()
        prefix, _, value = raw.partition(":")
        row_id = int(value)
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidInput(f"Invalid cursor: {cursor}") from None
    if prefix != "connection" or not 0 < row_id <= service.MAX_ROW_ID:
        raise InvalidInput(f"Invalid cursor: {cursor}")
    return row_id


async def _project_node(context: Context, row_id: int) -> Project | None:
    async with transaction(context.state.session_factory) as session:
        row = await project_store.find_project(session, row_id)
    return None if row is None else Project.from_row(row)


register_node("Project", _project_node)


@strawberry.type
class ProjectsQuery:
    @strawberry.field
    async def projects(
        self, info: strawberry.Info[Context, None], first: int | None = 50, after: str | None = None
    ) -> ProjectConnection:
        """Projects, newest first."""
        require(info.context, Action.READ)
        limit = min(max(first if first is not None else 50, 0), MAX_PAGE)
        cursor = _parse_edge_cursor(after) - 1 if after else None
        if limit == 0 or cursor == 0:
            return ProjectConnection(
                edges=[],
                page_info=PageInfo(
                    has_next_page=False, has_previous_page=after is not None, start_cursor=None, end_cursor=None
                ),
            )
        async with transaction(info.context.state.session_factory) as session:
            rows, next_id = await service.list_projects(
                session, info.context.principal, limit=limit, cursor=cursor, name_contains=None
            )
        edges = [ProjectEdge(cursor=_edge_cursor(row.id), node=Project.from_row(row)) for row in rows]
        page_info = PageInfo(
            has_next_page=next_id is not None,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        )
        return ProjectConnection(edges=edges, page_info=page_info)

    @strawberry.field
    async def node(self, info: strawberry.Info[Context, None], id: strawberry.ID) -> Node:
        """Any object with a GlobalID."""
        require(info.context, Action.READ)
        decoded = decode_global_id(str(id))
        if decoded is None:
            raise InvalidInput(f"Invalid GlobalID: {id}")
        type_name, row_id = decoded
        resolver = NODE_RESOLVERS.get(type_name)
        if resolver is None:
            raise InvalidInput(f"Unknown node type: {type_name}")
        node = await resolver(info.context, row_id) if row_id <= service.MAX_ROW_ID else None
        if node is None:
            raise NotFound(f"Unknown {type_name}: {id}")
        return node  # type: ignore[no-any-return]
