"""Spans: filtered, paginated listing; the span table behind the dataframe query; delete."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pyrewatch.auth.policy import Action, require, require_project
from pyrewatch.auth.principal import Principal
from pyrewatch.db.session import Session
from pyrewatch.errors import InvalidInput, NotFound
from pyrewatch.ids import MAX_ROW_ID, parse_typed_global_id
from pyrewatch.services.projects import require_project_reach, resolve_project
from pyrewatch.services.span_frames import Frame, Projection, build_frame, compile_projection
from pyrewatch.store import projects as project_store
from pyrewatch.store import spans as store
from pyrewatch.store import traces as trace_store
from pyrewatch.store.span_query import ir, parse_condition, validate_condition
from pyrewatch.store.spans import SpanFilter, SpanKey, SpanPaging, SpanRow

__all__ = [
    "SpanKey",
    "SpanPaging",
    "SPAN_KINDS",
    "STATUS_CODES",
    "SpanQuery",
    "SpanTableQuery",
    "SpanTableResult",
    "delete_span",
    "get_span",
    "list_spans",
    "span_tables",
]

SPAN_KINDS = frozenset(
    {"TOOL", "CHAIN", "LLM", "PROMPT", "RETRIEVER", "EMBEDDING", "AGENT", "RERANKER", "EVALUATOR", "GUARDRAIL"}
    | {"DECISION", "UNKNOWN"}
)
STATUS_CODES = frozenset({"OK", "ERROR", "UNSET"})
MAX_FILTER_VALUES = 1000


@dataclass(frozen=True)
class SpanQuery:
    """What a caller may filter spans on, as received (validated by ``list_spans``)."""

    start_time: datetime | None = None
    end_time: datetime | None = None
    trace_ids: Sequence[str] = ()
    span_ids: Sequence[str] = ()
    names: Sequence[str] = ()
    span_kinds: Sequence[str] = ()
    status_codes: Sequence[str] = ()
    parent_id: str | None = None
    attributes: Sequence[str] = ()  # "dotted.key:value", the value read as JSON when it parses
    name_contains: str | None = None  # a case-insensitive part of the span name


@dataclass(frozen=True)
class SpanTableQuery:
    """What the dataframe query may select a project's spans by."""

    start_time: datetime | None = None  # inclusive, on span start
    end_time: datetime | None = None  # exclusive, on span start
    root_spans_only: bool = False
    orphans_as_roots: bool = False  # with root_spans_only: a span whose parent is not stored is a root


def _check_values(name: str, values: Sequence[str]) -> None:
    if len(values) > MAX_FILTER_VALUES:
        raise InvalidInput(f"At most {MAX_FILTER_VALUES} {name} values may be given")
    if any("\x00" in v for v in values):
        raise InvalidInput(f"Invalid {name} values: NUL characters are not allowed")


def _parse_attribute(raw: str) -> tuple[tuple[str, ...], Any]:
    key, sep, text = raw.partition(":")
    path = tuple(key.split("."))
    if not sep or not key or any(not part or '"' in part or "\\" in part for part in path):
        raise InvalidInput(f"Invalid attribute filter: {raw!r} (expected key:value)")
    try:
        value: Any = json.loads(text)
    except ValueError:
        value = text
    if isinstance(value, float) and value != value:  # NaN never equals anything
        raise InvalidInput(f"Invalid attribute filter: {raw!r}")
    if isinstance(value, dict | list):
        raise InvalidInput(f"Invalid attribute filter: {raw!r} (only scalar values can be matched)")
    return path, value


def _span_filter(project_id: int, q: SpanQuery) -> SpanFilter:
    for name, values in (
        ("trace_id", q.trace_ids),
        ("span_id", q.span_ids),
        ("name", q.names),
        ("span_kind", q.span_kinds),
        ("status_code", q.status_codes),
        ("attribute", q.attributes),
        ("name_contains", [q.name_contains] if q.name_contains else []),
    ):
        _check_values(name, values)
    kinds = [k.upper() for k in q.span_kinds]
    bad_kinds = [k for k in q.span_kinds if k.upper() not in SPAN_KINDS]
    if bad_kinds:
        raise InvalidInput(f"Invalid span_kind values: {bad_kinds}")
    codes = [c.upper() for c in q.status_codes]
    bad_codes = [c for c in q.status_codes if c.upper() not in STATUS_CODES]
    if bad_codes:
        raise InvalidInput(f"Invalid status_code values: {bad_codes}")
    if q.parent_id is not None:
        _check_values("parent_id", [q.parent_id])
    roots_only = q.parent_id is not None and q.parent_id.lower() == "null"
    return SpanFilter(
        project_id=project_id,
        start_time=q.start_time,
        end_time=q.end_time,
        trace_ids=list(q.trace_ids),
        span_ids=list(q.span_ids),
        names=list(q.names),
        span_kinds=kinds,
        status_codes=codes,
        parent_id=None if roots_only else q.parent_id,
        roots_only=roots_only,
        attributes=[_parse_attribute(a) for a in q.attributes],
        name_contains=q.name_contains or None,
    )


async def list_spans(
    session: Session, principal: Principal, project_identifier: str, query: SpanQuery, paging: SpanPaging
) -> tuple[list[SpanRow], SpanKey | None]:
    """One page of a project's spans and the key that starts the next page."""
    require(principal, Action.READ)
    project = await resolve_project(session, project_identifier, principal)
    span_filter = _span_filter(project.id, query)
    rows = await store.list_spans(session, span_filter, paging)
    limit = paging.limit
    next_key = None
    if len(rows) > limit:
        extra = rows[limit][0]
        next_key = SpanKey(start_time=extra.start_time if paging.by_start_time else None, id=extra.id)
    return rows[:limit], next_key


@dataclass(frozen=True)
class SpanTableResult:
    """The spans one query selected and, unless it asked for the full span table, its frame."""

    rows: list[SpanRow]
    frame: Frame | None = None


def _compile_query(query: Mapping[str, Any]) -> tuple[ir.Condition | None, Projection]:
    try:
        condition_spec = query.get("filter") or {}
        text = condition_spec.get("condition") if isinstance(condition_spec, dict) else None
        if text is not None and not isinstance(text, str):
            raise InvalidInput("filter condition must be text")
        where = parse_condition(text) if text and text.strip() else None
        if where is not None:
            validate_condition(where)
        return where, compile_projection(query)
    except InvalidInput as exc:
        raise InvalidInput(f"Invalid query: {exc}") from None


async def span_tables(
    session: Session,
    principal: Principal,
    project_name: str,
    queries: Sequence[Mapping[str, Any]],
    table: SpanTableQuery,
    *,
    limit: int,
) -> list[SpanTableResult]:
    """Run each query of ``POST /v1/spans`` on a project's spans, newest first, ``limit`` spans
    per query; an unknown project gives empty results. Every query is checked before any runs.

    Raises:
        InvalidInput: a query outside the grammar (``Invalid query: ...``).
    """
    require(principal, Action.READ)
    require_project(principal, project_name)  # before the lookup: a bound key learns nothing of others
    compiled = [_compile_query(query) for query in queries]
    project = None
    if "\x00" not in project_name:
        project = await project_store.find_project_by_name(session, project_name)
    results = []
    for where, projection in compiled:
        rows: list[SpanRow] = []
        if project is not None:
            span_filter = SpanFilter(project_id=project.id, start_time=table.start_time, end_time=table.end_time)
            span_filter = replace(
                span_filter, roots_only=table.root_spans_only, orphans_as_roots=table.orphans_as_roots, where=where
            )
            rows = (await store.list_spans(session, span_filter, SpanPaging(limit=limit)))[:limit]
        frame = None if projection.is_default else build_frame(projection, rows)
        results.append(SpanTableResult(rows, frame))
    return results


async def delete_span(session: Session, principal: Principal, identifier: str) -> None:
    """Delete a span named by its Span GlobalID or its OTel span id.

    Raises:
        NotFound: no such span.
    """
    require(principal, Action.WRITE)
    row_id = parse_typed_global_id(identifier, "Span")
    if row_id is not None:
        span = await store.find_span(session, row_id) if row_id <= MAX_ROW_ID else None
    else:
        span = await store.find_span_by_span_id(session, identifier) if "\x00" not in identifier else None
    if span is None:
        raise NotFound(f"Span with ID {identifier} not found")
    await require_project_reach(session, principal, [span.project_id])
    await store.delete_span(session, span.id)


async def get_span(session: Session, principal: Principal, rowid: int) -> SpanRow:
    """A span by row id with its trace's OTel id. Raises ``NotFound``."""
    require(principal, Action.READ)
    span = await store.find_span(session, rowid) if 0 < rowid <= MAX_ROW_ID else None
    if span is None:
        raise NotFound(f"Span with ID {rowid} not found")
    await require_project_reach(session, principal, [span.project_id])
    trace = await trace_store.find_trace(session, span.trace_rowid)
    return span, trace.trace_id if trace is not None else ""
