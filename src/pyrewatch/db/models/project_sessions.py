"""Sessions of a project: the conversations that ``session.id`` span attributes group traces into."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pyrewatch.db.base import Base


class ProjectSession(Base):
    __tablename__ = "project_sessions"
    __table_args__ = (
        Index("ix_project_sessions_project_id_start_time", "project_id", "start_time"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The ``session.id`` attribute as sent; unique across the database, as in Phoenix.
    session_id: Mapped[str] = mapped_column(Text, unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    # The first ``user.id`` seen on a span of the session, if any.
    user_id: Mapped[str | None] = mapped_column(String(255), default=None)
    start_time: Mapped[datetime]
    end_time: Mapped[datetime]
