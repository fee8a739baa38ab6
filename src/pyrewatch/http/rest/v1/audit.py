"""REST ``GET /v1/audit_events`` (admins): the audit log, newest first, filtered and paged.

A Pyrewatch addition (Phoenix has no audit log). ``after`` switches to follow mode: the events
after that id, oldest first, which is how ``pyrewatch audit --follow`` tails the log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from pyrewatch.auth.policy import Action
from pyrewatch.clock import ensure_utc
from pyrewatch.errors import InvalidInput
from pyrewatch.http.deps import PrincipalDep, SessionDep, guard
from pyrewatch.http.json_response import json_response
from pyrewatch.ids import MAX_ROW_ID
from pyrewatch.services import audit_log as service
from pyrewatch.services.audit_log import AuditQuery

router = APIRouter(prefix="/v1", tags=["audit"])


def _row_id(value: str | None, what: str) -> int | None:
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and 0 <= int(value) <= MAX_ROW_ID):
        raise InvalidInput(f"Invalid {what}: {value}")
    return int(value)


@router.get(
    "/audit_events",
    operation_id="getAuditEvents",
    summary="List audit events (admins)",
    dependencies=[guard(Action.READ_AUDIT)],
)
async def get_audit_events(
    session: SessionDep,
    principal: PrincipalDep,
    start_time: Annotated[datetime | None, Query(description="Only events at or after this time.")] = None,
    end_time: Annotated[datetime | None, Query(description="Only events before this time.")] = None,
    actor: Annotated[str | None, Query(description="admin_secret, user:<id> or key:<id>.")] = None,
    action: Annotated[str | None, Query(description="An action, such as auth.login.")] = None,
    outcome: Annotated[str | None, Query(description="success, failure, refused or flagged.")] = None,
    cursor: Annotated[str | None, Query(description="The next_cursor of the previous page.")] = None,
    after: Annotated[str | None, Query(description="Follow mode: events after this id, oldest first.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="The maximum number of events to return.")] = 100,
) -> Response:
    query = AuditQuery(
        since=None if start_time is None else ensure_utc(start_time),
        until=None if end_time is None else ensure_utc(end_time),
        actor=actor,
        action=action,
        outcome=outcome,
        after_id=_row_id(after, "after"),
    )
    events, next_id = await service.list_events(
        session, principal, query, limit=limit, cursor=_row_id(cursor, "cursor")
    )
    next_cursor = None if next_id is None else str(next_id)
    return json_response({"data": [event.as_json() for event in events], "next_cursor": next_cursor})
