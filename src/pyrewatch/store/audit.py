"""Audit events: appended, read in pages, and purged past retention. Nothing updates an event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from pyrewatch.db.models import AuditEvent
from pyrewatch.db.session import Session
from pyrewatch.ids import MAX_ROW_ID

__all__ = ["AuditFilter", "delete_audit_events_before", "insert_audit_event", "list_audit_events"]


@dataclass(frozen=True)
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None
    action: str | None = None
    outcome: str | None = None
    # (actor_via, actor_user_id, actor_key_id): each part None when it does not narrow.
    actor_via: str | None = None
    actor_user_id: int | None = None
    actor_key_id: int | None = None
    # Only events after this id, oldest first (for following the log).
    after_id: int | None = None


async def insert_audit_event(session: Session, event: AuditEvent) -> None:
    session.add(event)
    await session.flush()


async def list_audit_events(
    session: Session, flt: AuditFilter, *, limit: int, cursor: int | None = None
) -> list[AuditEvent]:
    """Up to ``limit + 1`` events matching ``flt``: newest first from ``cursor`` (inclusive), or
    oldest first after ``flt.after_id`` when it is set."""
    stmt = select(AuditEvent)
    if flt.since is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(AuditEvent.occurred_at < flt.until)
    if flt.action is not None:
        stmt = stmt.where(AuditEvent.action == flt.action)
    if flt.outcome is not None:
        stmt = stmt.where(AuditEvent.outcome == flt.outcome)
    if flt.actor_via is not None:
        stmt = stmt.where(AuditEvent.actor_via == flt.actor_via)
    if flt.actor_user_id is not None:
        stmt = stmt.where(AuditEvent.actor_user_id == flt.actor_user_id)
    if flt.actor_key_id is not None:
        stmt = stmt.where(AuditEvent.actor_key_id == flt.actor_key_id)
    if flt.after_id is not None:
        stmt = stmt.where(AuditEvent.id > min(flt.after_id, MAX_ROW_ID)).order_by(AuditEvent.id.asc())
    else:
        if cursor is not None:
            stmt = stmt.where(AuditEvent.id <= min(cursor, MAX_ROW_ID))
        stmt = stmt.order_by(AuditEvent.id.desc())
    return list((await session.execute(stmt.limit(limit + 1))).scalars())


async def delete_audit_events_before(session: Session, before: datetime) -> int:
    """Retention: drop events older than ``before``; return how many went."""
    result = await session.execute(delete(AuditEvent).where(AuditEvent.occurred_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
