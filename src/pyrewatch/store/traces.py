"""Traces: keyset listing by start time or latency, token totals, deletes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, cast, delete, exists, extract, func, or_, select

from pyrewatch.db.models import Span, Trace
from pyrewatch.db.session import Session

__all__ = [
    "TraceKey",
    "TraceTokens",
    "delete_trace",
    "find_trace",
    "find_trace_by_trace_id",
    "list_traces",
    "token_counts",
]


@dataclass(frozen=True)
class TraceKey:
    """A position in a listing: the sort value (a start time or a latency in ms) and the row id."""

    value: datetime | float
    id: int


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


def _sort_column(by_latency: bool, dialect: str) -> ColumnElement[Any]:
    if by_latency:
        return latency_ms(dialect)
    return Trace.start_time.expression


async def list_traces(
    session: Session,
    *,
    project_id: int,
    limit: int,
    start_time: datetime | None = None,
    end_time: datetime | None = None,
    after: TraceKey | None = None,
    by_latency: bool = False,
    descending: bool = True,
    latency_range: tuple[float | None, float | None] = (None, None),
    error: bool | None = None,
) -> list[tuple[Trace, float]]:
    """Up to ``limit + 1`` traces with their latency in ms, from ``after`` (inclusive).

    ``latency_range`` bounds the latency (inclusive); ``error`` keeps traces with (or without)
    a span whose status is ERROR.
    """
    dialect = session.get_bind().dialect.name
    sort = _sort_column(by_latency, dialect)
    latency = latency_ms(dialect)
    stmt = select(Trace, latency).where(Trace.project_id == project_id)
    if latency_range[0] is not None:
        stmt = stmt.where(latency >= latency_range[0])
    if latency_range[1] is not None:
        stmt = stmt.where(latency <= latency_range[1])
    if error is not None:
        failed = exists().where(Span.trace_rowid == Trace.id, Span.status_code == "ERROR")
        stmt = stmt.where(failed if error else ~failed)
    if start_time is not None:
        stmt = stmt.where(Trace.start_time >= start_time)
    if end_time is not None:
        stmt = stmt.where(Trace.start_time < end_time)
    if after is not None:
        if descending:
            stmt = stmt.where(or_(sort < after.value, and_(sort == after.value, Trace.id <= after.id)))
        else:
            stmt = stmt.where(or_(sort > after.value, and_(sort == after.value, Trace.id >= after.id)))
    order = [sort.desc(), Trace.id.desc()] if descending else [sort.asc(), Trace.id.asc()]
    stmt = stmt.order_by(*order).limit(limit + 1)
    return [(trace, float(lat or 0.0)) for trace, lat in (await session.execute(stmt)).all()]


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
