"""Spans: reads and deletes (ingest writes them).

Listing a project's spans is a keyset scan of the ``(project_id, start_time)`` index: the cursor
is the sort key of the first row of the next page, never an OFFSET.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, cast, delete, exists, func, literal, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import aliased

from pyrewatch.db.models import Span, Trace
from pyrewatch.db.session import Session
from pyrewatch.store.span_query import compile_condition, ir

__all__ = [
    "SpanFilter",
    "SpanKey",
    "SpanPaging",
    "SpanRow",
    "delete_span",
    "find_span",
    "find_span_by_span_id",
    "list_spans",
    "listing_statement",
    "list_spans_of_traces",
    "spans_by_span_ids",
]

SpanRow = tuple[Span, str]  # the span and its trace's OTel trace id


@dataclass(frozen=True)
class SpanKey:
    """A position in a listing: the sort value (start time, or None when sorting by id) and the row id."""

    start_time: datetime | None
    id: int


@dataclass(frozen=True)
class SpanPaging:
    """One page of a listing: its size, where it starts (inclusive) and its order."""

    limit: int
    after: SpanKey | None = None
    by_start_time: bool = True  # otherwise by row id
    descending: bool = True


@dataclass(frozen=True)
class SpanFilter:
    project_id: int
    start_time: datetime | None = None  # inclusive, on span start
    end_time: datetime | None = None  # exclusive, on span start
    trace_ids: Sequence[str] = ()
    span_ids: Sequence[str] = ()
    names: Sequence[str] = ()
    span_kinds: Sequence[str] = ()
    status_codes: Sequence[str] = ()
    parent_id: str | None = None
    roots_only: bool = False
    # A span whose parent is not stored counts as a root when roots_only is set.
    orphans_as_roots: bool = False
    # (path in the nested attributes, expected JSON value)
    attributes: Sequence[tuple[tuple[str, ...], Any]] = field(default_factory=tuple)
    where: ir.Condition | None = None  # a parsed span query condition
    name_contains: str | None = None  # case-insensitive; ``%`` and ``_`` match themselves


def _attribute_condition(path: tuple[str, ...], value: Any, dialect: str) -> ColumnElement[bool]:
    """The attribute at ``path`` equals the JSON ``value``, compared as JSON values (never cast,
    so a string attribute compared with a number is simply unequal rather than an error)."""
    if dialect == "postgresql":
        return Span.attributes[path] == cast(literal(value, type_=JSONB), JSONB)
    # SQLite's json_extract yields SQL values: text, integer, real, and 1/0 for booleans.
    json_path = "$" + "".join(f'."{key}"' for key in path)
    extracted = func.json_extract(Span.attributes, json_path)
    if isinstance(value, bool):
        return and_(func.json_type(Span.attributes, json_path).in_(["true", "false"]), extracted == int(value))
    return extracted == literal(value)


def _value_conditions(f: SpanFilter) -> list[ColumnElement[bool]]:
    """The conditions that compare a column with the values a caller gave."""
    conditions: list[ColumnElement[bool]] = []
    if f.start_time is not None:
        conditions.append(Span.start_time >= f.start_time)
    if f.end_time is not None:
        conditions.append(Span.start_time < f.end_time)
    lists = [(Trace.trace_id, f.trace_ids), (Span.span_id, f.span_ids), (Span.name, f.names)]
    lists += [(Span.span_kind, f.span_kinds), (Span.status_code, f.status_codes)]
    conditions.extend(column.in_(values) for column, values in lists if values)
    if f.name_contains:
        conditions.append(Span.name.icontains(f.name_contains, autoescape=True))
    return conditions


def _conditions(f: SpanFilter, dialect: str) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Span.project_id == f.project_id, *_value_conditions(f)]
    if f.parent_id is not None:
        conditions.append(Span.parent_id == f.parent_id)
    if f.roots_only:
        # On SQLite a bare "parent_id IS NULL" makes the planner read every root through the
        # parent_id index and sort them; hiding the column from the index keeps the time index.
        no_parent = Span.parent_id.op("||")(literal("")).is_(None) if dialect == "sqlite" else Span.parent_id.is_(None)
        if f.orphans_as_roots:
            parent = aliased(Span)
            conditions.append(or_(no_parent, ~exists().where(parent.span_id == Span.parent_id)))
        else:
            conditions.append(no_parent)
    conditions.extend(_attribute_condition(path, value, dialect) for path, value in f.attributes)
    if f.where is not None:
        conditions.append(compile_condition(f.where, dialect))
    return conditions


def _dialect(session: Session) -> str:
    bind = session.get_bind()
    return bind.dialect.name


def _keyset(after: SpanKey, by_start_time: bool, descending: bool) -> ColumnElement[bool]:
    if not by_start_time or after.start_time is None:
        return Span.id <= after.id if descending else Span.id >= after.id
    if descending:
        return or_(Span.start_time < after.start_time, and_(Span.start_time == after.start_time, Span.id <= after.id))
    return or_(Span.start_time > after.start_time, and_(Span.start_time == after.start_time, Span.id >= after.id))


def listing_statement(
    f: SpanFilter,
    dialect: str,
    *,
    limit: int,
    after: SpanKey | None = None,
    by_start_time: bool = True,
    descending: bool = True,
) -> Select[Span, str]:
    """The keyset query behind ``list_spans`` (exposed so its plan can be checked)."""
    stmt = select(Span, Trace.trace_id).join(Trace, Trace.id == Span.trace_rowid).where(*_conditions(f, dialect))
    if after is not None:
        stmt = stmt.where(_keyset(after, by_start_time, descending))
    columns = [Span.start_time, Span.id] if by_start_time else [Span.id]
    order = [c.desc() if descending else c.asc() for c in columns]
    return stmt.order_by(*order).limit(limit + 1)


async def list_spans(session: Session, f: SpanFilter, paging: SpanPaging) -> list[SpanRow]:
    """Up to ``paging.limit + 1`` spans matching ``f`` from ``paging.after`` (inclusive); the extra
    row starts the next page."""
    stmt = listing_statement(
        f,
        _dialect(session),
        limit=paging.limit,
        after=paging.after,
        by_start_time=paging.by_start_time,
        descending=paging.descending,
    )
    return [(span, trace_id) for span, trace_id in (await session.execute(stmt)).all()]


async def list_spans_of_traces(session: Session, trace_rowids: Sequence[int]) -> list[Span]:
    """Every span of the given traces, by start time."""
    if not trace_rowids:
        return []
    stmt = select(Span).where(Span.trace_rowid.in_(trace_rowids)).order_by(Span.start_time, Span.id)
    return list((await session.execute(stmt)).scalars())


async def spans_by_span_ids(
    session: Session, span_ids: Sequence[str], *, project_id: int | None = None
) -> dict[str, Span]:
    """The stored spans among ``span_ids`` (OTel hex ids), optionally only those of one project."""
    if not span_ids:
        return {}
    stmt = select(Span).where(Span.span_id.in_(set(span_ids)))
    if project_id is not None:
        stmt = stmt.where(Span.project_id == project_id)
    return {span.span_id: span for span in (await session.execute(stmt)).scalars()}


async def find_span(session: Session, rowid: int) -> Span | None:
    return await session.get(Span, rowid)


async def find_span_by_span_id(session: Session, span_id: str) -> Span | None:
    result = await session.execute(select(Span).where(Span.span_id == span_id))
    return result.scalar_one_or_none()


async def delete_span(session: Session, rowid: int) -> None:
    """Delete one span; its annotations go with it. Children and the trace stay."""
    await session.execute(delete(Span).where(Span.id == rowid))
