"""Audit events."""

from __future__ import annotations

from typing import Any

from pyrewatch.db.models import AuditEvent
from pyrewatch.db.session import Session

__all__ = ["insert_audit_event"]


async def insert_audit_event(
    session: Session,
    *,
    action: str,
    actor_via: str,
    actor_user_id: int | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    client_ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(
            action=action,
            actor_via=actor_via,
            actor_user_id=actor_user_id,
            target_type=target_type,
            target_id=target_id,
            client_ip=client_ip,
            details=details,
        )
    )
