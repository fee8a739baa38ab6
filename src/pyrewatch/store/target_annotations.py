"""Trace, session and document annotations: upsert, list per project, delete per project.

One set of functions serves the three tables; an ``AnnotationTarget`` says which table, which
column names the annotated row, and how that row reaches its project.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from pyrewatch.clock import now_utc
from pyrewatch.db.models import (
    DocumentAnnotation,
    ProjectSession,
    ProjectSessionAnnotation,
    Span,
    Trace,
    TraceAnnotation,
)
from pyrewatch.db.session import Session
from pyrewatch.store.annotations import AnnotationDeletion

__all__ = [
    "DOCUMENT",
    "SESSION",
    "TRACE",
    "AnnotationTarget",
    "TargetAnnotationFilter",
    "TargetAnnotationValues",
    "delete_annotations",
    "list_annotations",
    "upsert_annotation",
]

TargetAnnotation = TraceAnnotation | ProjectSessionAnnotation | DocumentAnnotation


@dataclass(frozen=True)
class AnnotationTarget:
    model: type[TraceAnnotation] | type[ProjectSessionAnnotation] | type[DocumentAnnotation]
    column: str  # the annotation column naming the annotated row
    parent: type[Trace] | type[ProjectSession] | type[Span]  # the annotated rows' table
    external_id: str  # the parent column the wire names the row by
    conflict: tuple[str, ...]


TRACE = AnnotationTarget(TraceAnnotation, "trace_rowid", Trace, "trace_id", ("name", "trace_rowid", "identifier"))
SESSION = AnnotationTarget(
    ProjectSessionAnnotation,
    "project_session_id",
    ProjectSession,
    "session_id",
    ("name", "project_session_id", "identifier"),
)
DOCUMENT = AnnotationTarget(
    DocumentAnnotation, "span_rowid", Span, "span_id", ("name", "span_rowid", "document_position", "identifier")
)


@dataclass(frozen=True)
class TargetAnnotationValues:
    target_rowid: int
    name: str
    annotator_kind: str
    label: str | None
    score: float | None
    explanation: str | None
    metadata: dict[str, Any]
    identifier: str
    user_id: int | None
    document_position: int | None = None  # documents only


async def upsert_annotation(session: Session, target: AnnotationTarget, values: TargetAnnotationValues) -> int:
    """Insert, or update the row with the same key; return its id (one statement, so concurrent
    writers of the same annotation cannot fail on the unique key)."""
    now = now_utc()
    row: dict[str, Any] = {
        target.column: values.target_rowid,
        "name": values.name,
        "label": values.label,
        "score": values.score,
        "explanation": values.explanation,
        "metadata": values.metadata,
        "annotator_kind": values.annotator_kind,
        "identifier": values.identifier,
        "source": "API",
        "user_id": values.user_id,
        "created_at": now,
        "updated_at": now,
    }
    if target is DOCUMENT:
        row["document_position"] = values.document_position
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = cast(Table, target.model.__table__)
    stmt = insert(table).values(row)
    updated = {key: stmt.excluded[key] for key in row if key not in (*target.conflict, "created_at")}
    upsert = stmt.on_conflict_do_update(index_elements=list(target.conflict), set_=updated)
    return int((await session.execute(upsert.returning(table.c.id))).scalar_one())


@dataclass(frozen=True)
class TargetAnnotationFilter:
    project_id: int
    target_rowids: Sequence[int] | None = None  # None: every row of the project
    identifiers: Sequence[str] = ()
    include_names: Sequence[str] = ()
    exclude_names: Sequence[str] = ()


def _in_project(target: AnnotationTarget, project_id: int) -> ColumnElement[bool]:
    column = getattr(target.model, target.column)
    condition: ColumnElement[bool] = column.in_(select(target.parent.id).where(target.parent.project_id == project_id))
    return condition


async def list_annotations(
    session: Session, target: AnnotationTarget, f: TargetAnnotationFilter, *, limit: int, cursor: int | None
) -> list[tuple[Any, str]]:
    """Up to ``limit + 1`` annotations with the wire id of their row, newest id first, from ``cursor``."""
    model = target.model
    column = getattr(model, target.column)
    stmt = (
        select(model, getattr(target.parent, target.external_id))
        .join(target.parent, target.parent.id == column)
        .where(target.parent.project_id == f.project_id)
        .order_by(model.id.desc())
        .limit(limit + 1)
    )
    if f.target_rowids is not None:
        stmt = stmt.where(column.in_(f.target_rowids))
    if f.identifiers:
        stmt = stmt.where(model.identifier.in_(f.identifiers))
    if f.include_names:
        stmt = stmt.where(model.name.in_(f.include_names))
    if f.exclude_names:
        stmt = stmt.where(model.name.not_in(f.exclude_names))
    if cursor is not None:
        stmt = stmt.where(model.id <= cursor)
    return [(row, external) for row, external in (await session.execute(stmt)).all()]


async def delete_annotations(session: Session, target: AnnotationTarget, d: AnnotationDeletion) -> int:
    """Delete a project's annotations of this kind matching every given filter; return how many."""
    model = target.model
    stmt = delete(model).where(_in_project(target, d.project_id))
    if d.name is not None:
        stmt = stmt.where(model.name == d.name)
    if d.identifier is not None:
        stmt = stmt.where(model.identifier == d.identifier)
    if d.annotator_kind is not None:
        stmt = stmt.where(model.annotator_kind == d.annotator_kind)
    if d.start_time is not None:
        stmt = stmt.where(model.created_at >= d.start_time)
    if d.end_time is not None:
        stmt = stmt.where(model.created_at < d.end_time)
    if d.user_id is not None:
        stmt = stmt.where(model.user_id == d.user_id)
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)
