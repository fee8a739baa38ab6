"""Per-project retention policies (projects without one follow the server default)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from pyrewatch.clock import now_utc
from pyrewatch.db.base import Base


class ProjectRetentionPolicy(Base):
    __tablename__ = "project_retention_policies"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    # Traces that started more than this many days ago are deleted; None keeps them.
    max_age_days: Mapped[int | None] = mapped_column(Integer, default=None)
    # Oldest traces are deleted until the project holds at most this many spans; None: no bound.
    max_spans: Mapped[int | None] = mapped_column(Integer, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)
