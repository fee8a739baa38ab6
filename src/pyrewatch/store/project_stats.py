"""Aggregates over a project's traces and spans for the projects page and the metrics charts.

Each function is one SQL statement whatever the data size. Counts and latency percentiles come
from the ``traces`` table (one row per trace, its extent over all its spans); span counts from
the ``(project_id, start_time)`` index alone; tokens and errors from one pass over the spans.
Percentiles are nearest-rank values computed with window functions, so that SQLite and
PostgreSQL answer alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, case, func, select

from pyrewatch.db.models import Span, Trace
from pyrewatch.db.session import Session
from pyrewatch.store.traces import latency_ms

__all__ = [
    "ActivityPoint",
    "Bucket",
    "LatencyPoint",
    "ProjectActivity",
    "ProjectSpanStats",
    "ProjectTraceStats",
    "TracePoint",
    "activity_series",
    "activity_stats",
    "latency_series",
    "span_stats",
    "trace_series",
    "trace_stats",
]

Bucket = Literal["minute", "hour", "day"]
# SQLite keeps times as "YYYY-MM-DD HH:MM:SS.ffffff" text: a prefix is the bucket, far cheaper
# than formatting every row.
_SQLITE_PREFIX = {"minute": (16, ":00"), "hour": (13, ":00:00"), "day": (10, " 00:00:00")}
Window = tuple[datetime | None, datetime | None]


@dataclass(frozen=True)
class ProjectSpanStats:
    span_count: int
    last_span_at: datetime | None


@dataclass(frozen=True)
class ProjectTraceStats:
    trace_count: int
    latency_p50_ms: float | None
    latency_p99_ms: float | None


@dataclass(frozen=True)
class ProjectActivity:
    error_trace_count: int
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class TracePoint:
    at: datetime
    traces: int


@dataclass(frozen=True)
class LatencyPoint:
    at: datetime
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class ActivityPoint:
    at: datetime
    error_traces: int
    prompt: int
    completion: int


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _bucket(dialect: str, column: Any, bucket: Bucket) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.date_trunc(bucket, column)
    return func.substr(column, 1, _SQLITE_PREFIX[bucket][0])


def _as_time(value: Any, bucket: Bucket | None = None) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value) + (_SQLITE_PREFIX[bucket][1] if bucket else "")
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _window(column: Any, project_column: Any, project_ids: Sequence[int] | None, window: Window) -> list[Any]:
    conditions: list[Any] = []
    if project_ids is not None:
        conditions.append(project_column.in_(project_ids))
    if window[0] is not None:
        conditions.append(column >= window[0])
    if window[1] is not None:
        conditions.append(column < window[1])
    return conditions


def _spans_in(project_ids: Sequence[int] | None, window: Window) -> list[Any]:
    return _window(Span.start_time, Span.project_id, project_ids, window)


def _traces_in(project_ids: Sequence[int] | None, window: Window) -> list[Any]:
    return _window(Trace.start_time, Trace.project_id, project_ids, window)


async def span_stats(
    session: Session, project_ids: Sequence[int] | None, start: datetime | None
) -> dict[int, ProjectSpanStats]:
    """Per project: spans started since ``start`` and the latest start (index only)."""
    stmt = (
        select(Span.project_id, func.count(), func.max(Span.start_time))
        .where(*_spans_in(project_ids, (start, None)))
        .group_by(Span.project_id)
    )
    rows = (await session.execute(stmt)).all()
    return {pid: ProjectSpanStats(int(n), None if last is None else _as_time(last)) for pid, n, last in rows}


def _ranked_traces(dialect: str, partition: ColumnElement[Any], conditions: list[Any]) -> Any:
    latency = latency_ms(dialect)
    return (
        select(
            partition.label("part"),
            latency.label("lat"),
            func.row_number().over(partition_by=partition, order_by=latency).label("rn"),
            func.count().over(partition_by=partition).label("n"),
        )
        .where(*conditions)
        .subquery()
    )


def _percentile(ranked: Any, fraction: float) -> ColumnElement[Any]:
    return func.min(case((ranked.c.rn >= ranked.c.n * fraction, ranked.c.lat)))


def _ms(value: Any) -> float | None:
    return None if value is None else float(value)


async def trace_stats(
    session: Session, project_ids: Sequence[int] | None, start: datetime | None
) -> dict[int, ProjectTraceStats]:
    """Per project: traces started since ``start`` and the p50 and p99 of their latency."""
    conditions = _traces_in(project_ids, (start, None))
    ranked = _ranked_traces(_dialect(session), Trace.project_id.expression, conditions)
    stmt = select(ranked.c.part, func.count(), _percentile(ranked, 0.5), _percentile(ranked, 0.99)).group_by(
        ranked.c.part
    )
    rows = (await session.execute(stmt)).all()
    return {pid: ProjectTraceStats(int(n), _ms(p50), _ms(p99)) for pid, n, p50, p99 in rows}


def _activity_columns() -> list[Any]:
    # A root span's cumulative error count covers its whole trace: no DISTINCT over trace ids.
    failed_root = (Span.parent_id.is_(None)) & (Span.cumulative_error_count > 0)
    return [
        func.sum(case((failed_root, 1), else_=0)),
        func.coalesce(func.sum(Span.llm_token_count_prompt), 0),
        func.coalesce(func.sum(Span.llm_token_count_completion), 0),
    ]


async def activity_stats(
    session: Session, project_ids: Sequence[int] | None, start: datetime | None
) -> dict[int, ProjectActivity]:
    """Per project, over spans started since ``start``: traces with a failed span (by their
    root span), and the prompt and completion tokens of LLM spans."""
    stmt = (
        select(Span.project_id, *_activity_columns())
        .where(*_spans_in(project_ids, (start, None)))
        .group_by(Span.project_id)
    )
    rows = (await session.execute(stmt)).all()
    return {pid: ProjectActivity(int(e or 0), int(p or 0), int(c or 0)) for pid, e, p, c in rows}


async def trace_series(session: Session, project_id: int, window: Window, bucket: Bucket) -> list[TracePoint]:
    """Traces started per time bucket."""
    at = _bucket(_dialect(session), Trace.start_time, bucket)
    stmt = select(at, func.count()).where(*_traces_in([project_id], window)).group_by(at).order_by(at)
    return [TracePoint(_as_time(t, bucket), int(n)) for t, n in (await session.execute(stmt)).all()]


async def latency_series(session: Session, project_id: int, window: Window, bucket: Bucket) -> list[LatencyPoint]:
    """p50 and p99 of trace latency per time bucket."""
    dialect = _dialect(session)
    ranked = _ranked_traces(dialect, _bucket(dialect, Trace.start_time, bucket), _traces_in([project_id], window))
    stmt = (
        select(ranked.c.part, _percentile(ranked, 0.5), _percentile(ranked, 0.99))
        .group_by(ranked.c.part)
        .order_by(ranked.c.part)
    )
    rows = (await session.execute(stmt)).all()
    return [LatencyPoint(_as_time(t, bucket), float(p50), float(p99)) for t, p50, p99 in rows]


async def activity_series(session: Session, project_id: int, window: Window, bucket: Bucket) -> list[ActivityPoint]:
    """Per time bucket of span start: traces with a failed span, prompt and completion tokens."""
    at = _bucket(_dialect(session), Span.start_time, bucket)
    stmt = select(at, *_activity_columns()).where(*_spans_in([project_id], window)).group_by(at).order_by(at)
    rows = (await session.execute(stmt)).all()
    return [ActivityPoint(_as_time(t, bucket), int(e or 0), int(p or 0), int(c or 0)) for t, e, p, c in rows]
