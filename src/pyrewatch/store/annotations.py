"""Span annotations (notes are annotations named ``note``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from pyrewatch.clock import now_utc
from pyrewatch.db.models import Span, SpanAnnotation
from pyrewatch.db.session import Session

__all__ = [
    "AnnotationDeletion",
    "AnnotationFilter",
    "AnnotationValues",
    "delete_span_annotations",
    "list_span_annotations",
    "upsert_span_annotation",
]


@dataclass(frozen=True)
class AnnotationValues:
    span_rowid: int
    name: str
    annotator_kind: str
    label: str | None
    score: float | None
    explanation: str | None
    metadata: dict[str, Any]
    identifier: str
    source: str
    user_id: int | None


async def upsert_span_annotation(session: Session, values: AnnotationValues) -> int:
    """Insert, or update the row with the same (name, span, identifier); return its id.

    One statement (``INSERT ... ON CONFLICT DO UPDATE``), so concurrent writers of the same
    annotation cannot fail on the unique key.
    """
    now = now_utc()
    row = {
        "span_rowid": values.span_rowid,
        "name": values.name,
        "label": values.label,
        "score": values.score,
        "explanation": values.explanation,
        "metadata": values.metadata,
        "annotator_kind": values.annotator_kind,
        "identifier": values.identifier,
        "source": values.source,
        "user_id": values.user_id,
        "created_at": now,
        "updated_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, SpanAnnotation.__table__)
    stmt = insert(table).values(row)
    updated = {key: stmt.excluded[key] for key in row if key not in ("span_rowid", "name", "identifier", "created_at")}
    upsert = stmt.on_conflict_do_update(index_elements=["name", "span_rowid", "identifier"], set_=updated)
    return int((await session.execute(upsert.returning(table.c.id))).scalar_one())


@dataclass(frozen=True)
class AnnotationFilter:
    project_id: int
    span_rowids: Sequence[int] | None = None  # None: every span of the project
    identifiers: Sequence[str] = ()
    include_names: Sequence[str] = ()
    exclude_names: Sequence[str] = ()


async def list_span_annotations(
    session: Session, f: AnnotationFilter, *, limit: int, cursor: int | None
) -> list[tuple[SpanAnnotation, str]]:
    """Up to ``limit + 1`` annotations (with their span's OTel id), newest id first, from ``cursor``."""
    stmt = (
        select(SpanAnnotation, Span.span_id)
        .join(Span, Span.id == SpanAnnotation.span_rowid)
        .where(Span.project_id == f.project_id)
        .order_by(SpanAnnotation.id.desc())
        .limit(limit + 1)
    )
    if f.span_rowids is not None:
        stmt = stmt.where(SpanAnnotation.span_rowid.in_(f.span_rowids))
    if f.identifiers:
        stmt = stmt.where(SpanAnnotation.identifier.in_(f.identifiers))
    if f.include_names:
        stmt = stmt.where(SpanAnnotation.name.in_(f.include_names))
    if f.exclude_names:
        stmt = stmt.where(SpanAnnotation.name.not_in(f.exclude_names))
    if cursor is not None:
        stmt = stmt.where(SpanAnnotation.id <= cursor)
    return [(annotation, span_id) for annotation, span_id in (await session.execute(stmt)).all()]


@dataclass(frozen=True)
class AnnotationDeletion:
    project_id: int
    name: str | None = None
    identifier: str | None = None
    annotator_kind: str | None = None
    start_time: datetime | None = None  # inclusive, on created_at
    end_time: datetime | None = None  # exclusive, on created_at
    user_id: int | None = None  # only rows of this user when set


async def delete_span_annotations(session: Session, d: AnnotationDeletion) -> int:
    """Delete a project's span annotations matching every given filter; return how many."""
    stmt = delete(SpanAnnotation).where(
        SpanAnnotation.span_rowid.in_(select(Span.id).where(Span.project_id == d.project_id))
    )
    if d.name is not None:
        stmt = stmt.where(SpanAnnotation.name == d.name)
    if d.identifier is not None:
        stmt = stmt.where(SpanAnnotation.identifier == d.identifier)
    if d.annotator_kind is not None:
        stmt = stmt.where(SpanAnnotation.annotator_kind == d.annotator_kind)
    if d.start_time is not None:
        stmt = stmt.where(SpanAnnotation.created_at >= d.start_time)
    if d.end_time is not None:
        stmt = stmt.where(SpanAnnotation.created_at < d.end_time)
    if d.user_id is not None:
        stmt = stmt.where(SpanAnnotation.user_id == d.user_id)
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)
