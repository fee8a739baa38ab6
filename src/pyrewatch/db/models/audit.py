"""The audit trail. Actor ids are plain integers, not foreign keys, so history outlives users."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from pyrewatch.clock import now_utc
from pyrewatch.db.base import Base


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_occurred_at", "occurred_at"),
        Index("ix_audit_events_action", "action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=now_utc)
    action: Mapped[str] = mapped_column(String(64))
    actor_user_id: Mapped[int | None] = mapped_column(default=None)
    # How the actor authenticated: SESSION, USER_KEY, SYSTEM_KEY, ADMIN_SECRET, ANONYMOUS, CLI.
    actor_via: Mapped[str] = mapped_column(String(32))
    target_type: Mapped[str | None] = mapped_column(String(32), default=None)
    target_id: Mapped[str | None] = mapped_column(String(64), default=None)
    client_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    details: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # success, failure or refused.
    outcome: Mapped[str] = mapped_column(String(16), default="success", server_default="success")
    # The API key row behind the request, when a key was used.
    actor_key_id: Mapped[int | None] = mapped_column(default=None)
    request_id: Mapped[str | None] = mapped_column(String(64), default=None)
