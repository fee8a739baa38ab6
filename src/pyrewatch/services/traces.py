"""Traces: paginated listing with token totals and, optionally, their spans; delete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.models import Project, Span, Trace
from pyrewatch.db.session import Session
from pyrewatch.errors import InvalidInput, NotFound
from pyrewatch.ids import MAX_ROW_ID, parse_typed_global_id
from pyrewatch.services.project_sessions import session_rowids
from pyrewatch.services.projects import require_project_reach, resolve_project
from pyrewatch.store import project_sessions as session_store
from pyrewatch.store import spans as span_store
from pyrewatch.store import traces as store
from pyrewatch.store.traces import TraceFilter, TraceKey, TracePaging, TraceTokens

__all__ = [
    "MAX_TRANSFER",
    "TraceKey",
    "TracePage",
    "TracePaging",
    "TraceQuery",
    "TraceView",
    "delete_trace",
    "get_trace",
    "list_traces",
    "transfer_traces",
]


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
    sessions = None
    if query.session_identifiers:
        sessions = await session_rowids(session, project.id, query.session_identifiers)
    trace_filter = TraceFilter(
        project_id=project.id,
        start_time=query.start_time,
        end_time=query.end_time,
        latency_range=query.latency_range,
        error=query.error,
        session_rowids=sessions,
    )
    rows = await store.list_traces(session, trace_filter, paging)
    limit = paging.limit
    next_key = None
    if len(rows) > limit:
        extra, extra_latency, extra_value = rows[limit]
        value = float(extra_value or 0.0) if paging.by_tokens else extra_latency
        next_key = TraceKey(value=value if paging.by_latency or paging.by_tokens else extra.start_time, id=extra.id)
    rows = rows[:limit]
    rowids = [trace.id for trace, _, _ in rows]
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
        for trace, latency, _ in rows
    ]
    return TracePage(project=project, traces=views, next_key=next_key)


MAX_TRANSFER = 10_000


async def _find_trace(session: Session, identifier: str) -> Trace | None:
    row_id = parse_typed_global_id(identifier, "Trace")
    if row_id is not None:
        return await store.find_trace(session, row_id) if row_id <= MAX_ROW_ID else None
    return await store.find_trace_by_trace_id(session, identifier) if "\x00" not in identifier else None


async def transfer_traces(
    session: Session, principal: Principal, identifiers: Sequence[str], destination: str
) -> tuple[int, Project]:
    """Move traces (GlobalIDs or OTel trace ids) with their spans and annotations to another
    project; a session moves with them when all its traces do. Returns (count, destination).

    Raises:
        InvalidInput: no identifiers, too many, or traces from more than one project.
        NotFound: an unknown trace or destination project.
    """
    require(principal, Action.WRITE)
    if not identifiers or len(identifiers) > MAX_TRANSFER:
        raise InvalidInput(f"Give 1 to {MAX_TRANSFER} trace identifiers")
    target = await resolve_project(session, destination, principal)
    traces: dict[int, Trace] = {}
    for identifier in identifiers:
        trace = await _find_trace(session, identifier)
        if trace is None:
            raise NotFound(f"Trace with ID {identifier} not found")
        traces[trace.id] = trace
    if len({trace.project_id for trace in traces.values()}) > 1:
        raise InvalidInput("All traces must belong to the same source project")
    await require_project_reach(session, principal, [trace.project_id for trace in traces.values()])
    rowids = sorted(traces)
    await store.move_traces(session, rowids, target.id)
    await session_store.move_whole_sessions(session, rowids, target.id)
    return len(rowids), target


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


async def get_trace(session: Session, principal: Principal, rowid: int) -> TraceView:
    """A trace by row id with its latency, token totals and spans (by start time). Raises ``NotFound``."""
    require(principal, Action.READ)
    trace = await store.find_trace(session, rowid) if 0 < rowid <= MAX_ROW_ID else None
    if trace is None:
        raise NotFound(f"Trace with ID {rowid} not found")
    await require_project_reach(session, principal, [trace.project_id])
    spans = await span_store.list_spans_of_traces(session, [trace.id])
    tokens = (await store.token_counts(session, [trace.id])).get(trace.id, TraceTokens(0, 0))
    latency = (trace.end_time - trace.start_time).total_seconds() * 1000.0
    return TraceView(trace=trace, latency_ms=latency, tokens=tokens, spans=spans)
