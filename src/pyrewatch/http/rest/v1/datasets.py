"""REST /v1 routes: datasets, their versions, examples, uploads and exports."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from starlette.datastructures import FormData, UploadFile

from pyrewatch.auth.policy import Action
from pyrewatch.errors import BadRequest, InvalidInput
from pyrewatch.http.deps import PrincipalDep, SessionDep, guard
from pyrewatch.http.json_response import json_response
from pyrewatch.http.pagination import decode_id_cursor, encode_id_cursor
from pyrewatch.http.rest.v1.schemas.datasets import (
    GetDatasetResponseBody,
    ListDatasetExamplesResponseBody,
    ListDatasetsResponseBody,
    ListDatasetVersionsResponseBody,
    UploadDatasetResponseBody,
    dataset_example_json,
    dataset_json,
    dataset_version_json,
)
from pyrewatch.ids import encode_global_id
from pyrewatch.services import dataset_exports as exports
from pyrewatch.services import dataset_uploads as uploads
from pyrewatch.services import datasets as service
from pyrewatch.services.dataset_files import TabularForm, decoded_stream, json_rows, tabular_rows
from pyrewatch.services.dataset_uploads import UploadRequest, parse_action

router = APIRouter(prefix="/v1", tags=["datasets"])

MAX_PAGE = 1000
MAX_JSON_UPLOAD_BYTES = 512 * 1024 * 1024
VersionId = Annotated[
    str | None, Query(description="The ID of the dataset version (if omitted, returns data from the latest version)")
]


@router.get("/datasets", dependencies=[guard(Action.READ)], response_model=ListDatasetsResponseBody)
async def list_datasets(
    session: SessionDep,
    principal: PrincipalDep,
    cursor: str | None = None,
    name: Annotated[str | None, Query(description="An optional dataset name to filter by")] = None,
    limit: Annotated[int, Query(gt=0)] = 10,
) -> Response:
    start = decode_id_cursor(cursor, "Dataset") if cursor else None
    rows, next_id = await service.list_datasets(session, principal, limit=min(limit, MAX_PAGE), cursor=start, name=name)
    next_cursor = None if next_id is None else encode_id_cursor("Dataset", next_id)
    return json_response({"data": [dataset_json(r) for r in rows], "next_cursor": next_cursor})


@router.get("/datasets/{id}", dependencies=[guard(Action.READ)], response_model=GetDatasetResponseBody)
async def get_dataset(session: SessionDep, principal: PrincipalDep, id: str) -> Response:
    return json_response({"data": dataset_json(await service.get_dataset(session, principal, id))})


@router.delete("/datasets/{id}", dependencies=[guard(Action.WRITE)], status_code=204)
async def delete_dataset_by_id(session: SessionDep, principal: PrincipalDep, id: str) -> Response:
    await service.delete_dataset(session, principal, id)
    return Response(status_code=204)


@router.get(
    "/datasets/{id}/versions", dependencies=[guard(Action.READ)], response_model=ListDatasetVersionsResponseBody
)
async def list_dataset_versions_by_dataset_id(
    session: SessionDep,
    principal: PrincipalDep,
    id: str,
    cursor: str | None = None,
    limit: Annotated[int, Query(gt=0)] = 10,
) -> Response:
    start = decode_id_cursor(cursor, "DatasetVersion") if cursor else None
    rows, next_id = await service.list_dataset_versions(
        session, principal, id, limit=min(limit, MAX_PAGE), cursor=start
    )
    next_cursor = None if next_id is None else encode_id_cursor("DatasetVersion", next_id)
    return json_response({"data": [dataset_version_json(r) for r in rows], "next_cursor": next_cursor})


@router.get(
    "/datasets/{id}/examples", dependencies=[guard(Action.READ)], response_model=ListDatasetExamplesResponseBody
)
async def get_dataset_examples(
    session: SessionDep,
    principal: PrincipalDep,
    id: str,
    version_id: VersionId = None,
    split: Annotated[list[str] | None, Query(description="Dataset split identifiers (GlobalIDs or names)")] = None,
) -> Response:
    data = await service.list_examples(session, principal, id, version_id, split or ())
    body = {
        "dataset_id": encode_global_id("Dataset", data.dataset.id),
        "version_id": encode_global_id("DatasetVersion", data.version_id),
        "filtered_splits": [s.name for s in data.filtered_splits],
        "examples": [dataset_example_json(e) for e in data.examples],
    }
    return json_response({"data": body})


def _attachment(body: str, media_type: str, filename: str) -> Response:
    disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
    return Response(body.encode(), media_type=media_type, headers={"content-disposition": disposition})


@router.get("/datasets/{id}/csv", dependencies=[guard(Action.READ)], response_class=Response)
async def get_dataset_csv(
    session: SessionDep,
    principal: PrincipalDep,
    id: str,
    version_id: VersionId = None,
) -> Response:
    data = await service.list_examples(session, principal, id, version_id)
    return _attachment(exports.to_csv(data), "text/csv", f"{data.dataset.name}.csv")


@router.get("/datasets/{id}/jsonl", dependencies=[guard(Action.READ)], response_class=Response)
async def get_dataset_jsonl(
    session: SessionDep,
    principal: PrincipalDep,
    id: str,
    version_id: VersionId = None,
) -> Response:
    data = await service.list_examples(session, principal, id, version_id)
    return _attachment(exports.to_jsonl(data), "text/plain", f"{data.dataset.name}.jsonl")


@router.get("/datasets/{id}/jsonl/openai_ft", dependencies=[guard(Action.READ)], response_class=Response)
async def get_dataset_jsonl_openai_fine_tuning(
    session: SessionDep,
    principal: PrincipalDep,
    id: str,
    version_id: VersionId = None,
) -> Response:
    data = await service.list_examples(session, principal, id, version_id)
    return _attachment(exports.to_openai_ft(data), "text/plain", f"{data.dataset.name}.jsonl")


@router.get("/datasets/{id}/jsonl/openai_evals", dependencies=[guard(Action.READ)], response_class=Response)
async def get_dataset_jsonl_openai_evals(
    session: SessionDep,
    principal: PrincipalDep,
    id: str,
    version_id: VersionId = None,
) -> Response:
    data = await service.list_examples(session, principal, id, version_id)
    return _attachment(exports.to_openai_evals(data), "text/plain", f"{data.dataset.name}.jsonl")


async def _json_upload(request: Request) -> UploadRequest:
    try:
        body: Any = json.loads(await request.body())
    except ValueError:
        raise InvalidInput("Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object")
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise InvalidInput("Dataset name is required")
    description = body.get("description")
    return UploadRequest(
        action=parse_action(body.get("action")),
        name=name,
        description=description if isinstance(description, str) else None,
        rows=json_rows(body),
    )


def _text(form: FormData, key: str) -> str | None:
    value = form.get(key)
    return value if isinstance(value, str) and value else None


def _texts(form: FormData, key: str) -> tuple[str, ...]:
    return tuple(v for v in form.getlist(key) if isinstance(v, str) and v)


def _tabular_upload(form: FormData) -> UploadRequest:
    name = _text(form, "name")
    if name is None:
        raise InvalidInput("Dataset name must not be empty")
    action = parse_action(_text(form, "action"))
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise InvalidInput("A 'file' part is required")
    fields = TabularForm(
        input_keys=_texts(form, "input_keys[]"),
        output_keys=_texts(form, "output_keys[]"),
        metadata_keys=_texts(form, "metadata_keys[]"),
        split_keys=_texts(form, "split_keys[]"),
        split_key=_text(form, "split_key"),
        span_id_key=_text(form, "span_id_key"),
        example_id_key=_text(form, "example_id_key"),
        flatten_keys=_texts(form, "flatten_keys[]"),
    )
    content_type = (file.content_type or "").split(";")[0].strip().lower()
    stream = decoded_stream(file.file, (file.headers.get("content-encoding") or "").strip().lower() or None)
    rows = tabular_rows(stream, content_type, fields)
    description = _text(form, "description") or file.filename
    return UploadRequest(action=action, name=name, description=description, rows=rows)


@router.post("/datasets/upload", dependencies=[guard(Action.WRITE)], response_model=UploadDatasetResponseBody)
async def upload_dataset(
    request: Request, session: SessionDep, principal: PrincipalDep, sync: bool = False
) -> Response:
    """Files are parsed while they are read from the request's spooled parts; nothing is
    written unless the whole file is valid (one transaction). The request's session takes a
    connection only at its first statement, after the request body has been read."""
    content_type = request.headers.get("content-type")
    if not content_type:
        raise BadRequest("Missing content-type header")
    media = content_type.split(";")[0].strip().lower()
    form: FormData | None = None
    try:
        if media == "application/json":
            upload = await _json_upload(request)
        elif media == "multipart/form-data":
            form = await request.form(max_files=1, max_fields=10_000)
            upload = _tabular_upload(form)
        else:
            raise InvalidInput("Invalid request Content-Type")
        result = await uploads.upload_dataset(session, principal, upload)
    finally:
        if form is not None:
            await form.close()
    if not sync:
        # Phoenix queues the work and answers null; here it is already done.
        return json_response(None)
    data = {
        "dataset_id": encode_global_id("Dataset", result.dataset_id),
        "version_id": encode_global_id("DatasetVersion", result.version_id),
        "num_created_examples": result.created,
        "num_updated_examples": result.updated,
        "num_deleted_examples": result.deleted,
    }
    return json_response({"data": data})
