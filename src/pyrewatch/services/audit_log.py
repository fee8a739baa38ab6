"""Reading the audit log (admins), and retention. The log is append-only: nothing here, nor any
API, updates or deletes an event; only retention drops events older than the configured age."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal, Via
from pyrewatch.clock import now_utc
from pyrewatch.db.models import AuditEvent
from pyrewatch.db.session import Session
from pyrewatch.errors import InvalidInput
from pyrewatch.store import audit as store
from pyrewatch.store.audit import AuditFilter

__all__ = ["ADMIN_SECRET_ACTOR", "AuditQuery", "EventView", "actor_of", "list_events", "purge_expired", "view_of"]

ADMIN_SECRET_ACTOR = "admin_secret"
OUTCOMES = ("success", "failure", "refused", "flagged")


@dataclass(frozen=True)
class AuditQuery:
    since: datetime | None = None
    until: datetime | None = None
    # "admin_secret", "user:<id>" or "key:<id>".
    actor: str | None = None
    action: str | None = None
    outcome: str | None = None
    # Follow mode: only events after this id, oldest first.
    after_id: int | None = None


@dataclass(frozen=True)
class EventView:
    id: int
    occurred_at: datetime
    actor: str
    actor_via: str
    actor_user_id: int | None
    actor_key_id: int | None
    action: str
    target_type: str | None
    target_id: str | None
    outcome: str
    client_ip: str | None
    request_id: str | None
    details: dict[str, Any] | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "occurred_at": self.occurred_at.isoformat(),
            "actor": self.actor,
            "actor_via": self.actor_via,
            "actor_user_id": self.actor_user_id,
            "actor_key_id": self.actor_key_id,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "outcome": self.outcome,
            "client_ip": self.client_ip,
            "request_id": self.request_id,
            "details": self.details,
        }


def actor_of(event: AuditEvent) -> str:
    """Who acted, in one word: the admin secret, an API key, a user, or nobody known."""
    if event.actor_via == Via.ADMIN_SECRET.value:
        return ADMIN_SECRET_ACTOR
    if event.actor_key_id is not None:
        return f"key:{event.actor_key_id}"
    if event.actor_user_id is not None:
        return f"user:{event.actor_user_id}"
    return "anonymous"


def view_of(event: AuditEvent) -> EventView:
    return EventView(
        id=event.id,
        occurred_at=event.occurred_at,
        actor=actor_of(event),
        actor_via=event.actor_via,
        actor_user_id=event.actor_user_id,
        actor_key_id=event.actor_key_id,
        action=event.action,
        target_type=event.target_type,
        target_id=event.target_id,
        outcome=event.outcome,
        client_ip=event.client_ip,
        request_id=event.request_id,
        details=event.details,
    )


def _filter(query: AuditQuery) -> AuditFilter:
    via = user_id = key_id = None
    actor = query.actor
    if actor is not None:
        kind, _, value = actor.partition(":")
        if actor == ADMIN_SECRET_ACTOR:
            via = Via.ADMIN_SECRET.value
        elif kind in ("user", "key") and value.isascii() and value.isdigit() and len(value) <= 10:
            user_id, key_id = (int(value), None) if kind == "user" else (None, int(value))
        else:
            raise InvalidInput(f"Invalid actor {actor!r}: expected admin_secret, user:<id> or key:<id>")
    if query.outcome is not None and query.outcome not in OUTCOMES:
        raise InvalidInput(f"Invalid outcome {query.outcome!r}: expected one of {', '.join(OUTCOMES)}")
    if query.action is not None and (len(query.action) > 64 or "\x00" in query.action):
        raise InvalidInput("Invalid action")
    return AuditFilter(
        since=query.since,
        until=query.until,
        action=query.action,
        outcome=query.outcome,
        actor_via=via,
        actor_user_id=user_id,
        actor_key_id=key_id,
        after_id=query.after_id,
    )


async def list_events(
    session: Session, principal: Principal, query: AuditQuery, *, limit: int, cursor: int | None = None
) -> tuple[list[EventView], int | None]:
    """A page of events, newest first (or, with ``after_id``, the next events oldest first), and
    the id that starts the next page.

    Raises:
        NotAllowed: not an admin.
        InvalidInput: a malformed actor, outcome or action filter.
    """
    require(principal, Action.READ_AUDIT)
    rows = await store.list_audit_events(session, _filter(query), limit=limit, cursor=cursor)
    next_cursor = rows[limit].id if len(rows) > limit and query.after_id is None else None
    return [view_of(row) for row in rows[:limit]], next_cursor


async def purge_expired(session: Session, retention_days: int, now: datetime | None = None) -> int:
    """Drop events older than ``retention_days`` (0 keeps every event). The server's own chore:
    no principal, and no API reaches it."""
    if retention_days <= 0:
        return 0
    return await store.delete_audit_events_before(session, (now or now_utc()) - timedelta(days=retention_days))
