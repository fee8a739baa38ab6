"""REST /v1 routes: experiments of a dataset, and their tags."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from pyrewatch.auth.policy import Action
from pyrewatch.http.deps import PrincipalDep, SessionDep, guard
from pyrewatch.http.json_response import json_response
from pyrewatch.http.pagination import decode_id_cursor, encode_id_cursor
from pyrewatch.http.rest.v1.schemas.experiments import (
    CreateExperimentRequestBody,
    CreateExperimentResponseBody,
    GetExperimentResponseBody,
    ListExperimentsResponseBody,
    ListExperimentTagsResponseBody,
    SetExperimentTagRequestBody,
    SetExperimentTagResponseBody,
    UpdateExperimentRequestBody,
    UpdateExperimentResponseBody,
    experiment_json,
    experiment_tag_json,
)
from pyrewatch.services import experiments as service
from pyrewatch.services.experiments import ExperimentInput

router = APIRouter(prefix="/v1", tags=["experiments"])


@router.post(
    "/datasets/{dataset_id}/experiments",
    dependencies=[guard(Action.WRITE)],
    response_model=CreateExperimentResponseBody,
)
async def create_experiment(
    session: SessionDep, principal: PrincipalDep, dataset_id: str, body: CreateExperimentRequestBody
) -> Response:
    data = ExperimentInput(
        name=body.name,
        description=body.description,
        metadata=body.metadata,
        version_id=body.version_id,
        splits=body.splits or (),
        repetitions=body.repetitions,
    )
    summary = await service.create_experiment(session, principal, dataset_id, data)
    return json_response({"data": experiment_json(summary)})


@router.get(
    "/datasets/{dataset_id}/experiments",
    dependencies=[guard(Action.READ)],
    response_model=ListExperimentsResponseBody,
)
async def list_experiments(
    session: SessionDep,
    principal: PrincipalDep,
    dataset_id: str,
    cursor: str | None = None,
    limit: Annotated[int, Query(gt=0)] = 50,
) -> Response:
    start = decode_id_cursor(cursor, "Experiment") if cursor else None
    rows, next_id = await service.list_experiments(session, principal, dataset_id, limit=min(limit, 1000), cursor=start)
    next_cursor = None if next_id is None else encode_id_cursor("Experiment", next_id)
    return json_response({"data": [experiment_json(r) for r in rows], "next_cursor": next_cursor})


@router.get("/experiments/{experiment_id}", dependencies=[guard(Action.READ)], response_model=GetExperimentResponseBody)
async def get_experiment(session: SessionDep, principal: PrincipalDep, experiment_id: str) -> Response:
    return json_response({"data": experiment_json(await service.get_experiment(session, principal, experiment_id))})


@router.patch(
    "/experiments/{experiment_id}", dependencies=[guard(Action.WRITE)], response_model=UpdateExperimentResponseBody
)
async def update_experiment(
    session: SessionDep, principal: PrincipalDep, experiment_id: str, body: UpdateExperimentRequestBody
) -> Response:
    data = ExperimentInput(
        name=body.name,
        description=body.description,
        metadata=body.metadata,
        changed=frozenset(body.model_fields_set),
    )
    summary = await service.update_experiment(session, principal, experiment_id, data)
    return json_response({"data": experiment_json(summary)})


@router.delete("/experiments/{experiment_id}", dependencies=[guard(Action.WRITE)], status_code=204)
async def delete_experiment(
    session: SessionDep, principal: PrincipalDep, experiment_id: str, delete_project: bool = False
) -> Response:
    await service.delete_experiment(session, principal, experiment_id, delete_project=delete_project)
    return Response(status_code=204)


@router.get(
    "/experiments/{experiment_id}/tags",
    dependencies=[guard(Action.READ)],
    response_model=ListExperimentTagsResponseBody,
)
async def list_experiment_tags(session: SessionDep, principal: PrincipalDep, experiment_id: str) -> Response:
    tags = await service.experiment_tags(session, principal, experiment_id)
    return json_response({"data": [experiment_tag_json(t) for t in tags]})


@router.post(
    "/experiments/{experiment_id}/tags",
    dependencies=[guard(Action.WRITE)],
    response_model=SetExperimentTagResponseBody,
)
async def set_experiment_tag(
    session: SessionDep, principal: PrincipalDep, experiment_id: str, body: SetExperimentTagRequestBody
) -> Response:
    tag = await service.set_experiment_tag(
        session, principal, experiment_id, name=body.name, description=body.description
    )
    return json_response({"data": experiment_tag_json(tag)})


@router.delete(
    "/experiments/{experiment_id}/tags/{tag_identifier}", dependencies=[guard(Action.WRITE)], status_code=204
)
async def delete_experiment_tag(
    session: SessionDep, principal: PrincipalDep, experiment_id: str, tag_identifier: str
) -> Response:
    await service.delete_experiment_tag(session, principal, experiment_id, tag_identifier)
    return Response(status_code=204)
