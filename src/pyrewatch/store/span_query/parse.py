"""Span query text → the closed tree of ``ir``, by walking Python's ``ast`` against an allow-list.

Nothing is ever evaluated: each allowed node becomes an ``ir`` value, and anything else (calls
other than ``str``/``float``/``int``, attribute access on values, lambdas, comprehensions,
subscripts other than attribute paths and annotation names...) is refused with a message that
quotes the offending part. The text, the tree size and the nesting depth are bounded first.
"""

from __future__ import annotations

import ast
import io
import math
import tokenize
from typing import Any, cast

from pyrewatch.errors import InvalidInput
from pyrewatch.store.span_query import ir

__all__ = ["MAX_CONDITION_LENGTH", "parse_condition", "parse_projection"]

MAX_CONDITION_LENGTH = 10_000
MAX_NODES = 1_000
MAX_DEPTH = 100
_QUOTE = 80
_MESSAGE = 300

_STRING_COLUMNS = {
    "span_id": "context.span_id",
    "context.span_id": "context.span_id",
    "trace_id": "context.trace_id",
    "context.trace_id": "context.trace_id",
    "parent_id": "parent_id",
    "name": "name",
    "status_message": "status_message",
    "span_kind": "span_kind",
    "status_code": "status_code",
}
_NUMBER_COLUMNS = {
    "latency_ms": "latency_ms",
    "cumulative_llm_token_count_prompt": "cumulative_llm_token_count_prompt",
    "cumulative_llm_token_count_completion": "cumulative_llm_token_count_completion",
    "cumulative_llm_token_count_total": "cumulative_llm_token_count_total",
    "cumulative_token_count.prompt": "cumulative_llm_token_count_prompt",
    "cumulative_token_count.completion": "cumulative_llm_token_count_completion",
    "cumulative_token_count.total": "cumulative_llm_token_count_total",
    "total_cost": "total_cost",
    "prompt_cost": "prompt_cost",
    "completion_cost": "completion_cost",
}
_TIME_COLUMNS = {"start_time": "start_time", "end_time": "end_time"}
COLUMNS = {**_STRING_COLUMNS, **_NUMBER_COLUMNS, **_TIME_COLUMNS}
_NUMERIC_ATTRIBUTES = frozenset({"llm.token_count.prompt", "llm.token_count.completion", "llm.token_count.total"})
_ANNOTATION_SOURCES = {"annotations": "span", "evals": "span", "trace_annotations": "trace"}
_ANNOTATION_FIELDS = ("score", "label", "explanation", "identifier")
_COMPARE_OPS: dict[type[ast.cmpop], ir.CompareOp] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}
_ARITHMETIC: dict[type[ast.operator], Any] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Mod: "%",
}
_OPERATOR_TEXT = {
    ast.FloorDiv: "//",
    ast.Pow: "**",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text

    def error(self, message: str) -> InvalidInput:
        return InvalidInput(_clip(message, _MESSAGE))

    def source(self, node: ast.AST) -> str:
        segment = ast.get_source_segment(self.text, node) or ast.unparse(node)
        return _clip(segment, _QUOTE)

    def invalid(self, node: ast.AST, hint: str = "") -> InvalidInput:
        return self.error(f"invalid expression: {self.source(node)}{hint}")

    # Conditions

    def condition(self, node: ast.AST, depth: int) -> ir.Condition:
        if depth > MAX_DEPTH:
            raise self.error("filter condition is nested too deeply")
        if isinstance(node, ast.BoolOp):
            op: Any = "and" if isinstance(node.op, ast.And) else "or"
            return ir.BoolOp(op, tuple(self.condition(value, depth + 1) for value in node.values))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return ir.Not(self.condition(node.operand, depth + 1))
        if isinstance(node, ast.Compare):
            return self.compare(node, depth)
        if isinstance(node, ast.Subscript) and self._annotation_base(node) is not None:
            return ir.Exists(self.annotation(node))
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            raise self.error(
                f"`{self.source(node)}` is not a condition on its own, it can only be used as an operand "
                "of `and` / `or` / `not`"
            )
        # Anything else is at best a value: parse it (so a call or a lambda is reported as such),
        # then refuse it as a condition.
        self.operand(node, depth + 1)
        text = self.source(node)
        raise self.error(f"`{text}` is not a condition, expected a comparison such as `{text} == ...`")

    def _is_comprehension_like(self, node: ast.AST) -> bool:
        return isinstance(node, ast.ListComp | ast.GeneratorExp | ast.SetComp | ast.DictComp)

    def compare(self, node: ast.Compare, depth: int) -> ir.Condition:
        left = self.operand(node.left, depth + 1)
        items: list[ir.Condition] = []
        for op_node, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.operand(right_node, depth + 1)
            items.append(self._comparison(_COMPARE_OPS[type(op_node)], left, right, node))
            left = right
        return items[0] if len(items) == 1 else ir.BoolOp("and", tuple(items))

    def _comparison(self, op: ir.CompareOp, left: ir.Operand, right: ir.Operand, node: ast.AST) -> ir.Compare:
        for side, other in ((left, right), (right, left)):
            if isinstance(side, ir.ParentSpan) and not (
                op in ("is", "is not", "==", "!=") and isinstance(other, ir.Literal) and other.value is None
            ):
                raise self.error("`parent_span` can only be compared to None (e.g. `parent_span is None`)")
        if isinstance(left, ir.ListLiteral) and op not in ("in", "not in"):
            raise self.error(f"a list can only be the right side of `in` / `not in`: {self.source(node)}")
        return ir.Compare(op, left, right)

    # Operands

    def operand(self, node: ast.AST, depth: int) -> ir.Operand:
        if depth > MAX_DEPTH:
            raise self.error("filter condition is nested too deeply")
        if isinstance(node, ast.Constant):
            return ir.Literal(self.literal(node))
        if isinstance(node, ast.List | ast.Tuple):
            return ir.ListLiteral(tuple(self.literal(e) for e in node.elts))
        if isinstance(node, ast.Name | ast.Attribute):
            return self.name_path(node)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.UnaryOp | ast.BinOp):
            return self.arithmetic(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if self._is_comprehension_like(node):
            raise self.invalid(
                node,
                "; a comprehension may appear only as the argument of one of all, any, len, max, min, or sum",
            )
        raise self.invalid(node)

    def arithmetic(self, node: ast.UnaryOp | ast.BinOp, depth: int) -> ir.Operand:
        if isinstance(node, ast.BinOp):
            op = _ARITHMETIC.get(type(node.op))
            if op is None:
                raise self.error(f"invalid arithmetic operator: {_OPERATOR_TEXT.get(type(node.op), '?')}")
            return ir.Arithmetic(op, self.operand(node.left, depth + 1), self.operand(node.right, depth + 1))
        if isinstance(node.op, ast.USub):
            return ir.Negative(self.operand(node.operand, depth + 1))
        if isinstance(node.op, ast.UAdd):
            return self.operand(node.operand, depth + 1)
        if isinstance(node.op, ast.Invert):
            raise self.error(f"unsupported operator: {self.source(node)}")
        raise self.invalid(node)

    def literal(self, node: ast.AST) -> ir.Scalar:
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            negated = self.literal(node.operand)
            if isinstance(negated, int | float) and not isinstance(negated, bool):
                return -negated
        if not isinstance(node, ast.Constant):
            raise self.invalid(node, "; lists may hold only literal values")
        value: Any = node.value
        if value is None or isinstance(value, bool):
            return cast(ir.Scalar, value)
        if isinstance(value, str):
            if "\x00" in value:
                raise self.error("string literals cannot contain a NUL character")
            return value
        if isinstance(value, int | float):
            try:
                finite = math.isfinite(float(value))
            except OverflowError:
                finite = False
            if not finite:
                raise self.error(f"invalid numeric literal: {self.source(node)}")
            return value
        raise self.error(f"unsupported literal: {self.source(node)}")

    def name_path(self, node: ast.AST) -> ir.Operand:
        parts: list[str] = []
        current = node
        while isinstance(current, ast.Attribute):
            parts.append(current.attr)
            current = current.value
        if isinstance(current, ast.Subscript) and self._annotation_base(current) is not None:
            if len(parts) != 1:
                raise self.invalid(node)
            return self.annotation(current, parts[0], node)
        if not isinstance(current, ast.Name):
            raise self.invalid(node, "; attributes can only be read from names")
        parts.append(current.id)
        dotted = ".".join(reversed(parts))
        if dotted == "parent_span":
            return ir.ParentSpan()
        if parts[-1] == "parent_span":
            raise self.error(
                f"`{dotted}` is not supported: `parent_span` traversal (`parent_span.<field>`) is not yet "
                "available; only `parent_span is None` and `parent_span is not None` are supported"
            )
        if dotted in COLUMNS:
            return ir.Column(COLUMNS[dotted])
        if dotted in ("cost_details", "attributes") or parts[-1] in _ANNOTATION_SOURCES:
            raise self.invalid(node)
        return ir.Attribute(tuple(reversed(parts)), numeric=dotted in _NUMERIC_ATTRIBUTES)

    def _annotation_base(self, node: ast.Subscript) -> str | None:
        if isinstance(node.value, ast.Name) and node.value.id in _ANNOTATION_SOURCES:
            return node.value.id
        return None

    def annotation(self, node: ast.Subscript, field: str | None = None, whole: ast.AST | None = None) -> ir.Annotation:
        base = self._annotation_base(node) or ""
        key = node.slice
        if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
            raise self.invalid(node, "; an annotation is named by a string")
        if not key.value:
            raise self.error(f"missing eval name in `{self.source(node)}`")
        if "\x00" in key.value:
            raise self.error("string literals cannot contain a NUL character")
        if field is not None and field not in _ANNOTATION_FIELDS:
            text = self.source(whole or node)
            close = [f for f in _ANNOTATION_FIELDS if sorted(f) == sorted(field)]
            if close:
                raise self.error(f"invalid attribute `.{field}` in `{text}`, did you mean `.{close[0]}`?")
            raise self.error(
                f"invalid eval attribute `.{field}` in `{text}`, expected one of `.score`, `.label`, "
                "`.explanation`, or `.identifier`"
            )
        source: Any = "trace" if _ANNOTATION_SOURCES[base] == "trace" else "span"
        return ir.Annotation(source, key.value, cast(Any, field))

    def subscript(self, node: ast.Subscript) -> ir.Operand:
        if self._annotation_base(node) is not None:
            return self.annotation(node)
        keys: list[str | int] = []
        current: ast.AST = node
        while isinstance(current, ast.Subscript):
            keys[:0] = self._keys(current.slice)
            current = current.value
        if not (isinstance(current, ast.Name) and current.id in ("attributes", "metadata")):
            raise self.invalid(node, "; only `attributes[...]` and `metadata[...]` can be indexed")
        if current.id == "metadata":
            keys.insert(0, "metadata")
        return ir.Attribute(tuple(keys))

    def _keys(self, node: ast.AST) -> list[str | int]:
        elements = node.elts if isinstance(node, ast.List | ast.Tuple) else [node]
        keys: list[str | int] = []
        for element in elements:
            if not isinstance(element, ast.Constant) or isinstance(element.value, bool):
                raise self.invalid(element, "; keys are strings or integers")
            if not isinstance(element.value, str | int):
                raise self.invalid(element, "; keys are strings or integers")
            if isinstance(element.value, str) and ("\x00" in element.value or '"' in element.value):
                raise self.error(f"invalid attribute key: {self.source(element)}")
            keys.append(element.value)
        return keys

    def call(self, node: ast.Call, depth: int) -> ir.Operand:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else None
        if name in ("len", "max", "min", "sum", "any", "all"):
            raise self.error(
                f"`{name}(...)` over cost_details is not available: spans carry no cost details "
                f"(in `{self.source(node)}`)"
            )
        if name not in ("str", "float", "int") or node.keywords or len(node.args) != 1:
            raise self.invalid(node)
        argument = node.args[0]
        if isinstance(argument, ast.Starred):
            raise self.invalid(node)
        return ir.Cast(cast(Any, name), self.operand(argument, depth + 1))


def _prechecks(text: str) -> None:
    if "\x00" in text:
        raise InvalidInput("condition cannot contain a NUL character")
    if len(text) > MAX_CONDITION_LENGTH:
        raise InvalidInput(f"condition is too long (at most {MAX_CONDITION_LENGTH} characters)")
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.NAME and not token.string.isascii():
                raise InvalidInput(
                    f"`{_clip(token.string, _QUOTE)}` is interpreted as a field name; use unaccented ASCII "
                    "for field names"
                )
    except (tokenize.TokenError, SyntaxError):
        return  # the parser reports it with a position


def _parse(text: str) -> ast.expr:
    _prechecks(text)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        message = exc.msg or "invalid syntax"
        if exc.offset is not None:
            message = f"{message} at character {exc.offset}"
        raise InvalidInput(_clip(message, _MESSAGE)) from None
    except (RecursionError, MemoryError, ValueError):
        raise InvalidInput("filter condition is nested too deeply") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise InvalidInput(f"condition is too large (at most {MAX_NODES} syntax nodes)")
    return tree.body


def parse_condition(text: str) -> ir.Condition:
    """The condition tree of a ``where`` text.

    Raises:
        InvalidInput: the text is outside the grammar (the message quotes the offending part).
    """
    body = _parse(text)
    return _Parser(text.strip()).condition(body, 0)


def parse_projection(text: str) -> ir.Column | ir.Attribute:
    """A ``select``/``explode``/``concat``/``index`` key: a field name or an attribute path.

    Raises:
        InvalidInput: anything else.
    """
    body = _parse(text)
    parser = _Parser(text.strip())
    result: ir.Operand | None = None
    if isinstance(body, ast.Subscript) and parser._annotation_base(body) is None:
        result = parser.subscript(body)
    elif isinstance(body, ast.Name | ast.Attribute):
        result = parser.name_path(body)
    if isinstance(result, ir.Attribute) or (isinstance(result, ir.Column) and result.name not in _COSTS):
        return result
    raise InvalidInput(f"invalid projection: {_clip(text, _QUOTE)}")


_COSTS = frozenset({"total_cost", "prompt_cost", "completion_cost"})
