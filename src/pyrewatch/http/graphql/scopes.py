"""A scoped API key reaches GraphQL queries only with the ``read`` scope: checked once per
request, after validation and before any resolver runs (the rule is ``decide_graphql_query``)."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from pyrewatch.auth.policy import decide_graphql_query
from pyrewatch.http.graphql.context import Context


class QueryScope(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        # Before validation ends: errors set here are answered without running anything.
        self._check()
        yield

    def _check(self) -> None:
        execution = self.execution_context
        context = execution.context
        if execution.pre_execution_errors or not isinstance(context, Context):
            return
        try:
            is_query = execution.operation_type is OperationType.QUERY
        except RuntimeError:
            return  # no single operation to run: validation answers that
        denial = decide_graphql_query(context.principal) if is_query else None
        if denial is not None:
            execution.pre_execution_errors = [GraphQLError(denial.graphql_message)]
