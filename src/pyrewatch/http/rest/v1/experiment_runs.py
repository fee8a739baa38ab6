"""REST /v1 routes: experiment runs, evaluations, what is incomplete, and exports."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Response

from pyrewatch.auth.policy import Action
from pyrewatch.errors import BadRequest
from pyrewatch.http.deps import PrincipalDep, SessionDep, guard
from pyrewatch.http.json_response import dumps, json_response
from pyrewatch.http.pagination import decode_id_cursor, encode_id_cursor
from pyrewatch.http.rest.v1.schemas.datasets import dataset_example_json
from pyrewatch.http.rest.v1.schemas.experiments import (
    CreateExperimentRunRequestBody,
    CreateExperimentRunResponseBody,
    GetIncompleteEvaluationsResponseBody,
    GetIncompleteExperimentRunsResponseBody,
    ListExperimentRunsResponseBody,
    UpsertExperimentEvaluationRequestBody,
    UpsertExperimentEvaluationResponseBody,
    experiment_report_csv,
    experiment_report_json,
    experiment_run_json,
)
from pyrewatch.ids import encode_global_id
from pyrewatch.services import experiment_runs as service
from pyrewatch.services.experiment_runs import EvaluationInput, RunInput

router = APIRouter(prefix="/v1", tags=["experiments"])

MAX_PAGE = 1000


@router.post(
    "/experiments/{experiment_id}/runs",
    dependencies=[guard(Action.WRITE)],
    response_model=CreateExperimentRunResponseBody,
)
async def create_experiment_run(
    session: SessionDep, principal: PrincipalDep, experiment_id: str, body: CreateExperimentRunRequestBody
) -> Response:
    data = RunInput(**body.model_dump())
    run = await service.create_run(session, principal, experiment_id, data)
    return json_response({"data": {"id": encode_global_id("ExperimentRun", run.id)}})


@router.get(
    "/experiments/{experiment_id}/runs",
    dependencies=[guard(Action.READ)],
    response_model=ListExperimentRunsResponseBody,
)
async def list_experiment_runs(
    session: SessionDep,
    principal: PrincipalDep,
    experiment_id: str,
    cursor: str | None = None,
    limit: Annotated[int | None, Query(gt=0)] = None,
) -> Response:
    start = decode_id_cursor(cursor, "ExperimentRun") if cursor else None
    rows, next_id = await service.list_runs(session, principal, experiment_id, limit=limit, cursor=start)
    next_cursor = None if next_id is None else encode_id_cursor("ExperimentRun", next_id)
    return json_response({"data": [experiment_run_json(r) for r in rows], "next_cursor": next_cursor})


@router.get(
    "/experiments/{experiment_id}/incomplete-runs",
    dependencies=[guard(Action.READ)],
    response_model=GetIncompleteExperimentRunsResponseBody,
)
async def get_incomplete_experiment_runs(
    session: SessionDep,
    principal: PrincipalDep,
    experiment_id: str,
    cursor: str | None = None,
    limit: Annotated[int, Query(gt=0)] = 50,
) -> Response:
    start = decode_id_cursor(cursor, "DatasetExample") if cursor else None
    items, next_id = await service.incomplete_runs(
        session, principal, experiment_id, limit=min(limit, MAX_PAGE), cursor=start
    )
    data = [{"dataset_example": dataset_example_json(i.example), "repetition_numbers": i.repetitions} for i in items]
    next_cursor = None if next_id is None else encode_id_cursor("DatasetExample", next_id)
    return json_response({"data": data, "next_cursor": next_cursor})


@router.get(
    "/experiments/{experiment_id}/incomplete-evaluations",
    dependencies=[guard(Action.READ)],
    response_model=GetIncompleteEvaluationsResponseBody,
)
async def get_incomplete_experiment_evaluations(
    session: SessionDep,
    principal: PrincipalDep,
    experiment_id: str,
    evaluation_name: Annotated[list[str] | None, Query()] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(gt=0)] = 50,
) -> Response:
    names = sorted({n for n in evaluation_name or [] if n.strip()})
    if not names:
        raise BadRequest("At least one evaluation_name must be provided")
    if any("\x00" in n for n in names):
        raise BadRequest("evaluation_name must not contain NUL characters")
    start = decode_id_cursor(cursor, "ExperimentRun") if cursor else None
    items, next_id = await service.incomplete_evaluations(
        session, principal, experiment_id, names, limit=min(limit, MAX_PAGE), cursor=start
    )
    data = [
        {
            "experiment_run": experiment_run_json(i.run),
            "dataset_example": dataset_example_json(i.example),
            "evaluation_names": i.names,
        }
        for i in items
    ]
    next_cursor = None if next_id is None else encode_id_cursor("ExperimentRun", next_id)
    return json_response({"data": data, "next_cursor": next_cursor})


@router.post(
    "/experiment_evaluations",
    dependencies=[guard(Action.WRITE)],
    response_model=UpsertExperimentEvaluationResponseBody,
)
async def upsert_experiment_evaluation(
    session: SessionDep, principal: PrincipalDep, body: UpsertExperimentEvaluationRequestBody
) -> Response:
    result = body.result
    data = EvaluationInput(
        experiment_run_id=body.experiment_run_id,
        name=body.name,
        annotator_kind=body.annotator_kind,
        start_time=body.start_time,
        end_time=body.end_time,
        label=result.label if result else None,
        score=result.score if result else None,
        explanation=result.explanation if result else None,
        error=body.error,
        metadata=body.metadata,
        trace_id=body.trace_id,
    )
    annotation = await service.upsert_evaluation(session, principal, data)
    return json_response({"data": {"id": encode_global_id("ExperimentEvaluation", annotation.id)}})


def _attachment(body: str, media_type: str, filename: str) -> Response:
    disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
    return Response(body.encode(), media_type=media_type, headers={"content-disposition": disposition})


@router.get("/experiments/{experiment_id}/json", dependencies=[guard(Action.READ)], response_class=Response)
async def get_experiment_json(session: SessionDep, principal: PrincipalDep, experiment_id: str) -> Response:
    report = await service.run_report(session, principal, experiment_id)
    body = dumps(experiment_report_json(report))
    return _attachment(body, "application/json", f"{report.experiment.name}.json")


@router.get("/experiments/{experiment_id}/csv", dependencies=[guard(Action.READ)], response_class=Response)
async def get_experiment_csv(session: SessionDep, principal: PrincipalDep, experiment_id: str) -> Response:
    report = await service.run_report(session, principal, experiment_id)
    return _attachment(experiment_report_csv(report), "text/csv", f"{report.experiment.name}.csv")
