"""REST /v1 routes: projects."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from pyrewatch.auth.policy import Action
from pyrewatch.auth.principal import Principal
from pyrewatch.db.session import Session
from pyrewatch.http.deps import PrincipalDep, ProjectDirectoryDep, SessionDep, guard
from pyrewatch.http.json_response import json_response
from pyrewatch.http.pagination import decode_id_cursor, encode_id_cursor
from pyrewatch.http.rest.v1.schemas.projects import (
    CreateProjectRequestBody,
    CreateProjectResponseBody,
    GetProjectResponseBody,
    GetProjectsResponseBody,
    UpdateProjectRequestBody,
    UpdateProjectResponseBody,
    project_json,
)
from pyrewatch.services import experiments
from pyrewatch.services import projects as service
from pyrewatch.services.experiments import EXPERIMENT_PROJECT_PREFIX
from pyrewatch.services.project_directory import ProjectSummary

router = APIRouter(prefix="/v1", tags=["projects"])

# Phoenix sets no maximum page size; larger requests are served in pages of this size.
MAX_PROJECTS_PAGE = 1000


@router.get(
    "/projects", dependencies=[guard(Action.READ)], response_model=GetProjectsResponseBody, summary="List all projects"
)
async def list_projects(
    directory: ProjectDirectoryDep,
    session: SessionDep,
    principal: PrincipalDep,
    cursor: Annotated[str | None, Query(description="Cursor for pagination (project ID)")] = None,
    limit: Annotated[int, Query(gt=0, description="The max number of projects to return at a time.")] = 100,
    include_experiment_projects: bool = False,
    include_dataset_evaluator_projects: bool = False,
    name_contains: Annotated[str | None, Query(max_length=255)] = None,
) -> Response:
    row_cursor = decode_id_cursor(cursor, "Project") if cursor else None
    page_size = min(limit, MAX_PROJECTS_PAGE)
    # The directory answers from memory or, when it cannot, from the database. The request's
    # session takes a connection only if the experiment-project filter below has to ask.
    rows, next_id = await directory.page(principal, limit=page_size, cursor=row_cursor, name_contains=name_contains)
    if not include_experiment_projects:
        rows = await _without_experiment_projects(session, principal, rows)
    next_cursor = None if next_id is None else encode_id_cursor("Project", next_id)
    return json_response({"data": [project_json(row) for row in rows], "next_cursor": next_cursor})


async def _without_experiment_projects(
    session: Session, principal: Principal, rows: list[ProjectSummary]
) -> list[ProjectSummary]:
    """Leave out the projects experiments trace into (a page may come back shorter). Only
    names of the form experiments get are looked up, so ordinary listings cost no query."""
    candidates = [row.name for row in rows if row.name.startswith(EXPERIMENT_PROJECT_PREFIX)]
    if not candidates:
        return rows
    hidden = await experiments.hidden_experiment_projects(session, principal, candidates)
    return [row for row in rows if row.name not in hidden]


@router.post(
    "/projects",
    dependencies=[guard(Action.WRITE)],
    response_model=CreateProjectResponseBody,
    summary="Create a new project",
)
async def create_project(session: SessionDep, principal: PrincipalDep, body: CreateProjectRequestBody) -> Response:
    row = await service.create_project(session, principal, name=body.name, description=body.description)
    return json_response({"data": project_json(row)})


@router.get(
    "/projects/{project_identifier}",
    dependencies=[guard(Action.READ)],
    response_model=GetProjectResponseBody,
    summary="Get project by ID or name",
)
async def get_project(session: SessionDep, principal: PrincipalDep, project_identifier: str) -> Response:
    row = await service.get_project(session, principal, project_identifier)
    return json_response({"data": project_json(row)})


@router.put(
    "/projects/{project_identifier}",
    dependencies=[guard(Action.ADMIN_WRITE)],
    response_model=UpdateProjectResponseBody,
    summary="Update a project by ID or name",
)
async def update_project(
    session: SessionDep, principal: PrincipalDep, project_identifier: str, body: UpdateProjectRequestBody
) -> Response:
    row = await service.update_project(session, principal, project_identifier, description=body.description)
    return json_response({"data": project_json(row)})


@router.delete(
    "/projects/{project_identifier}",
    dependencies=[guard(Action.ADMIN_WRITE)],
    status_code=204,
    summary="Delete a project by ID or name",
)
async def delete_project(session: SessionDep, principal: PrincipalDep, project_identifier: str) -> Response:
    await service.delete_project(session, principal, project_identifier)
    return Response(status_code=204)
