"""Aggregates over a project's spans for the projects page and the metrics charts.

Each function is one SQL statement whatever the data size. A trace is counted by its root span
(a span without a parent), whose cumulative counts cover the whole trace; latency percentiles
are the nearest-rank values of root-span latencies, computed with window functions so that
SQLite and PostgreSQL answer alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Float, case, cast, extract, func, select

from pyrewatch.db.models import Span
from pyrewatch.db.session import Session

__all__ = [
    "Bucket",
    "LatencyPoint",
    "ProjectSpanStats",
    "ProjectTraceStats",
    "TokenPoint",
    "TracePoint",
    "latency_series",
    "span_stats",
    "token_series",
    "trace_series",
    "trace_stats",
]

Bucket = Literal["minute", "hour", "day"]
_SQLITE_BUCKETS = {"minute": "%Y-%m-%d %H:%M:00", "hour": "%Y-%m-%d %H:00:00", "day": "%Y-%m-%d 00:00:00"}


@dataclass(frozen=True)
class ProjectSpanStats:
    span_count: int
    prompt_tokens: int
    completion_tokens: int
    last_span_at: datetime | None


@dataclass(frozen=True)
class ProjectTraceStats:
    trace_count: int
    error_trace_count: int
    latency_p50_ms: float | None
    latency_p99_ms: float | None


@dataclass(frozen=True)
class TracePoint:
    at: datetime
    traces: int
    errors: int


@dataclass(frozen=True)
class LatencyPoint:
    at: datetime
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class TokenPoint:
    at: datetime
    prompt: int
    completion: int


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def span_latency_ms(dialect: str) -> ColumnElement[float]:
    if dialect == "postgresql":
        return cast(extract("epoch", Span.end_time - Span.start_time), Float) * 1000.0
    return (func.julianday(Span.end_time) - func.julianday(Span.start_time)) * 86_400_000.0


def _bucket(dialect: str, bucket: Bucket) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.date_trunc(bucket, Span.start_time)
    return func.strftime(_SQLITE_BUCKETS[bucket], Span.start_time)


def _as_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def _window(project_ids: Sequence[int] | None, start: datetime | None, end: datetime | None) -> list[Any]:
    conditions: list[Any] = []
    if project_ids is not None:
        conditions.append(Span.project_id.in_(project_ids))
    if start is not None:
        conditions.append(Span.start_time >= start)
    if end is not None:
        conditions.append(Span.start_time < end)
    return conditions


async def span_stats(
    session: Session, project_ids: Sequence[int] | None, start: datetime | None
) -> dict[int, ProjectSpanStats]:
    """Per project: spans started since ``start``, their own token counts, the latest start."""
    stmt = (
        select(
            Span.project_id,
            func.count(),
            func.coalesce(func.sum(Span.llm_token_count_prompt), 0),
            func.coalesce(func.sum(Span.llm_token_count_completion), 0),
            func.max(Span.start_time),
        )
        .where(*_window(project_ids, start, None))
        .group_by(Span.project_id)
    )
    rows = (await session.execute(stmt)).all()
    return {
        pid: ProjectSpanStats(int(n), int(p or 0), int(c or 0), None if last is None else _as_time(last))
        for pid, n, p, c, last in rows
    }


def _ranked_roots(dialect: str, partition: ColumnElement[Any], conditions: list[Any]) -> Any:
    latency = span_latency_ms(dialect)
    return (
        select(
            partition.label("part"),
            latency.label("lat"),
            Span.cumulative_error_count.label("errs"),
            func.row_number().over(partition_by=partition, order_by=latency).label("rn"),
            func.count().over(partition_by=partition).label("n"),
        )
        .where(Span.parent_id.is_(None), *conditions)
        .subquery()
    )


def _percentile(ranked: Any, fraction: float) -> ColumnElement[Any]:
    return func.min(case((ranked.c.rn >= ranked.c.n * fraction, ranked.c.lat)))


async def trace_stats(
    session: Session, project_ids: Sequence[int] | None, start: datetime | None
) -> dict[int, ProjectTraceStats]:
    """Per project: traces (root spans) started since ``start``, those with an error, and the
    p50 and p99 of their latency."""
    ranked = _ranked_roots(_dialect(session), Span.project_id.expression, _window(project_ids, start, None))
    stmt = select(
        ranked.c.part,
        func.count(),
        func.sum(case((ranked.c.errs > 0, 1), else_=0)),
        _percentile(ranked, 0.5),
        _percentile(ranked, 0.99),
    ).group_by(ranked.c.part)
    rows = (await session.execute(stmt)).all()
    return {
        pid: ProjectTraceStats(
            int(n), int(e or 0), None if p50 is None else float(p50), None if p99 is None else float(p99)
        )
        for pid, n, e, p50, p99 in rows
    }


async def trace_series(
    session: Session, project_id: int, window: tuple[datetime | None, datetime | None], bucket: Bucket
) -> list[TracePoint]:
    """Traces and traces with an error per time bucket."""
    dialect = _dialect(session)
    at = _bucket(dialect, bucket)
    stmt = (
        select(at, func.count(), func.sum(case((Span.cumulative_error_count > 0, 1), else_=0)))
        .where(Span.parent_id.is_(None), *_window([project_id], *window))
        .group_by(at)
        .order_by(at)
    )
    return [TracePoint(_as_time(t), int(n), int(e or 0)) for t, n, e in (await session.execute(stmt)).all()]


async def latency_series(
    session: Session, project_id: int, window: tuple[datetime | None, datetime | None], bucket: Bucket
) -> list[LatencyPoint]:
    """p50 and p99 of trace latency per time bucket."""
    dialect = _dialect(session)
    ranked = _ranked_roots(dialect, _bucket(dialect, bucket), _window([project_id], *window))
    stmt = (
        select(ranked.c.part, _percentile(ranked, 0.5), _percentile(ranked, 0.99))
        .group_by(ranked.c.part)
        .order_by(ranked.c.part)
    )
    return [LatencyPoint(_as_time(t), float(p50), float(p99)) for t, p50, p99 in (await session.execute(stmt)).all()]


async def token_series(
    session: Session, project_id: int, window: tuple[datetime | None, datetime | None], bucket: Bucket
) -> list[TokenPoint]:
    """Prompt and completion tokens of LLM spans per time bucket."""
    at = _bucket(_dialect(session), bucket)
    stmt = (
        select(
            at,
            func.coalesce(func.sum(Span.llm_token_count_prompt), 0),
            func.coalesce(func.sum(Span.llm_token_count_completion), 0),
        )
        .where(*_window([project_id], *window))
        .group_by(at)
        .order_by(at)
    )
    return [TokenPoint(_as_time(t), int(p), int(c)) for t, p, c in (await session.execute(stmt)).all()]
