"""A generic Relay connection (``DatasetConnection``, ``PromptConnection``, ...) and its cursors."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar, cast

import strawberry
from strawberry.scalars import JSON

from pyrewatch.errors import InvalidInput
from pyrewatch.http.graphql.types.pagination import PageInfo
from pyrewatch.ids import MAX_ROW_ID

T = TypeVar("T")
R = TypeVar("R")
MAX_PAGE = 1000


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo


def edge_cursor(row_id: int) -> str:
    return base64.b64encode(f"connection:{row_id}".encode()).decode()


def page_args(first: int | None, after: str | None) -> tuple[int, int | None]:
    """(page size, id to start from inclusive) for a newest-first listing."""
    limit = min(max(first if first is not None else 50, 1), MAX_PAGE)
    if after is None:
        return limit, None
    try:
        prefix, _, value = base64.b64decode(after.encode("ascii"), validate=True).decode().partition(":")
        row_id = int(value)
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidInput(f"Invalid cursor: {after}") from None
    if prefix != "connection" or not 0 < row_id <= MAX_ROW_ID:
        raise InvalidInput(f"Invalid cursor: {after}")
    return limit, row_id - 1


def connection(
    rows: Sequence[R], row_id: Callable[[R], int], to_node: Callable[[R], T], *, has_next: bool, after: str | None
) -> Connection[T]:
    edges = [Edge(cursor=edge_cursor(row_id(row)), node=to_node(row)) for row in rows]
    page_info = PageInfo(
        has_next_page=has_next,
        has_previous_page=after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, page_info=page_info)


def as_json(value: Any) -> JSON:
    """A stored JSON value as the ``JSON`` scalar."""
    return cast(JSON, value)
