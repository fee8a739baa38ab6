"""The span query language of ``POST /v1/spans``: parse (allow-listed ``ast``) and compile to SQL."""

from pyrewatch.store.span_query import ir
from pyrewatch.store.span_query.compile import compile_condition, validate_condition
from pyrewatch.store.span_query.parse import parse_condition, parse_projection

__all__ = ["compile_condition", "ir", "parse_condition", "parse_projection", "validate_condition"]
