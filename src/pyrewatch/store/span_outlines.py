"""The outline of a trace's spans: what a waterfall draws, without attributes or events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from pyrewatch.db.models import Span
from pyrewatch.db.session import Session

__all__ = ["SpanOutline", "TraceRoot", "TurnRoot", "list_span_outlines", "roots_of_traces", "turn_roots"]


@dataclass(frozen=True)
class SpanOutline:
    id: int
    span_id: str
    parent_id: str | None
    name: str
    span_kind: str
    status_code: str
    start_time: datetime
    end_time: datetime


async def list_span_outlines(session: Session, trace_rowid: int) -> list[SpanOutline]:
    """Every span of a trace by start time, as outlines (one statement, no JSON decoded)."""
    stmt = (
        select(
            Span.id,
            Span.span_id,
            Span.parent_id,
            Span.name,
            Span.span_kind,
            Span.status_code,
            Span.start_time,
            Span.end_time,
        )
        .where(Span.trace_rowid == trace_rowid)
        .order_by(Span.start_time, Span.id)
    )
    return [SpanOutline(*row) for row in (await session.execute(stmt)).all()]


@dataclass(frozen=True)
class TraceRoot:
    """A trace's root span, as a traces table shows it."""

    trace_rowid: int
    span_id: str
    name: str
    span_kind: str
    status_code: str
    cumulative_error_count: int


async def roots_of_traces(session: Session, trace_rowids: Sequence[int]) -> dict[int, TraceRoot]:
    """The root span (no parent) of each given trace, when it has one (one statement)."""
    if not trace_rowids:
        return {}
    stmt = select(
        Span.trace_rowid, Span.span_id, Span.name, Span.span_kind, Span.status_code, Span.cumulative_error_count
    ).where(Span.trace_rowid.in_(trace_rowids), Span.parent_id.is_(None))
    return {row[0]: TraceRoot(*row) for row in (await session.execute(stmt)).all()}


@dataclass(frozen=True)
class TurnRoot:
    """A trace's root span with its input and output: one turn of a session."""

    trace_rowid: int
    span_id: str
    name: str
    status_code: str
    input: object
    output: object


def _io_value(attributes: object, key: str) -> object:
    part = attributes.get(key) if isinstance(attributes, dict) else None
    return part.get("value") if isinstance(part, dict) else None


async def turn_roots(session: Session, trace_rowids: Sequence[int]) -> dict[int, TurnRoot]:
    """The root span of each given trace with its ``input.value`` and ``output.value`` (one statement)."""
    if not trace_rowids:
        return {}
    stmt = select(Span.trace_rowid, Span.span_id, Span.name, Span.status_code, Span.attributes).where(
        Span.trace_rowid.in_(trace_rowids), Span.parent_id.is_(None)
    )
    found: dict[int, TurnRoot] = {}
    for rowid, span_id, name, status, attributes in (await session.execute(stmt)).all():
        found[rowid] = TurnRoot(
            rowid, span_id, name, status, _io_value(attributes, "input"), _io_value(attributes, "output")
        )
    return found
