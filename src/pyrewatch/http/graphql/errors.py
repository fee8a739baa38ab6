"""GraphQL error handling: permission and business errors keep their message; anything
unexpected is masked as Phoenix does (``an unexpected error occurred``) and logged."""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from pyrewatch.auth.policy import Denial, NotAllowed
from pyrewatch.errors import PyrewatchError

UNEXPECTED = "an unexpected error occurred"


class GraphQLDenied(Exception):
    """Raised by resolvers to return ``message`` as a GraphQL error (HTTP 200)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


def deny(denial: Denial) -> GraphQLDenied:
    return GraphQLDenied(denial.graphql_message)


def is_expected(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None:
        return True  # a validation or parse error from graphql-core: its message is for the user
    return isinstance(original, GraphQLDenied | PyrewatchError | NotAllowed)


def mask_unexpected_errors() -> MaskErrors:
    return MaskErrors(should_mask_error=lambda error: not is_expected(error), error_message=UNEXPECTED)
