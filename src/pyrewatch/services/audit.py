"""Writing the audit trail from use cases."""

from __future__ import annotations

from typing import Any

from pyrewatch.auth.principal import Principal
from pyrewatch.clock import now_utc
from pyrewatch.db.models import AuditEvent
from pyrewatch.db.session import Session
from pyrewatch.store import audit as audit_store

__all__ = ["append", "build_event", "record"]


async def record(
    session: Session,
    principal: Principal,
    action: str,
    *,
    target_type: str | None = None,
    target_id: str | int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append an audit event in the caller's transaction, so it commits with the change itself."""
    event = build_event(principal, action, target_type=target_type, target_id=target_id, details=details)
    await audit_store.insert_audit_event(session, event)


async def append(session: Session, event: AuditEvent) -> None:
    """Append a built event (one with an outcome other than success) in the caller's transaction."""
    await audit_store.insert_audit_event(session, event)


def build_event(
    principal: Principal,
    action: str,
    *,
    target_type: str | None = None,
    target_id: str | int | None = None,
    details: dict[str, Any] | None = None,
    outcome: str = "success",
) -> AuditEvent:
    """An audit event stamped now, attributed to ``principal``."""
    return AuditEvent(
        occurred_at=now_utc(),
        action=action,
        actor_via=principal.via.value,
        actor_user_id=principal.user_id,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        client_ip=principal.client_ip,
        details=details,
        outcome=outcome,
        actor_key_id=principal.credential_id if principal.is_api_key else None,
        request_id=None if principal.request_id is None else principal.request_id[:64],
    )
