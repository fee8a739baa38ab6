"""Permission helpers for resolvers. They only ask ``auth.policy``; no rule lives here."""

from __future__ import annotations

from pyrewatch.auth.policy import Action, decide
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.errors import deny


def require(context: Context, action: Action, owner_id: int | None = None) -> None:
    """Raise the GraphQL error of the policy's denial, if any."""
    denial = decide(context.principal, action, owner_id)
    if denial is not None:
        raise deny(denial)
