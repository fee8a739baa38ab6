"""Projects, traces, spans and span annotations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pyrewatch.clock import now_utc
from pyrewatch.db.base import Base


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)


class Trace(Base):
    __tablename__ = "traces"
    __table_args__ = (
        Index("ix_traces_project_id_start_time", "project_id", "start_time"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    # 32 lowercase hex characters; unique across the database, as in OTLP.
    trace_id: Mapped[str] = mapped_column(String(32), unique=True)
    start_time: Mapped[datetime]
    end_time: Mapped[datetime]
    # Set by the first span of the trace that carries ``session.id``; deleting the session
    # deletes its traces, as in Phoenix.
    project_session_rowid: Mapped[int | None] = mapped_column(
        ForeignKey("project_sessions.id", ondelete="CASCADE"), default=None, index=True
    )


class Span(Base):
    __tablename__ = "spans"
    __table_args__ = (
        CheckConstraint("status_code IN ('OK', 'ERROR', 'UNSET')", name="valid_status_code"),
        Index("ix_spans_project_id_start_time", "project_id", "start_time"),
        Index("ix_spans_trace_rowid", "trace_rowid"),
        Index("ix_spans_parent_id", "parent_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trace_rowid: Mapped[int] = mapped_column(ForeignKey("traces.id", ondelete="CASCADE"))
    # Denormalized from the trace (the trace's project always wins) so listing a project's spans
    # by time is one index range scan.
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    # 16 lowercase hex characters; unique across the database.
    span_id: Mapped[str] = mapped_column(String(16), unique=True)
    parent_id: Mapped[str | None] = mapped_column(String(16), default=None)
    name: Mapped[str] = mapped_column(Text)
    span_kind: Mapped[str] = mapped_column(String(16))
    start_time: Mapped[datetime]
    end_time: Mapped[datetime]
    attributes: Mapped[dict[str, Any]] = mapped_column()
    events: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    status_code: Mapped[str] = mapped_column(String(5), default="UNSET")
    status_message: Mapped[str] = mapped_column(Text, default="")
    llm_token_count_prompt: Mapped[int | None] = mapped_column(Integer, default=None)
    llm_token_count_completion: Mapped[int | None] = mapped_column(Integer, default=None)
    cumulative_error_count: Mapped[int] = mapped_column(Integer, default=0)
    cumulative_llm_token_count_prompt: Mapped[int] = mapped_column(Integer, default=0)
    cumulative_llm_token_count_completion: Mapped[int] = mapped_column(Integer, default=0)


class SpanAnnotation(Base):
    __tablename__ = "span_annotations"
    __table_args__ = (
        UniqueConstraint("name", "span_rowid", "identifier"),
        CheckConstraint("annotator_kind IN ('LLM', 'CODE', 'HUMAN')", name="valid_annotator_kind"),
        CheckConstraint("source IN ('API', 'APP')", name="valid_source"),
        Index("ix_span_annotations_span_rowid", "span_rowid"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    span_rowid: Mapped[int] = mapped_column(ForeignKey("spans.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    label: Mapped[str | None] = mapped_column(Text, default=None)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    explanation: Mapped[str | None] = mapped_column(Text, default=None)
    # "metadata" is reserved by SQLAlchemy's declarative base.
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    annotator_kind: Mapped[str] = mapped_column(String(8))
    identifier: Mapped[str] = mapped_column(String(255), default="")
    source: Mapped[str] = mapped_column(String(8), default="API")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)
