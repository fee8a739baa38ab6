"""The frames of the span query (``POST /v1/spans``): ``select``, ``explode``, ``concat``,
``rename`` and ``index`` applied to the spans a ``where`` selected.

Projection keys name span fields or attribute paths (never annotations or costs); values are
read from the stored span in Python, so the frame is the same on every database. Rows keep the
spans' order (newest first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyrewatch.db.models import Span
from pyrewatch.errors import InvalidInput
from pyrewatch.store.span_query import ir, parse_projection

__all__ = ["Frame", "Projection", "build_frame", "compile_projection"]

_ALIASES = {"span_id": "context.span_id", "trace_id": "context.trace_id"}
_DOCUMENT_KEYS = ("retrieval.documents", "attributes.retrieval.documents")
DEFAULT_INDEX = "context.span_id"


@dataclass(frozen=True)
class _Spread:
    """An explode or concat: the list at ``key`` and, per output column, a path in each element."""

    key: str
    path: ir.Column | ir.Attribute
    kwargs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    separator: str = "\n\n"


@dataclass(frozen=True)
class Projection:
    """A compiled query frame; ``is_default`` means the full span table (no select/explode/concat)."""

    select: tuple[tuple[str, ir.Column | ir.Attribute], ...] = ()
    explode: _Spread | None = None
    concat: _Spread | None = None
    rename: tuple[tuple[str, str], ...] = ()
    index: tuple[str, ir.Column | ir.Attribute] = (DEFAULT_INDEX, ir.Column(DEFAULT_INDEX))

    @property
    def is_default(self) -> bool:
        return not self.select and self.explode is None and self.concat is None


@dataclass(frozen=True)
class Frame:
    index: list[str]
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)


def _key(raw: Any, what: str) -> ir.Column | ir.Attribute:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput(f"invalid projection: {what} needs a key")
    result = parse_projection(raw)
    if isinstance(result, ir.Attribute) and len(result.path) > 1 and result.path[0] == "attributes":
        result = ir.Attribute(result.path[1:])
    return result


def _spread(raw: Mapping[str, Any] | None, what: str) -> _Spread | None:
    if not raw or not raw.get("key"):
        return None
    kwargs = raw.get("kwargs") or {}
    if not isinstance(kwargs, dict) or not all(isinstance(v, str) and isinstance(k, str) for k, v in kwargs.items()):
        raise InvalidInput(f"invalid projection: {what} kwargs must map names to paths")
    separator = raw.get("separator", "\n\n")
    if not isinstance(separator, str):
        raise InvalidInput(f"invalid projection: {what} separator must be text")
    paths = tuple((name, tuple(path.split("."))) for name, path in kwargs.items())
    return _Spread(str(raw["key"]), _key(raw["key"], what), paths, separator)


def compile_projection(query: Mapping[str, Any]) -> Projection:
    """Check and compile the projection parts of one query.

    Raises:
        InvalidInput: a key outside the projection grammar or a malformed part.
    """
    select = query.get("select") or {}
    if not isinstance(select, dict):
        raise InvalidInput("invalid projection: select must be an object")
    columns = []
    for name, spec in select.items():
        raw = spec.get("key") if isinstance(spec, dict) else spec
        columns.append((_ALIASES.get(str(name), str(name)), _key(raw if raw is not None else name, "select")))
    rename = query.get("rename") or {}
    if not isinstance(rename, dict) or not all(isinstance(v, str) for v in rename.values()):
        raise InvalidInput("invalid projection: rename must map names to names")
    index_raw = (query.get("index") or {}).get("key") or DEFAULT_INDEX
    index_name = _ALIASES.get(index_raw, index_raw) if isinstance(index_raw, str) else DEFAULT_INDEX
    return Projection(
        select=tuple(columns),
        explode=_spread(query.get("explode"), "explode"),
        concat=_spread(query.get("concat"), "concat"),
        rename=tuple((str(k), v) for k, v in rename.items()),
        index=(index_name, _key(index_raw, "index")),
    )


def _column_value(span: Span, trace_id: str, name: str) -> Any:
    prompt, completion = span.cumulative_llm_token_count_prompt, span.cumulative_llm_token_count_completion
    values: dict[str, Any] = {
        "context.span_id": span.span_id,
        "context.trace_id": trace_id,
        "parent_id": span.parent_id,
        "name": span.name,
        "status_message": span.status_message,
        "span_kind": span.span_kind,
        "status_code": span.status_code,
        "start_time": span.start_time,
        "end_time": span.end_time,
        "latency_ms": (span.end_time - span.start_time).total_seconds() * 1000.0,
        "cumulative_llm_token_count_prompt": prompt,
        "cumulative_llm_token_count_completion": completion,
        "cumulative_llm_token_count_total": prompt + completion,
    }
    return values.get(name)


def _walk(value: Any, path: Sequence[str | int]) -> Any:
    for key in path:
        if isinstance(value, dict):
            value = value.get(str(key))
        elif isinstance(value, list) and isinstance(key, int | str) and str(key).lstrip("-").isdigit():
            position = int(key)
            value = value[position] if -len(value) <= position < len(value) else None
        else:
            return None
    return value


def _value(span: Span, trace_id: str, key: ir.Column | ir.Attribute) -> Any:
    if isinstance(key, ir.Column):
        return _column_value(span, trace_id, key.name)
    return _walk(span.attributes if isinstance(span.attributes, dict) else {}, key.path)


def _flatten(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, item in value.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(item, dict) and item:
            flat.update(_flatten(item, path))
        else:
            flat[path] = item
    return flat


def _exploded(spread: _Spread, elements: list[Any]) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    for position, element in enumerate(elements):
        if not isinstance(element, dict):
            continue
        named = {name: _walk(element, path) for name, path in spread.kwargs}
        rows.append((position, named if spread.kwargs else _flatten(element)))
    return rows


def _concatenated(spread: _Spread, elements: list[Any]) -> dict[str, Any]:
    if not spread.kwargs:
        return {spread.key: spread.separator.join(str(e) for e in elements if e is not None)}
    out = {}
    for name, path in spread.kwargs:
        found = [_walk(e, path) for e in elements if isinstance(e, dict)]
        out[name] = spread.separator.join(str(v) for v in found if v is not None)
    return out


def build_frame(projection: Projection, rows: Sequence[tuple[Span, str]]) -> Frame:
    """The frame of ``projection`` over ``rows`` (spans with their trace ids)."""
    index_name, index_key = projection.index
    explode, concat = projection.explode, projection.concat
    position_name = ("document_" if explode and explode.key in _DOCUMENT_KEYS else "") + "position"
    index = [index_name, position_name] if explode else [index_name]
    # As with pandas' set_index, a selected column that is also the index is only the index.
    columns: list[str] = [name for name, _ in projection.select if name != index_name]
    for spread in (explode, concat):
        if spread is not None:
            columns += [name for name, _ in spread.kwargs] or ([spread.key] if spread is concat else [])
    out: list[dict[str, Any]] = []
    for span, trace_id in rows:
        base = {index_name: _value(span, trace_id, index_key)}
        base.update({name: _value(span, trace_id, key) for name, key in projection.select})
        if concat is not None:
            elements = _value(span, trace_id, concat.path)
            if not isinstance(elements, list):
                if not projection.select and explode is None:
                    continue
                elements = []
            base.update(_concatenated(concat, elements))
        if explode is None:
            out.append(base)
            continue
        elements = _value(span, trace_id, explode.path)
        for position, values in _exploded(explode, elements if isinstance(elements, list) else []):
            out.append({**base, position_name: position, **values})
    extra = [key for row in out for key in row if key not in index and key not in columns]
    columns += list(dict.fromkeys(extra))
    renames = dict(projection.rename)
    columns = [renames.get(c, c) for c in columns]
    out = [{renames.get(k, k) if k not in index else k: v for k, v in row.items()} for row in out]
    return Frame(index=index, columns=columns, rows=out)
