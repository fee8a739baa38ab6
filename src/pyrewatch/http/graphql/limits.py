"""What one GraphQL request may cost: document tokens, aliases and depth, checked before anything
runs (``PYREWATCH_GRAPHQL_MAX_*``), and parse/validation caches that keep only small documents.

The document's size in bytes is bounded earlier, by the ``/graphql`` body limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from graphql import parse
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.schema import validate_document

from pyrewatch.settings import RequestLimits

# Documents longer than this are parsed and validated every time, never kept in a cache:
# the caches hold at most CACHE_ENTRIES * CACHEABLE_DOCUMENT_CHARS characters of documents.
CACHEABLE_DOCUMENT_CHARS = 8192
CACHE_ENTRIES = 512


class SmallDocumentParserCache(ParserCache):
    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and len(context.query) > CACHEABLE_DOCUMENT_CHARS:
            context.graphql_document = parse(context.query, **context.parse_options)
            yield
            return
        yield from super().on_parse()


class SmallDocumentValidationCache(ValidationCache):
    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and len(context.query) > CACHEABLE_DOCUMENT_CHARS:
            assert context.graphql_document is not None
            context.pre_execution_errors = validate_document(
                context.schema._schema, context.graphql_document, context.validation_rules
            )
            yield
            return
        yield from super().on_validate()


def limit_extensions(limits: RequestLimits) -> list[Callable[[], SchemaExtension]]:
    """Schema extensions, in order: the token limit applies while parsing, the rest while validating."""
    return [
        lambda: MaxTokensLimiter(max_token_count=limits.graphql_max_tokens),
        lambda: SmallDocumentParserCache(maxsize=CACHE_ENTRIES),
        lambda: MaxAliasesLimiter(max_alias_count=limits.graphql_max_aliases),
        lambda: QueryDepthLimiter(max_depth=limits.graphql_max_depth),
        lambda: SmallDocumentValidationCache(maxsize=CACHE_ENTRIES),
    ]
