"""REST /v1 routes: annotation configs, global and per project."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from pyrewatch.auth.policy import Action
from pyrewatch.db.models import AnnotationConfig
from pyrewatch.http.deps import PrincipalDep, SessionDep, guard
from pyrewatch.http.json_response import json_response
from pyrewatch.http.pagination import decode_id_cursor, encode_id_cursor
from pyrewatch.ids import encode_global_id
from pyrewatch.services import annotation_configs as service
from pyrewatch.services.annotation_configs import ConfigInput, global_type_name

router = APIRouter(prefix="/v1", tags=["annotation_configs"])

_CURSOR_TYPE = "AnnotationConfig"
Limit = Annotated[int, Query(gt=0, le=1000)]


class CategoricalAnnotationValue(BaseModel):
    label: str
    score: float | None = Field(default=None, allow_inf_nan=False)


class CreateAnnotationConfigData(BaseModel):
    """One of CategoricalAnnotationConfigData, ContinuousAnnotationConfigData or
    FreeformAnnotationConfigData, told apart by ``type``."""

    name: str
    type: Literal["CATEGORICAL", "CONTINUOUS", "FREEFORM"]
    description: str | None = None
    optimization_direction: Literal["MINIMIZE", "MAXIMIZE", "NONE"] | None = None
    values: list[CategoricalAnnotationValue] = Field(default_factory=list, max_length=1000)
    lower_bound: float | None = Field(default=None, allow_inf_nan=False)
    upper_bound: float | None = Field(default=None, allow_inf_nan=False)
    threshold: float | None = Field(default=None, allow_inf_nan=False)


class SetProjectAnnotationConfigsRequestBody(BaseModel):
    annotation_config_ids: list[str]


def config_json(row: AnnotationConfig) -> dict[str, Any]:
    config = row.config
    kind = str(config.get("type", "FREEFORM"))
    out: dict[str, Any] = {
        "id": encode_global_id(global_type_name(kind), row.id),
        "name": row.name,
        "type": kind,
        "description": config.get("description"),
        "optimization_direction": config.get("optimization_direction"),
    }
    if kind == "CATEGORICAL":
        out["values"] = config.get("values", [])
    else:
        out.update(lower_bound=config.get("lower_bound"), upper_bound=config.get("upper_bound"))
    if kind == "FREEFORM":
        out["threshold"] = config.get("threshold")
    return out


def _input(body: CreateAnnotationConfigData) -> ConfigInput:
    return ConfigInput(
        type=body.type,
        name=body.name,
        description=body.description,
        optimization_direction=body.optimization_direction,
        values=[(value.label, value.score) for value in body.values],
        lower_bound=body.lower_bound,
        upper_bound=body.upper_bound,
        threshold=body.threshold,
    )


def _page(rows: list[AnnotationConfig], next_id: int | None) -> Response:
    next_cursor = None if next_id is None else encode_id_cursor(_CURSOR_TYPE, next_id)
    return json_response({"data": [config_json(row) for row in rows], "next_cursor": next_cursor})


@router.get("/annotation_configs", dependencies=[guard(Action.READ)], summary="List annotation configurations")
async def list_configs(
    session: SessionDep, principal: PrincipalDep, cursor: str | None = None, limit: Limit = 100
) -> Response:
    row_cursor = decode_id_cursor(cursor, _CURSOR_TYPE, "Invalid cursor: {cursor}") if cursor else None
    rows, next_id = await service.list_configs(session, principal, limit=limit, cursor=row_cursor)
    return _page(rows, next_id)


@router.post("/annotation_configs", dependencies=[guard(Action.WRITE)], summary="Create an annotation configuration")
async def create_config(session: SessionDep, principal: PrincipalDep, body: CreateAnnotationConfigData) -> Response:
    row = await service.create_config(session, principal, _input(body))
    return json_response({"data": config_json(row)})


@router.get(
    "/annotation_configs/{config_identifier}",
    dependencies=[guard(Action.READ)],
    summary="Get an annotation configuration by ID or name",
)
async def get_config(session: SessionDep, principal: PrincipalDep, config_identifier: str) -> Response:
    row = await service.get_config(session, principal, config_identifier)
    return json_response({"data": config_json(row)})


@router.put(
    "/annotation_configs/{config_id}", dependencies=[guard(Action.WRITE)], summary="Update an annotation configuration"
)
async def update_config(
    session: SessionDep, principal: PrincipalDep, config_id: str, body: CreateAnnotationConfigData
) -> Response:
    row = await service.update_config(session, principal, config_id, _input(body))
    return json_response({"data": config_json(row)})


@router.delete(
    "/annotation_configs/{config_id}", dependencies=[guard(Action.WRITE)], summary="Delete an annotation configuration"
)
async def delete_config(session: SessionDep, principal: PrincipalDep, config_id: str) -> Response:
    row = await service.delete_config(session, principal, config_id)
    return json_response({"data": config_json(row)})


@router.get(
    "/projects/{project_identifier}/annotation_configs",
    dependencies=[guard(Action.READ)],
    summary="List annotation configurations assigned to a project",
)
async def list_project_configs(
    session: SessionDep, principal: PrincipalDep, project_identifier: str, cursor: str | None = None, limit: Limit = 100
) -> Response:
    row_cursor = decode_id_cursor(cursor, _CURSOR_TYPE, "Invalid cursor: {cursor}") if cursor else None
    rows, next_id = await service.list_project_configs(
        session, principal, project_identifier, limit=limit, cursor=row_cursor
    )
    return _page(rows, next_id)


@router.put(
    "/projects/{project_identifier}/annotation_configs",
    dependencies=[guard(Action.WRITE)],
    summary="Set the annotation configurations of a project",
)
async def set_project_configs(
    session: SessionDep, principal: PrincipalDep, project_identifier: str, body: SetProjectAnnotationConfigsRequestBody
) -> Response:
    rows = await service.set_project_configs(session, principal, project_identifier, body.annotation_config_ids)
    return json_response({"data": [config_json(row) for row in rows], "next_cursor": None})


@router.put(
    "/projects/{project_identifier}/annotation_configs/{config_identifier}",
    dependencies=[guard(Action.WRITE)],
    summary="Assign an annotation configuration to a project",
)
async def assign_config(
    session: SessionDep, principal: PrincipalDep, project_identifier: str, config_identifier: str
) -> Response:
    row = await service.assign_config(session, principal, project_identifier, config_identifier)
    return json_response({"data": config_json(row)})


@router.delete(
    "/projects/{project_identifier}/annotation_configs/{config_identifier}",
    dependencies=[guard(Action.WRITE)],
    status_code=204,
    summary="Unassign an annotation configuration from a project",
)
async def unassign_config(
    session: SessionDep, principal: PrincipalDep, project_identifier: str, config_identifier: str
) -> Response:
    await service.unassign_config(session, principal, project_identifier, config_identifier)
    return Response(status_code=204)
