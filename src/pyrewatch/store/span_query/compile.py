"""The condition tree of ``ir`` → a SQL condition on ``spans`` (joined with ``traces``).

Every literal, attribute key and annotation name is a bound parameter. Attribute values are JSON:
they are read as text, number or boolean depending on what they are compared with (a number
only when stored as a JSON number), and a missing attribute reads as NULL, so it satisfies
``is None`` and nothing else. Annotation references become LEFT JOINs inside one correlated
EXISTS, so a span with several annotations of a name is matched once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    String,
    Text,
    and_,
    case,
    cast,
    exists,
    extract,
    false,
    func,
    not_,
    null,
    or_,
    select,
    true,
)
from sqlalchemy import literal as sql_literal
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import aliased

from pyrewatch.db.models import Span, SpanAnnotation, Trace, TraceAnnotation
from pyrewatch.errors import InvalidInput
from pyrewatch.store.span_query import ir

__all__ = ["compile_condition", "validate_condition"]

_UPPERED = frozenset({"span_kind", "status_code"})
_STRING_COLUMNS = frozenset({"context.span_id", "context.trace_id", "parent_id", "name", "status_message"} | _UPPERED)
_NUMERIC_PATTERN = r"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$"


def _pg_path(path: tuple[str | int, ...]) -> ColumnElement[Any]:
    return sql_literal([str(key) for key in path], ARRAY(Text))


def _pg_node(path: tuple[str | int, ...]) -> ColumnElement[Any]:
    return Span.attributes.op("#>", return_type=JSONB)(_pg_path(path))


def _pg_text(path: tuple[str | int, ...]) -> ColumnElement[Any]:
    return Span.attributes.op("#>>", return_type=Text)(_pg_path(path))


def _noun(kind: str) -> str:
    return {"str": "string", "num": "number", "json": "attribute", "null": "None", "parent": "parent_span"}.get(
        kind, kind
    )


def _fail(message: str) -> NoReturn:
    raise InvalidInput(message)


class _Compiler:
    def __init__(self, dialect: str) -> None:
        self.pg = dialect == "postgresql"
        self.aliases: dict[tuple[str, str], Any] = {}

    # Static types

    def kind(self, operand: ir.Operand) -> str:
        if isinstance(operand, ir.Literal):
            value = operand.value
            if value is None:
                return "null"
            if isinstance(value, bool):
                return "bool"
            return "str" if isinstance(value, str) else "num"
        if isinstance(operand, ir.ListLiteral):
            return "list"
        if isinstance(operand, ir.Column):
            if operand.name in _STRING_COLUMNS:
                return "str"
            return "datetime" if operand.name in ("start_time", "end_time") else "num"
        if isinstance(operand, ir.Attribute):
            return "num" if operand.numeric else "json"
        if isinstance(operand, ir.Annotation):
            return "num" if operand.field == "score" else "str"
        if isinstance(operand, ir.Cast):
            return "str" if operand.to == "str" else "num"
        if isinstance(operand, ir.Arithmetic):
            both_text = self.kind(operand.left) == "str" and self.kind(operand.right) == "str"
            return "str" if operand.op == "+" and both_text else "num"
        if isinstance(operand, ir.Negative):
            return "num"
        return "parent"

    # Values

    def column(self, name: str) -> ColumnElement[Any]:
        simple: dict[str, Any] = {
            "context.span_id": Span.span_id,
            "context.trace_id": Trace.trace_id,
            "parent_id": Span.parent_id,
            "name": Span.name,
            "status_message": Span.status_message,
            "span_kind": Span.span_kind,
            "status_code": Span.status_code,
            "start_time": Span.start_time,
            "end_time": Span.end_time,
            "cumulative_llm_token_count_prompt": Span.cumulative_llm_token_count_prompt,
            "cumulative_llm_token_count_completion": Span.cumulative_llm_token_count_completion,
        }
        if name in simple:
            return simple[name]  # type: ignore[no-any-return]
        if name == "cumulative_llm_token_count_total":
            return Span.cumulative_llm_token_count_prompt + Span.cumulative_llm_token_count_completion
        if name == "latency_ms":
            if self.pg:
                return cast(extract("epoch", Span.end_time - Span.start_time), Float) * 1000.0
            return func.round((func.julianday(Span.end_time) - func.julianday(Span.start_time)) * 86_400_000.0, 3)
        return sql_literal(0.0, Float)  # costs: spans are not priced, so every cost is 0

    def _json_path(self, path: tuple[str | int, ...]) -> str:
        parts = [f"[{key}]" if isinstance(key, int) else f'."{key}"' for key in path]
        return "$" + "".join(parts)

    def json_text(self, attribute: ir.Attribute) -> ColumnElement[Any]:
        if self.pg:
            return _pg_text(attribute.path)
        path = self._json_path(attribute.path)
        kind = func.json_type(Span.attributes, path)
        return case(
            (kind.in_(["true", "false"]), kind),
            else_=cast(func.json_extract(Span.attributes, path), String),
        )

    def json_number(self, attribute: ir.Attribute) -> ColumnElement[Any]:
        if self.pg:
            node = _pg_node(attribute.path)
            return case((func.jsonb_typeof(node) == "number", cast(_pg_text(attribute.path), Float)), else_=null())
        path = self._json_path(attribute.path)
        is_number = func.json_type(Span.attributes, path).in_(["integer", "real"])
        return case((is_number, cast(func.json_extract(Span.attributes, path), Float)), else_=null())

    def json_bool(self, attribute: ir.Attribute) -> ColumnElement[Any]:
        if self.pg:
            node = _pg_node(attribute.path)
            return case((func.jsonb_typeof(node) == "boolean", _pg_text(attribute.path) == "true"), else_=null())
        kind = func.json_type(Span.attributes, self._json_path(attribute.path))
        return case((kind == "true", true()), (kind == "false", false()), else_=null())

    def annotation(self, ref: ir.Annotation) -> Any:
        key = (ref.source, ref.name)
        if key not in self.aliases:
            model = SpanAnnotation if ref.source == "span" else TraceAnnotation
            self.aliases[key] = aliased(model, name=f"annotation_{len(self.aliases)}")
        return self.aliases[key]

    def text(self, operand: ir.Operand) -> ColumnElement[Any]:
        if isinstance(operand, ir.Attribute):
            return self.json_text(operand)
        if isinstance(operand, ir.Literal):
            return sql_literal(operand.value, String)
        if isinstance(operand, ir.Column) and operand.name in _STRING_COLUMNS:
            return self.column(operand.name)
        if isinstance(operand, ir.Annotation) and operand.field not in (None, "score"):
            return getattr(self.annotation(operand), operand.field or "label")  # type: ignore[no-any-return]
        if isinstance(operand, ir.Cast) and operand.to == "str":
            if self.kind(operand.operand) == "num":
                _fail("cannot cast number to text")
            return self.text(operand.operand)
        if isinstance(operand, ir.Arithmetic) and self.kind(operand) == "str":
            return self.text(operand.left).concat(self.text(operand.right))
        return _fail(f"expected text, got a {_noun(self.kind(operand))} value")

    def number(self, operand: ir.Operand) -> ColumnElement[Any]:
        if isinstance(operand, ir.Attribute):
            return self.json_number(operand)
        if isinstance(operand, ir.Literal) and isinstance(operand.value, int | float):
            return sql_literal(float(operand.value), Float)
        if isinstance(operand, ir.Column) and self.kind(operand) == "num":
            return cast(self.column(operand.name), Float)
        if isinstance(operand, ir.Annotation) and operand.field == "score":
            return self.annotation(operand).score  # type: ignore[no-any-return]
        if isinstance(operand, ir.Negative):
            return -self.number(operand.operand)
        if isinstance(operand, ir.Cast) and operand.to in ("float", "int"):
            return self.cast_number(operand)
        if isinstance(operand, ir.Arithmetic) and self.kind(operand) == "num":
            return self.arithmetic(operand)
        return _fail(f"cannot compare {_noun(self.kind(operand))} and number")

    def cast_number(self, operand: ir.Cast) -> ColumnElement[Any]:
        inner = operand.operand
        if self.kind(inner) in ("num", "json"):
            value = self.number(inner)
        elif self.kind(inner) == "str":
            text = self.text(inner)
            if self.pg:
                value = case((text.op("~")(_NUMERIC_PATTERN), cast(text, Float)), else_=null())
            else:
                value = cast(text, Float)
        else:
            _fail(f"cannot convert a {_noun(self.kind(inner))} value to a number")
        if operand.to == "int":
            return func.trunc(value) if self.pg else cast(cast(value, Integer()), Float)
        return value

    def arithmetic(self, operand: ir.Arithmetic) -> ColumnElement[Any]:
        left, right = self.number(operand.left), self.number(operand.right)
        if operand.op == "+":
            return left + right
        if operand.op == "-":
            return left - right
        if operand.op == "*":
            return left * right
        divisor = func.nullif(right, 0.0)
        if operand.op == "/":
            return left / divisor
        quotient = func.trunc(left / divisor) if self.pg else cast(cast(left / divisor, Integer()), Float)
        return left - right * quotient

    def datetime_value(self, operand: ir.Operand) -> ColumnElement[Any]:
        if isinstance(operand, ir.Column) and operand.name in ("start_time", "end_time"):
            return self.column(operand.name)
        if isinstance(operand, ir.Literal) and isinstance(operand.value, str):
            try:
                moment = datetime.fromisoformat(operand.value)
            except ValueError:
                _fail(f"invalid datetime literal {operand.value[:80]!r}")
            if moment.tzinfo is None:
                _fail(f"datetime literal {operand.value[:80]!r} has no timezone, add an offset (e.g. 'Z' for UTC)")
            return sql_literal(moment, Span.start_time.type)
        return _fail(f"cannot compare datetime and {_noun(self.kind(operand))}")

    # Conditions

    def condition(self, node: ir.Condition) -> ColumnElement[bool]:
        if isinstance(node, ir.BoolOp):
            items = [self.condition(item) for item in node.items]
            return and_(*items) if node.op == "and" else or_(*items)
        if isinstance(node, ir.Not):
            return not_(self.condition(node.item))
        if isinstance(node, ir.Exists):
            return self.annotation(node.annotation).id.is_not(None)  # type: ignore[no-any-return]
        return self.compare(node)

    def compare(self, node: ir.Compare) -> ColumnElement[bool]:
        op, left, right = node.op, node.left, node.right
        if isinstance(left, ir.ParentSpan) or isinstance(right, ir.ParentSpan):
            parent = aliased(Span, name="parent_span")
            has_parent = exists().where(parent.span_id == Span.parent_id)
            return ~has_parent if op in ("is", "==") else has_parent
        for a, b in ((left, right), (right, left)):
            if isinstance(b, ir.Literal) and b.value is None and op in ("is", "is not", "==", "!="):
                value = self.nullable(a)
                return value.is_(None) if op in ("is", "==") else value.is_not(None)
        if op in ("in", "not in"):
            condition = self.membership(left, right)
            return condition if op == "in" else not_(condition)
        sql_op = {"is": "==", "is not": "!="}.get(op, op)
        a, b = self.comparable(left, right, ordering=sql_op not in ("==", "!="))
        return _apply(sql_op, a, b)

    def nullable(self, operand: ir.Operand) -> ColumnElement[Any]:
        kind = self.kind(operand)
        if kind in ("json", "str"):
            return self.text(operand)
        if kind == "num":
            return self.number(operand)
        if kind == "datetime":
            return self.datetime_value(operand)
        if isinstance(operand, ir.Literal):
            return sql_literal(operand.value)
        return _fail("a list cannot be compared with None")

    def membership(self, needle: ir.Operand, haystack: ir.Operand) -> ColumnElement[bool]:
        if isinstance(haystack, ir.ListLiteral):
            values = [v for v in haystack.values if v is not None]
            kind = self.kind(needle)
            if kind == "json" and values and all(isinstance(v, bool) for v in values):
                return self.json_bool(_attribute(needle)).in_(values)
            numbers = values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
            if kind == "num" or (kind == "json" and numbers):
                if not numbers:
                    _fail("cannot compare number and string")
                return self.number(needle).in_([float(v) for v in values if isinstance(v, int | float)])
            if kind == "datetime":
                return self.datetime_value(needle).in_([self.datetime_value(ir.Literal(v)) for v in values])
            texts = [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
            if isinstance(needle, ir.Column) and needle.name in _UPPERED:
                texts = [t.upper() for t in texts]
            return self.text(needle).in_(texts)
        if self.kind(haystack) not in ("str", "json"):
            _fail(f"cannot compare string and {_noun(self.kind(haystack))}")
        if self.kind(needle) not in ("str", "json"):
            _fail(f"cannot compare {_noun(self.kind(needle))} and string")
        text, part = func.lower(self.text(haystack)), func.lower(self.text(needle))
        position = func.strpos(text, part) if self.pg else func.instr(text, part)
        return position > 0

    def comparable(self, left: ir.Operand, right: ir.Operand, *, ordering: bool) -> tuple[Any, Any]:
        kinds = {self.kind(left), self.kind(right)}
        if "list" in kinds:
            _fail("a list can only be the right side of `in` / `not in`")
        if "datetime" in kinds:
            return self.datetime_value(left), self.datetime_value(right)
        if "num" in kinds or (kinds == {"json"} and ordering):
            return self.number(left), self.number(right)
        if "bool" in kinds:
            return self.boolean(left), self.boolean(right)
        a, b = self.text(left), self.text(right)
        for operand, other in ((left, right), (right, left)):
            if isinstance(operand, ir.Column) and operand.name in _UPPERED and isinstance(other, ir.Literal):
                upper = sql_literal(str(other.value).upper(), String)
                a, b = (a, upper) if operand is left else (upper, b)
        return a, b

    def boolean(self, operand: ir.Operand) -> ColumnElement[Any]:
        if isinstance(operand, ir.Literal) and isinstance(operand.value, bool):
            return true() if operand.value else false()
        if isinstance(operand, ir.Attribute):
            return self.json_bool(operand)
        return _fail(f"cannot compare bool and {_noun(self.kind(operand))}")


def _attribute(operand: ir.Operand) -> ir.Attribute:
    assert isinstance(operand, ir.Attribute)
    return operand


def _apply(op: str, a: Any, b: Any) -> ColumnElement[bool]:
    result: ColumnElement[bool]
    if op == "==":
        result = a == b
    elif op == "!=":
        result = a != b
    elif op == "<":
        result = a < b
    elif op == "<=":
        result = a <= b
    elif op == ">":
        result = a > b
    else:
        result = a >= b
    return result


def compile_condition(condition: ir.Condition, dialect: str) -> ColumnElement[bool]:
    """The SQL condition on ``spans`` (with ``traces`` joined) for a parsed ``where``.

    Raises:
        InvalidInput: operands that cannot be compared (a string with a number, ...).
    """
    compiler = _Compiler(dialect)
    where = compiler.condition(condition)
    if not compiler.aliases:
        return where
    me = aliased(Span, name="matched_span")
    query = select(sql_literal(1)).select_from(me)
    for (source, name), alias in compiler.aliases.items():
        target = me.id if source == "span" else me.trace_rowid
        target_column = alias.span_rowid if source == "span" else alias.trace_rowid
        query = query.outerjoin(alias, and_(target_column == target, alias.name == name))
    return exists(query.where(me.id == Span.id, where))


def validate_condition(condition: ir.Condition) -> None:
    """Raise ``InvalidInput`` now for operands that cannot be compared (checked on both dialects)."""
    for dialect in ("sqlite", "postgresql"):
        compile_condition(condition, dialect)
