"""Traces: keyset listing by start time or latency, token totals, deletes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, cast, delete, exists, extract, func, or_, select, update

from pyrewatch.db.models import Span, Trace
from pyrewatch.db.session import Session

__all__ = [
    "TraceFilter",
    "TraceKey",
    "TracePaging",
    "TraceTokens",
    "delete_trace",
    "find_trace",
    "find_trace_by_trace_id",
    "list_traces",
    "move_traces",
    "token_counts",
    "traces_by_trace_ids",
]


@dataclass(frozen=True)
class TraceKey:
    """A position in a listing: the sort value (a start time, a latency in ms or a token total)
    and the row id."""

    value: datetime | float
    id: int


@dataclass(frozen=True)
class TracePaging:
    """One page of a listing: its size, where it starts (inclusive) and its order."""

    limit: int
    after: TraceKey | None = None
    by_latency: bool = False
    by_tokens: bool = False  # prompt + completion tokens of the trace's LLM spans
    descending: bool = True


@dataclass(frozen=True)
class TraceFilter:
    project_id: int
    start_time: datetime | None = None  # inclusive, on trace start
    end_time: datetime | None = None  # exclusive, on trace start
    latency_range: tuple[float | None, float | None] = (None, None)  # inclusive bounds, in ms
    error: bool | None = None  # with (or without) a span whose status is ERROR
    session_rowids: Sequence[int] | None = None  # only traces of these sessions


@dataclass(frozen=True)
class TraceTokens:
    prompt: int
    completion: int


def latency_ms(dialect: str) -> ColumnElement[float]:
    """``end_time - start_time`` in milliseconds, in the dialect's own arithmetic."""
    if dialect == "postgresql":
        return cast(extract("epoch", Trace.end_time - Trace.start_time), Float) * 1000.0
    # julianday counts days in a float (SQLite keeps milliseconds): round away its noise.
    return func.round((func.julianday(Trace.end_time) - func.julianday(Trace.start_time)) * 86_400_000.0)


def _token_total() -> ColumnElement[float]:
    """The trace's own token total (its spans' prompt and completion counts, not cumulative)."""
    own = func.coalesce(Span.llm_token_count_prompt, 0) + func.coalesce(Span.llm_token_count_completion, 0)
    total = select(func.coalesce(func.sum(own), 0)).where(Span.trace_rowid == Trace.id).scalar_subquery()
    return cast(total, Float)


def _sort_column(paging: TracePaging, dialect: str) -> ColumnElement[Any]:
    if paging.by_tokens:
        return _token_total()
    if paging.by_latency:
        return latency_ms(dialect)
    return Trace.start_time.expression


async def list_traces(session: Session, f: TraceFilter, paging: TracePaging) -> list[tuple[Trace, float, Any]]:
    """Up to ``paging.limit + 1`` traces matching ``f`` with their latency in ms and their sort
    value, from ``paging.after`` (inclusive); the extra row starts the next page."""
    dialect = session.get_bind().dialect.name
    sort = _sort_column(paging, dialect)
    latency = latency_ms(dialect)
    stmt = select(Trace, latency, sort).where(Trace.project_id == f.project_id)
    if f.latency_range[0] is not None:
        stmt = stmt.where(latency >= f.latency_range[0])
    if f.latency_range[1] is not None:
        stmt = stmt.where(latency <= f.latency_range[1])
    if f.error is not None:
        failed = exists().where(Span.trace_rowid == Trace.id, Span.status_code == "ERROR")
        stmt = stmt.where(failed if f.error else ~failed)
    if f.session_rowids is not None:
        stmt = stmt.where(Trace.project_session_rowid.in_(f.session_rowids))
    if f.start_time is not None:
        stmt = stmt.where(Trace.start_time >= f.start_time)
    if f.end_time is not None:
        stmt = stmt.where(Trace.start_time < f.end_time)
    after = paging.after
    if after is not None:
        if paging.descending:
            stmt = stmt.where(or_(sort < after.value, and_(sort == after.value, Trace.id <= after.id)))
        else:
            stmt = stmt.where(or_(sort > after.value, and_(sort == after.value, Trace.id >= after.id)))
    order = [sort.desc(), Trace.id.desc()] if paging.descending else [sort.asc(), Trace.id.asc()]
    stmt = stmt.order_by(*order).limit(paging.limit + 1)
    return [(trace, float(lat or 0.0), value) for trace, lat, value in (await session.execute(stmt)).all()]


async def token_counts(session: Session, trace_rowids: Sequence[int]) -> dict[int, TraceTokens]:
    """Per trace, the sums of its LLM spans' own (not cumulative) prompt and completion counts."""
    if not trace_rowids:
        return {}
    stmt = (
        select(
            Span.trace_rowid,
            func.coalesce(func.sum(Span.llm_token_count_prompt), 0),
            func.coalesce(func.sum(Span.llm_token_count_completion), 0),
        )
        .where(Span.trace_rowid.in_(trace_rowids))
        .group_by(Span.trace_rowid)
    )
    rows = (await session.execute(stmt)).all()
    return {rowid: TraceTokens(int(prompt or 0), int(completion or 0)) for rowid, prompt, completion in rows}


async def find_trace(session: Session, rowid: int) -> Trace | None:
    return await session.get(Trace, rowid)


async def find_trace_by_trace_id(session: Session, trace_id: str) -> Trace | None:
    result = await session.execute(select(Trace).where(Trace.trace_id == trace_id))
    return result.scalar_one_or_none()


async def delete_trace(session: Session, rowid: int) -> None:
    """Delete a trace with its spans and their annotations (ON DELETE CASCADE)."""
    await session.execute(delete(Trace).where(Trace.id == rowid))


async def traces_by_trace_ids(
    session: Session, trace_ids: Sequence[str], *, project_id: int | None = None
) -> dict[str, Trace]:
    """The stored traces among ``trace_ids`` (OTel hex ids), optionally only those of one project."""
    if not trace_ids:
        return {}
    stmt = select(Trace).where(Trace.trace_id.in_(set(trace_ids)))
    if project_id is not None:
        stmt = stmt.where(Trace.project_id == project_id)
    return {trace.trace_id: trace for trace in (await session.execute(stmt)).scalars()}


async def move_traces(session: Session, trace_rowids: Sequence[int], project_id: int) -> None:
    """Re-parent traces (and their spans) to another project."""
    if not trace_rowids:
        return
    await session.execute(
        update(Trace)
        .where(Trace.id.in_(trace_rowids))
        .values(project_id=project_id)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Span)
        .where(Span.trace_rowid.in_(trace_rowids))
        .values(project_id=project_id)
        .execution_options(synchronize_session=False)
    )
