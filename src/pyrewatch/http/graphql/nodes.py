"""The ``node(id:)`` dispatch: each aggregate registers how to load its type from a row id."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pyrewatch.http.graphql.context import Context

NodeResolver = Callable[[Context, int], Awaitable[Any | None]]

# GlobalID type name -> loader returning the GraphQL object, or None when no such row exists.
NODE_RESOLVERS: dict[str, NodeResolver] = {}


def register_node(type_name: str, resolver: NodeResolver) -> None:
    NODE_RESOLVERS[type_name] = resolver
