"""Traces: paginated listing with token totals and, optionally, their spans; delete."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.models import Project, Span, Trace
from pyrewatch.db.session import Session
from pyrewatch.errors import NotFound
from pyrewatch.ids import parse_typed_global_id
from pyrewatch.services.projects import MAX_ROW_ID, resolve_project
from pyrewatch.store import spans as span_store
from pyrewatch.store import traces as store
from pyrewatch.store.traces import TraceKey, TraceTokens

__all__ = ["TracePage", "TraceView", "delete_trace", "list_traces"]


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
    *,
    limit: int,
    after: TraceKey | None,
    by_latency: bool,
    descending: bool,
    start_time: datetime | None,
    end_time: datetime | None,
    include_spans: bool,
    session_identifiers: list[str],
    latency_range: tuple[float | None, float | None] = (None, None),
    error: bool | None = None,
) -> TracePage:
    """One page of a project's traces, newest (or slowest) first by default."""
    require(principal, Action.READ)
    project = await resolve_project(session, project_identifier)
    if session_identifiers:
        # Pyrewatch does not record sessions yet, so no trace belongs to one.
        return TracePage(project=project)
    rows = await store.list_traces(
        session,
        project_id=project.id,
        limit=limit,
        start_time=start_time,
        end_time=end_time,
        after=after,
        by_latency=by_latency,
        descending=descending,
        latency_range=latency_range,
        error=error,
    )
    next_key = None
    if len(rows) > limit:
        extra, extra_latency = rows[limit]
        next_key = TraceKey(value=extra_latency if by_latency else extra.start_time, id=extra.id)
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
    await store.delete_trace(session, trace.id)
