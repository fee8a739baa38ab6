"""Traces: paginated listing with token totals and, optionally, their spans; delete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.models import Project, Span, Trace
from pyrewatch.db.session import Session
from pyrewatch.errors import NotFound
from pyrewatch.ids import MAX_ROW_ID, parse_typed_global_id
from pyrewatch.services.projects import require_project_reach, resolve_project
from pyrewatch.store import spans as span_store
from pyrewatch.store import traces as store
from pyrewatch.store.traces import TraceFilter, TraceKey, TracePaging, TraceTokens

__all__ = ["TraceKey", "TracePage", "TracePaging", "TraceQuery", "TraceView", "delete_trace", "list_traces"]


@dataclass(frozen=True)
class TraceQuery:
    """What a caller may filter a project's traces on, as received."""

    start_time: datetime | None = None  # inclusive, on trace start
    end_time: datetime | None = None  # exclusive, on trace start
    session_identifiers: Sequence[str] = ()
    latency_range: tuple[float | None, float | None] = (None, None)  # inclusive bounds, in ms
    error: bool | None = None  # with (or without) a span whose status is ERROR


@dataclass(frozen=True)
class TraceView:
    trace: Trace
    latency_ms: float
    tokens: TraceTokens
    spans: list[Span] | None = None


@dataclass(frozen=True)
class TracePage:
    project: Project
    traces: list[TraceView] = field(default_factory=list)
    next_key: TraceKey | None = None


async def list_traces(
    session: Session,
    principal: Principal,
    project_identifier: str,
    query: TraceQuery,
    paging: TracePaging,
    *,
    include_spans: bool,
) -> TracePage:
    """One page of a project's traces, newest (or slowest) first by default."""
    require(principal, Action.READ)
    project = await resolve_project(session, project_identifier, principal)
    if query.session_identifiers:
        # Pyrewatch does not record sessions yet, so no trace belongs to one.
        return TracePage(project=project)
    trace_filter = TraceFilter(
        project_id=project.id,
        start_time=query.start_time,
        end_time=query.end_time,
        latency_range=query.latency_range,
        error=query.error,
    )
    rows = await store.list_traces(session, trace_filter, paging)
    limit = paging.limit
    next_key = None
    if len(rows) > limit:
        extra, extra_latency = rows[limit]
        next_key = TraceKey(value=extra_latency if paging.by_latency else extra.start_time, id=extra.id)
    rows = rows[:limit]
    rowids = [trace.id for trace, _ in rows]
    tokens = await store.token_counts(session, rowids)
    spans_by_trace: dict[int, list[Span]] = {rowid: [] for rowid in rowids}
    if include_spans:
        for span in await span_store.list_spans_of_traces(session, rowids):
            spans_by_trace[span.trace_rowid].append(span)
    views = [
        TraceView(
            trace=trace,
            latency_ms=latency,
            tokens=tokens.get(trace.id, TraceTokens(0, 0)),
            spans=spans_by_trace[trace.id] if include_spans else None,
        )
        for trace, latency in rows
    ]
    return TracePage(project=project, traces=views, next_key=next_key)


async def delete_trace(session: Session, principal: Principal, identifier: str) -> None:
    """Delete a trace (GlobalID or OTel trace id) with all its spans.

    Raises:
        NotFound: no such trace.
    """
    require(principal, Action.WRITE)
    row_id = parse_typed_global_id(identifier, "Trace")
    if row_id is not None:
        trace = await store.find_trace(session, row_id) if row_id <= MAX_ROW_ID else None
    else:
        trace = await store.find_trace_by_trace_id(session, identifier) if "\x00" not in identifier else None
    if trace is None:
        raise NotFound(f"Trace with ID {identifier} not found")
    await require_project_reach(session, principal, [trace.project_id])
    await store.delete_trace(session, trace.id)
