"""The ``node(id:)`` registry: each aggregate registers how to load its GlobalID type name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.errors import GraphQLDenied
from pyrewatch.http.graphql.types.node import Node
from pyrewatch.ids import decode_global_id

NodeLoader = Callable[[Context, int], Awaitable[Node]]

# GlobalID type name -> loader; loaders check permissions and raise GraphQLDenied when absent.
_LOADERS: dict[str, NodeLoader] = {}
# Errors quote at most this much of what the client sent.
_ECHO_CHARS = 100


def _quoted(text: str) -> str:
    return text if len(text) <= _ECHO_CHARS else f"{text[:_ECHO_CHARS]}... ({len(text)} characters)"


def register_node(type_name: str, loader: NodeLoader) -> None:
    _LOADERS[type_name] = loader


async def resolve_node(context: Context, global_id: str) -> Node:
    decoded = decode_global_id(global_id)
    if decoded is None:
        raise GraphQLDenied(f"Invalid GlobalID: {_quoted(global_id)}")
    type_name, node_id = decoded
    loader = _LOADERS.get(type_name)
    if loader is None:
        raise GraphQLDenied(f"Unknown node type: {_quoted(type_name)}")
    return await loader(context, node_id)
