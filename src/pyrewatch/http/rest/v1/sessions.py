"""REST /v1 routes: sessions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from pyrewatch.auth.policy import Action
from pyrewatch.http.deps import PrincipalDep, SessionDep, guard
from pyrewatch.http.json_response import json_response
from pyrewatch.http.pagination import decode_id_cursor, encode_id_cursor
from pyrewatch.http.rest.v1.schemas.sessions import (
    DeleteSessionsRequestBody,
    GetSessionResponseBody,
    GetSessionsResponseBody,
    session_json,
)
from pyrewatch.services import project_sessions as service
from pyrewatch.services.project_sessions import SESSION_TYPE

router = APIRouter(prefix="/v1", tags=["sessions"])


@router.get(
    "/projects/{project_identifier}/sessions",
    dependencies=[guard(Action.READ)],
    response_model=GetSessionsResponseBody,
    summary="List sessions for a project",
)
async def list_sessions(
    session: SessionDep,
    principal: PrincipalDep,
    project_identifier: str,
    cursor: str | None = None,
    limit: Annotated[int, Query(gt=0, le=1000)] = 100,
    order: Literal["asc", "desc"] = "asc",
) -> Response:
    row_cursor = decode_id_cursor(cursor, SESSION_TYPE) if cursor else None
    views, next_id = await service.list_sessions(
        session, principal, project_identifier, limit=limit, cursor=row_cursor, descending=order == "desc"
    )
    next_cursor = None if next_id is None else encode_id_cursor(SESSION_TYPE, next_id)
    return json_response({"data": [session_json(view) for view in views], "next_cursor": next_cursor})


@router.get(
    "/sessions/{session_identifier}",
    dependencies=[guard(Action.READ)],
    response_model=GetSessionResponseBody,
    summary="Get session by ID or session_id",
)
async def get_session(session: SessionDep, principal: PrincipalDep, session_identifier: str) -> Response:
    view = await service.get_session(session, principal, session_identifier)
    return json_response({"data": session_json(view)})


@router.delete(
    "/sessions/{session_identifier}",
    dependencies=[guard(Action.WRITE)],
    status_code=204,
    summary="Delete a session by identifier",
)
async def delete_session(session: SessionDep, principal: PrincipalDep, session_identifier: str) -> Response:
    await service.delete_session(session, principal, session_identifier)
    return Response(status_code=204)


@router.post(
    "/sessions/delete",
    dependencies=[guard(Action.WRITE)],
    status_code=204,
    summary="Bulk delete sessions",
)
async def delete_sessions(session: SessionDep, principal: PrincipalDep, body: DeleteSessionsRequestBody) -> Response:
    await service.delete_sessions(session, principal, body.session_identifiers)
    return Response(status_code=204)
