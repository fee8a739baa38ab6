"""Query fields for projects; projects are registered for ``node(id:)``."""

from __future__ import annotations

import base64
import binascii

import strawberry

from pyrewatch.auth.policy import Action
from pyrewatch.db.models import Project as ProjectRow
from pyrewatch.db.session import Session
from pyrewatch.errors import InvalidInput, NotFound
from pyrewatch.http.graphql.calls import call_service
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.nodes import register_node
from pyrewatch.http.graphql.permissions import require
from pyrewatch.http.graphql.types.node import Node
from pyrewatch.http.graphql.types.pagination import PageInfo
from pyrewatch.http.graphql.types.projects import Project, ProjectConnection, ProjectEdge
from pyrewatch.ids import MAX_ROW_ID, encode_global_id
from pyrewatch.services import projects as service

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
    if prefix != "connection" or not 0 < row_id <= MAX_ROW_ID:
        raise InvalidInput(f"Invalid cursor: {cursor}")
    return row_id


async def _project_node(context: Context, row_id: int) -> Node:
    global_id = encode_global_id("Project", row_id)

    async def load(session: Session) -> ProjectRow:
        try:
            return await service.get_project(session, context.principal, global_id)
        except NotFound:
            raise NotFound(f"Unknown Project: {global_id}") from None

    return Project.from_row(await call_service(context, load))


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
        rows, next_id = await call_service(
            info.context,
            lambda s: service.list_projects(s, info.context.principal, limit=limit, cursor=cursor, name_contains=None),
        )
        edges = [ProjectEdge(cursor=_edge_cursor(row.id), node=Project.from_row(row)) for row in rows]
        page_info = PageInfo(
            has_next_page=next_id is not None,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        )
        return ProjectConnection(edges=edges, page_info=page_info)
