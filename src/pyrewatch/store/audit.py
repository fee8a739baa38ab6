"""Audit events."""

from __future__ import annotations

from pyrewatch.db.models import AuditEvent
from pyrewatch.db.session import Session

__all__ = ["insert_audit_event"]


async def insert_audit_event(session: Session, event: AuditEvent) -> None:
    session.add(event)
    await session.flush()
