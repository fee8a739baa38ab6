"""The parsed form of a span query condition: a small closed tree, never Python code.

``parse`` builds it from the text (allow-listed ``ast`` nodes only); ``compile`` turns it into a
SQL condition with every value bound as a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal as Lit

ValueType = Lit["str", "num", "bool", "datetime", "json", "null", "any"]
Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class Literal:
    value: Scalar


@dataclass(frozen=True)
class ListLiteral:
    values: tuple[Scalar, ...]


@dataclass(frozen=True)
class Column:
    """A span field (``name``, ``latency_ms``, ``context.trace_id``...) by its canonical name."""

    name: str


@dataclass(frozen=True)
class Attribute:
    """A path into the span's nested attributes; ``numeric`` for token counts, read as numbers."""

    path: tuple[str | int, ...]
    numeric: bool = False


@dataclass(frozen=True)
class Annotation:
    """``annotations['name']`` (``source="span"``) or ``trace_annotations['name']``; ``field`` is
    None for the bare reference (the annotation exists)."""

    source: Lit["span", "trace"]
    name: str
    field: Lit["score", "label", "explanation", "identifier"] | None = None


@dataclass(frozen=True)
class ParentSpan:
    """The ``parent_span`` keyword: only ever compared with None."""


@dataclass(frozen=True)
class Cast:
    to: Lit["str", "float", "int"]
    operand: Operand


@dataclass(frozen=True)
class Arithmetic:
    op: Lit["+", "-", "*", "/", "%"]
    left: Operand
    right: Operand


@dataclass(frozen=True)
class Negative:
    operand: Operand


Operand = Literal | ListLiteral | Column | Attribute | Annotation | ParentSpan | Cast | Arithmetic | Negative

CompareOp = Lit["==", "!=", "<", "<=", ">", ">=", "is", "is not", "in", "not in"]


@dataclass(frozen=True)
class Compare:
    op: CompareOp
    left: Operand
    right: Operand


@dataclass(frozen=True)
class BoolOp:
    op: Lit["and", "or"]
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


@dataclass(frozen=True)
class Exists:
    annotation: Annotation


Condition = Compare | BoolOp | Not | Exists


def annotations_in(condition: Condition | Operand) -> set[tuple[str, str]]:
    """The distinct (source, name) annotation references of a tree."""
    if isinstance(condition, Annotation):
        return {(condition.source, condition.name)}
    if isinstance(condition, Exists):
        return annotations_in(condition.annotation)
    if isinstance(condition, Compare | Arithmetic):
        return annotations_in(condition.left) | annotations_in(condition.right)
    if isinstance(condition, BoolOp):
        return set().union(*(annotations_in(item) for item in condition.items))
    if isinstance(condition, Not):
        return annotations_in(condition.item)
    if isinstance(condition, Cast | Negative):
        return annotations_in(condition.operand)
    return set()
