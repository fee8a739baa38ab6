"""A project's sessions (traces grouped by ``session.id``) and one session's turns in order."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from pyrewatch.db.session import transaction
from pyrewatch.http.middleware import principal_of
from pyrewatch.http.web.errors import WebRoute
from pyrewatch.http.web.paging import PAGE_SIZE, after_cursor
from pyrewatch.http.web.render import render, state_of
from pyrewatch.ids import encode_global_id
from pyrewatch.services import project_sessions
from pyrewatch.services import projects as project_service
from pyrewatch.services.project_sessions import SESSION_TYPE

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/projects/{project_id}/sessions")
async def sessions_page(request: Request, project_id: str) -> Response:
    principal = principal_of(request.scope)
    cursor = after_cursor(request)
    async with transaction(state_of(request).session_factory) as session:
        project = await project_service.get_project(session, principal, project_id)
        views, next_cursor = await project_sessions.list_sessions(
            session, principal, project_id, limit=PAGE_SIZE, cursor=cursor, descending=True
        )
    rows = [
        {
            "gid": encode_global_id(SESSION_TYPE, v.session.id),
            "session_id": v.session.session_id,
            "user_id": v.session.user_id,
            "start_time": v.session.start_time,
            "end_time": v.session.end_time,
            "traces": len(v.traces),
            "tokens": v.tokens.prompt + v.tokens.completion,
        }
        for v in views
    ]
    context = {
        "project": project,
        "gid": project_id,
        "view": "sessions",
        "rows": rows,
        "next_cursor": next_cursor,
        "is_later_page": cursor is not None,
    }
    return render(request, "sessions/list.html", context, block="results")


@router.get("/projects/{project_id}/sessions/{session_id}")
async def session_page(request: Request, project_id: str, session_id: str) -> Response:
    principal = principal_of(request.scope)
    async with transaction(state_of(request).session_factory) as session:
        project = await project_service.get_project(session, principal, project_id)
        found = await project_sessions.session_turns(session, principal, project_id, session_id)
    view = found.view
    turns = []
    for trace in view.traces:
        root = found.roots.get(trace.id)
        turns.append(
            {
                "trace_id": trace.trace_id,
                "start_time": trace.start_time,
                "latency_ms": (trace.end_time - trace.start_time).total_seconds() * 1000,
                "root": root,
            }
        )
    context = {
        "project": project,
        "gid": project_id,
        "view": "sessions",
        "s": view.session,
        "tokens": view.tokens,
        "turns": turns,
        "annotations": found.annotations,
    }
    return render(request, "sessions/session.html", context)
