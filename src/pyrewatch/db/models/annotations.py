"""Trace, session and document annotations (span annotations live beside spans in ``tracing``).

Every kind has the columns of a span annotation and is unique on (name, target, identifier), so a
write with the same identifier is an upsert.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from pyrewatch.clock import now_utc
from pyrewatch.db.base import Base


class _AnnotationColumns:
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    label: Mapped[str | None] = mapped_column(Text, default=None)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    explanation: Mapped[str | None] = mapped_column(Text, default=None)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    annotator_kind: Mapped[str] = mapped_column(String(8))
    identifier: Mapped[str] = mapped_column(String(255), default="")
    source: Mapped[str] = mapped_column(String(8), default="API")
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)

    @declared_attr
    def user_id(cls) -> Mapped[int | None]:  # noqa: N805 (SQLAlchemy's declared_attr signature)
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)


def _checks() -> tuple[CheckConstraint, CheckConstraint]:
    return (
        CheckConstraint("annotator_kind IN ('LLM', 'CODE', 'HUMAN')", name="valid_annotator_kind"),
        CheckConstraint("source IN ('API', 'APP')", name="valid_source"),
    )


class TraceAnnotation(_AnnotationColumns, Base):
    __tablename__ = "trace_annotations"
    __table_args__ = (
        UniqueConstraint("name", "trace_rowid", "identifier"),
        *_checks(),
        Index("ix_trace_annotations_trace_rowid", "trace_rowid"),
        {"sqlite_autoincrement": True},
    )

    trace_rowid: Mapped[int] = mapped_column(ForeignKey("traces.id", ondelete="CASCADE"))


class ProjectSessionAnnotation(_AnnotationColumns, Base):
    __tablename__ = "project_session_annotations"
    __table_args__ = (
        # Explicit names: the conventional ones exceed PostgreSQL's 63-character identifiers.
        UniqueConstraint("name", "project_session_id", "identifier", name="uq_project_session_annotations_target"),
        *_checks(),
        Index("ix_project_session_annotations_project_session_id", "project_session_id"),
        {"sqlite_autoincrement": True},
    )

    project_session_id: Mapped[int] = mapped_column(
        ForeignKey("project_sessions.id", ondelete="CASCADE", name="fk_project_session_annotations_session")
    )


class DocumentAnnotation(_AnnotationColumns, Base):
    __tablename__ = "document_annotations"
    __table_args__ = (
        UniqueConstraint(
            "name", "span_rowid", "document_position", "identifier", name="uq_document_annotations_target"
        ),
        *_checks(),
        Index("ix_document_annotations_span_rowid", "span_rowid"),
        {"sqlite_autoincrement": True},
    )

    span_rowid: Mapped[int] = mapped_column(ForeignKey("spans.id", ondelete="CASCADE"))
    document_position: Mapped[int] = mapped_column(Integer)


class AnnotationConfig(Base):
    """How annotations of one name are scored: categorical labels, a continuous range, or free text."""

    __tablename__ = "annotation_configs"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    # {"type", "description", "optimization_direction", "values" | "lower_bound"/"upper_bound"/"threshold"}
    config: Mapped[dict[str, Any]] = mapped_column()


class ProjectAnnotationConfig(Base):
    __tablename__ = "project_annotation_configs"
    __table_args__ = (
        UniqueConstraint("project_id", "annotation_config_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    annotation_config_id: Mapped[int] = mapped_column(
        ForeignKey("annotation_configs.id", ondelete="CASCADE", name="fk_project_annotation_configs_config"),
        index=True,
    )
