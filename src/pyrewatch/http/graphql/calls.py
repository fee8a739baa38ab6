"""The one way a resolver calls a service: in its own transaction, with domain errors turned
into GraphQL errors (a policy denial keeps GraphQL's wording of it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from pyrewatch.auth.policy import NotAllowed
from pyrewatch.db.session import Session, transaction
from pyrewatch.errors import PyrewatchError
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.errors import GraphQLDenied, deny

T = TypeVar("T")


async def call_service(context: Context, call: Callable[[Session], Awaitable[T]]) -> T:
    """Run ``call`` in a transaction that commits (running its effects) before returning."""
    try:
        async with transaction(context.state.session_factory) as session:
            return await call(session)
    except NotAllowed as exc:
        raise deny(exc.denial) from None
    except PyrewatchError as exc:
        raise GraphQLDenied(exc.message) from None
