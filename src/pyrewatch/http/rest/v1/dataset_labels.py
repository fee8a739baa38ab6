"""REST /v1 routes: dataset splits and dataset labels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from pyrewatch.auth.policy import Action
from pyrewatch.http.deps import PrincipalDep, SessionDep, guard
from pyrewatch.http.json_response import json_response
from pyrewatch.http.pagination import decode_id_cursor, encode_id_cursor
from pyrewatch.http.rest.v1.schemas.datasets import (
    AddDatasetLabelToDatasetResponseBody,
    CreateDatasetLabelRequestBody,
    CreateDatasetLabelResponseBody,
    CreateDatasetSplitRequestBody,
    CreateDatasetSplitResponseBody,
    GetDatasetLabelResponseBody,
    GetDatasetLabelsResponseBody,
    ListDatasetLabelsForDatasetResponseBody,
    SetDatasetLabelsForDatasetResponseBody,
    SetDatasetLabelsRequestBody,
    UpdateDatasetLabelRequestBody,
    UpdateDatasetLabelResponseBody,
    UpdateDatasetSplitRequestBody,
    UpdateDatasetSplitResponseBody,
    dataset_label_json,
    dataset_split_json,
)
from pyrewatch.services import dataset_splits as service
from pyrewatch.services.dataset_splits import LabelInput, SplitInput

router = APIRouter(prefix="/v1", tags=["datasets"])


@router.post(
    "/datasets/{dataset_identifier}/splits",
    dependencies=[guard(Action.WRITE)],
    status_code=201,
    response_model=CreateDatasetSplitResponseBody,
)
async def create_dataset_split(
    session: SessionDep, principal: PrincipalDep, dataset_identifier: str, body: CreateDatasetSplitRequestBody
) -> Response:
    data = SplitInput(
        name=body.name,
        description=body.description,
        color=body.color,
        metadata=body.metadata,
        add_example_ids=body.example_ids,
    )
    split = await service.create_split(session, principal, dataset_identifier, data)
    count = await service.split_example_count(session, split)
    return json_response({"data": dataset_split_json(split, count)}, status_code=201)


@router.patch(
    "/datasets/{dataset_identifier}/splits/{split_id}",
    dependencies=[guard(Action.WRITE)],
    response_model=UpdateDatasetSplitResponseBody,
)
async def update_dataset_split(
    session: SessionDep,
    principal: PrincipalDep,
    dataset_identifier: str,
    split_id: str,
    body: UpdateDatasetSplitRequestBody,
) -> Response:
    data = SplitInput(
        name=body.name,
        description=body.description,
        color=body.color,
        metadata=body.metadata,
        add_example_ids=body.add_example_ids,
        remove_example_ids=body.remove_example_ids,
        changed=frozenset(body.model_fields_set),
    )
    split = await service.update_split(session, principal, dataset_identifier, split_id, data)
    count = await service.split_example_count(session, split)
    return json_response({"data": dataset_split_json(split, count)})


@router.delete("/datasets/{dataset_identifier}/splits/{split_id}", dependencies=[guard(Action.WRITE)], status_code=204)
async def delete_dataset_split(
    session: SessionDep, principal: PrincipalDep, dataset_identifier: str, split_id: str
) -> Response:
    await service.delete_split(session, principal, dataset_identifier, split_id)
    return Response(status_code=204)


@router.get("/dataset_labels", dependencies=[guard(Action.READ)], response_model=GetDatasetLabelsResponseBody)
async def list_dataset_labels(
    session: SessionDep,
    principal: PrincipalDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(gt=0)] = 100,
) -> Response:
    start = decode_id_cursor(cursor, "DatasetLabel") if cursor else None
    rows, next_id = await service.list_labels(session, principal, limit=min(limit, 1000), cursor=start)
    next_cursor = None if next_id is None else encode_id_cursor("DatasetLabel", next_id)
    return json_response({"data": [dataset_label_json(r) for r in rows], "next_cursor": next_cursor})


@router.post(
    "/dataset_labels",
    dependencies=[guard(Action.WRITE)],
    status_code=201,
    response_model=CreateDatasetLabelResponseBody,
)
async def create_dataset_label(
    session: SessionDep, principal: PrincipalDep, body: CreateDatasetLabelRequestBody
) -> Response:
    data = LabelInput(name=body.name, color=body.color, description=body.description)
    label = await service.create_label(session, principal, data)
    return json_response({"data": dataset_label_json(label)}, status_code=201)


@router.get("/dataset_labels/{label_id}", dependencies=[guard(Action.READ)], response_model=GetDatasetLabelResponseBody)
async def get_dataset_label(session: SessionDep, principal: PrincipalDep, label_id: str) -> Response:
    return json_response({"data": dataset_label_json(await service.get_label(session, principal, label_id))})


@router.patch(
    "/dataset_labels/{label_id}", dependencies=[guard(Action.WRITE)], response_model=UpdateDatasetLabelResponseBody
)
async def update_dataset_label(
    session: SessionDep, principal: PrincipalDep, label_id: str, body: UpdateDatasetLabelRequestBody
) -> Response:
    data = LabelInput(
        name=body.name, color=body.color, description=body.description, changed=frozenset(body.model_fields_set)
    )
    label = await service.update_label(session, principal, label_id, data)
    return json_response({"data": dataset_label_json(label)})


@router.delete("/dataset_labels/{label_id}", dependencies=[guard(Action.WRITE)], status_code=204)
async def delete_dataset_label(session: SessionDep, principal: PrincipalDep, label_id: str) -> Response:
    await service.delete_label(session, principal, label_id)
    return Response(status_code=204)


@router.get(
    "/datasets/{dataset_identifier}/labels",
    dependencies=[guard(Action.READ)],
    response_model=ListDatasetLabelsForDatasetResponseBody,
)
async def list_dataset_labels_for_dataset(
    session: SessionDep, principal: PrincipalDep, dataset_identifier: str
) -> Response:
    labels = await service.dataset_labels(session, principal, dataset_identifier)
    return json_response({"data": [dataset_label_json(r) for r in labels]})


@router.put(
    "/datasets/{dataset_identifier}/labels",
    dependencies=[guard(Action.WRITE)],
    response_model=SetDatasetLabelsForDatasetResponseBody,
)
async def set_dataset_labels_for_dataset(
    session: SessionDep, principal: PrincipalDep, dataset_identifier: str, body: SetDatasetLabelsRequestBody
) -> Response:
    labels = await service.replace_dataset_labels(session, principal, dataset_identifier, body.dataset_label_ids)
    return json_response({"data": [dataset_label_json(r) for r in labels]})


@router.put(
    "/datasets/{dataset_identifier}/labels/{label_id}",
    dependencies=[guard(Action.WRITE)],
    response_model=AddDatasetLabelToDatasetResponseBody,
)
async def add_dataset_label_to_dataset(
    session: SessionDep, principal: PrincipalDep, dataset_identifier: str, label_id: str
) -> Response:
    label = await service.add_dataset_label(session, principal, dataset_identifier, label_id)
    return json_response({"data": dataset_label_json(label)})


@router.delete("/datasets/{dataset_identifier}/labels/{label_id}", dependencies=[guard(Action.WRITE)], status_code=204)
async def remove_dataset_label_from_dataset(
    session: SessionDep, principal: PrincipalDep, dataset_identifier: str, label_id: str
) -> Response:
    await service.remove_dataset_label(session, principal, dataset_identifier, label_id)
    return Response(status_code=204)
