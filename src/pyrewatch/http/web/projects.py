"""``/projects``: every project with its activity over a time range; create, rename, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from pyrewatch.auth.policy import Action, decide
from pyrewatch.db.session import transaction
from pyrewatch.errors import Conflict, Forbidden, InvalidInput
from pyrewatch.http.middleware import principal_of
from pyrewatch.http.web.errors import WebRoute
from pyrewatch.http.web.forms import read_form
from pyrewatch.http.web.presenters import TIME_RANGES, time_range
from pyrewatch.http.web.render import redirect, render, state_of
from pyrewatch.ids import encode_global_id
from pyrewatch.services import project_stats
from pyrewatch.services import projects as project_service

router = APIRouter(route_class=WebRoute, include_in_schema=False)
_FORM_ERRORS = (InvalidInput, Conflict, Forbidden)


async def _page(request: Request, extra: dict[str, Any], status: int = 200) -> Response:
    state = state_of(request)
    principal = principal_of(request.scope)
    selected = time_range(request.query_params.get("range"))
    async with transaction(state.session_factory) as session:
        overviews = await project_stats.project_overviews(session, principal, since=selected.start())
    rows = [{"gid": encode_global_id("Project", o.id), "o": o} for o in overviews]
    context = {
        "rows": rows,
        "ranges": TIME_RANGES,
        "range": selected,
        "can_create": decide(principal, Action.WRITE) is None,
        "can_admin": decide(principal, Action.ADMIN_WRITE) is None,
        "values": {},
    } | extra
    return render(request, "projects/list.html", context, status=status, block="table")


@router.get("/projects")
async def projects_page(request: Request) -> Response:
    return await _page(request, {})


@router.post("/projects")
async def create_project(request: Request) -> Response:
    form = await read_form(request)
    name, description = form.get("name"), form.optional("description")
    try:
        async with transaction(state_of(request).session_factory) as session:
            await project_service.create_project(
                session, principal_of(request.scope), name=name, description=description
            )
    except _FORM_ERRORS as exc:
        values = {"name": name, "description": description or ""}
        return await _page(request, {"error": exc.message, "values": values}, status=422)
    return redirect(request, "/projects", query="notice=project-created")


@router.get("/projects/{project_id}/rename")
async def rename_page(request: Request, project_id: str) -> Response:
    async with transaction(state_of(request).session_factory) as session:
        project = await project_service.get_project(session, principal_of(request.scope), project_id)
    return render(request, "projects/rename.html", {"project": project, "gid": project_id})


@router.post("/projects/{project_id}/rename")
async def rename_project(request: Request, project_id: str) -> Response:
    form = await read_form(request)
    state = state_of(request)
    try:
        async with transaction(state.session_factory) as session:
            await project_service.rename_project(
                session, principal_of(request.scope), project_id, name=form.get("name")
            )
    except _FORM_ERRORS as exc:
        async with transaction(state.session_factory) as session:
            project = await project_service.get_project(session, principal_of(request.scope), project_id)
        context = {"project": project, "gid": project_id, "error": exc.message}
        return render(request, "projects/rename.html", context, status=422)
    return redirect(request, "/projects", query="notice=project-renamed")


@router.get("/projects/{project_id}/delete")
async def delete_page(request: Request, project_id: str) -> Response:
    async with transaction(state_of(request).session_factory) as session:
        project = await project_service.get_project(session, principal_of(request.scope), project_id)
    return render(request, "projects/delete.html", {"project": project, "gid": project_id})


@router.post("/projects/{project_id}/delete")
async def delete_project(request: Request, project_id: str) -> Response:
    await read_form(request)
    async with transaction(state_of(request).session_factory) as session:
        await project_service.delete_project(session, principal_of(request.scope), project_id)
    return redirect(request, "/projects", query="notice=project-deleted")
