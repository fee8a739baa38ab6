"""Assemble the Strawberry schema from each aggregate's query and mutation parts."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.fastapi import GraphQLRouter
from strawberry.types import ExecutionContext

from pyrewatch.http.graphql.context import Context, get_context
from pyrewatch.http.graphql.errors import is_expected, mask_unexpected_errors
from pyrewatch.http.graphql.limits import limit_extensions
from pyrewatch.http.graphql.mutations.api_keys import ApiKeysMutation
from pyrewatch.http.graphql.mutations.evaluation import EvaluationMutation
from pyrewatch.http.graphql.mutations.users import UsersMutation
from pyrewatch.http.graphql.queries.api_keys import ApiKeysQuery
from pyrewatch.http.graphql.queries.evaluation import EvaluationQuery
from pyrewatch.http.graphql.queries.projects import ProjectsQuery
from pyrewatch.http.graphql.queries.retention import RetentionMutation, RetentionQuery
from pyrewatch.http.graphql.queries.tracing import TRACING_TYPES
from pyrewatch.http.graphql.queries.users import UsersQuery
from pyrewatch.http.graphql.scopes import QueryScope
from pyrewatch.settings import RequestLimits


@strawberry.type
class Query(UsersQuery, ApiKeysQuery, ProjectsQuery, EvaluationQuery, RetentionQuery):
    pass


@strawberry.type
class Mutation(UsersMutation, ApiKeysMutation, EvaluationMutation, RetentionMutation):
    pass


class _Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # Permission and validation errors are answers, not faults: log only the unexpected.
        unexpected = [e for e in errors if not is_expected(e)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(limits: RequestLimits) -> strawberry.Schema:
    return _Schema(
        query=Query,
        mutation=Mutation,
        types=TRACING_TYPES,
        # Automation sends the same few documents again and again: each small one is parsed and
        # validated once (bounded caches shared across requests); over-limit documents never run.
        extensions=[mask_unexpected_errors, *limit_extensions(limits), QueryScope],
    )


def graphql_router(limits: RequestLimits) -> GraphQLRouter[Context, None]:
    return GraphQLRouter(build_schema(limits), context_getter=get_context, path="/graphql")
