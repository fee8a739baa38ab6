"""REST /v1 routes: trace, session and document annotations and notes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from pyrewatch.auth.policy import Action
from pyrewatch.http.deps import PrincipalDep, SessionDep, guard
from pyrewatch.http.json_response import json_response
from pyrewatch.http.pagination import decode_id_cursor, encode_id_cursor
from pyrewatch.http.rest.v1.schemas.annotations import AnnotationResult
from pyrewatch.http.rest.v1.schemas.common import utc_bound
from pyrewatch.http.rest.v1.schemas.target_annotations import (
    AnnotateSessionsRequestBody,
    AnnotateSpanDocumentsRequestBody,
    AnnotateTracesRequestBody,
    CreateNoteResponseBody,
    CreateSessionNoteRequestBody,
    CreateTraceNoteRequestBody,
    InsertedAnnotationsResponseBody,
    SessionAnnotationsResponseBody,
    TraceAnnotationsResponseBody,
    annotation_json,
)
from pyrewatch.ids import encode_global_id
from pyrewatch.services import target_annotations as service
from pyrewatch.services.annotations import AnnotationDeletionQuery, AnnotationQuery
from pyrewatch.services.target_annotations import DOCUMENT, SESSION, TRACE, AnnotationKind, TargetAnnotationInput

router = APIRouter(prefix="/v1", tags=["annotations"])

ListParam = Annotated[list[str] | None, Query()]
_TYPE_NAMES = {
    id(TRACE): "TraceAnnotation",
    id(SESSION): "ProjectSessionAnnotation",
    id(DOCUMENT): "DocumentAnnotation",
}


def _type_name(kind: AnnotationKind) -> str:
    return _TYPE_NAMES[id(kind)]


def _input(target_id: str, item: object, position: int | None = None) -> TargetAnnotationInput:
    result: AnnotationResult | None = getattr(item, "result", None)
    return TargetAnnotationInput(
        target_id=target_id,
        name=getattr(item, "name", ""),
        annotator_kind=getattr(item, "annotator_kind", ""),
        label=result.label if result else None,
        score=result.score if result else None,
        explanation=result.explanation if result else None,
        metadata=getattr(item, "metadata", None),
        identifier=getattr(item, "identifier", ""),
        document_position=position,
    )


async def _annotate(
    session: SessionDep, principal: PrincipalDep, kind: AnnotationKind, items: list[TargetAnnotationInput], sync: bool
) -> Response:
    ids = await service.annotate(session, principal, kind, items, sync=sync)
    data = [{"id": encode_global_id(kind.type_name, row_id)} for row_id in ids] if sync else []
    return json_response({"data": data})


@router.post(
    "/trace_annotations",
    dependencies=[guard(Action.WRITE)],
    response_model=InsertedAnnotationsResponseBody,
    summary="Create trace annotations",
)
async def annotate_traces(
    session: SessionDep, principal: PrincipalDep, body: AnnotateTracesRequestBody, sync: bool = False
) -> Response:
    items = [_input(item.trace_id, item) for item in body.data]
    return await _annotate(session, principal, TRACE, items, sync)


@router.post(
    "/session_annotations",
    dependencies=[guard(Action.WRITE)],
    response_model=InsertedAnnotationsResponseBody,
    summary="Create session annotations",
)
async def annotate_sessions(
    session: SessionDep, principal: PrincipalDep, body: AnnotateSessionsRequestBody, sync: bool = False
) -> Response:
    items = [_input(item.session_id, item) for item in body.data]
    return await _annotate(session, principal, SESSION, items, sync)


@router.post(
    "/document_annotations",
    dependencies=[guard(Action.WRITE)],
    response_model=InsertedAnnotationsResponseBody,
    summary="Annotate Span Documents",
)
async def annotate_documents(
    session: SessionDep, principal: PrincipalDep, body: AnnotateSpanDocumentsRequestBody, sync: bool = False
) -> Response:
    items = [_input(item.span_id, item, item.document_position) for item in body.data]
    return await _annotate(session, principal, DOCUMENT, items, sync)


@router.post(
    "/trace_notes",
    dependencies=[guard(Action.WRITE)],
    response_model=CreateNoteResponseBody,
    summary="Create a trace note",
)
async def add_trace_note(session: SessionDep, principal: PrincipalDep, body: CreateTraceNoteRequestBody) -> Response:
    data = body.data
    row_id = await service.add_note(
        session, principal, TRACE, target_id=data.trace_id, note=data.note, identifier=data.identifier
    )
    return json_response({"data": {"id": encode_global_id(TRACE.type_name, row_id)}})


@router.post(
    "/session_notes",
    dependencies=[guard(Action.WRITE)],
    response_model=CreateNoteResponseBody,
    summary="Create a session note",
)
async def add_session_note(
    session: SessionDep, principal: PrincipalDep, body: CreateSessionNoteRequestBody
) -> Response:
    data = body.data
    row_id = await service.add_note(
        session, principal, SESSION, target_id=data.session_id, note=data.note, identifier=data.identifier
    )
    return json_response({"data": {"id": encode_global_id(SESSION.type_name, row_id)}})


async def _list(
    session: SessionDep,
    principal: PrincipalDep,
    kind: AnnotationKind,
    project_identifier: str,
    query: AnnotationQuery,
    paging: tuple[str | None, int],
) -> Response:
    cursor, limit = paging
    type_name = kind.type_name
    row_cursor = decode_id_cursor(cursor, type_name, "Invalid cursor: {cursor}") if cursor else None
    rows, next_id = await service.list_annotations(
        session, principal, kind, project_identifier, query, (limit, row_cursor)
    )
    id_field = "trace_id" if kind is TRACE else "session_id"
    data = [annotation_json(row, type_name, id_field, target_id) for row, target_id in rows]
    next_cursor = None if next_id is None else encode_id_cursor(type_name, next_id)
    return json_response({"data": data, "next_cursor": next_cursor})


@router.get(
    "/projects/{project_identifier}/trace_annotations",
    dependencies=[guard(Action.READ)],
    response_model=TraceAnnotationsResponseBody,
    summary="Get trace annotations for a list of trace_ids.",
)
async def list_trace_annotations(
    session: SessionDep,
    principal: PrincipalDep,
    project_identifier: str,
    trace_ids: ListParam = None,
    identifier: ListParam = None,
    include_annotation_names: ListParam = None,
    exclude_annotation_names: ListParam = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(gt=0, le=10_000)] = 10,
) -> Response:
    query = AnnotationQuery(
        span_ids=trace_ids or [],
        identifiers=identifier or [],
        include_names=include_annotation_names or [],
        exclude_names=exclude_annotation_names or [],
    )
    return await _list(session, principal, TRACE, project_identifier, query, (cursor, limit))


@router.get(
    "/projects/{project_identifier}/session_annotations",
    dependencies=[guard(Action.READ)],
    response_model=SessionAnnotationsResponseBody,
    summary="Get session annotations filtered by session_ids and/or identifier.",
)
async def list_session_annotations(
    session: SessionDep,
    principal: PrincipalDep,
    project_identifier: str,
    session_ids: ListParam = None,
    identifier: ListParam = None,
    include_annotation_names: ListParam = None,
    exclude_annotation_names: ListParam = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(gt=0, le=10_000)] = 10,
) -> Response:
    query = AnnotationQuery(
        span_ids=session_ids or [],
        identifiers=identifier or [],
        include_names=include_annotation_names or [],
        exclude_names=exclude_annotation_names or [],
    )
    return await _list(session, principal, SESSION, project_identifier, query, (cursor, limit))


def _deletion(
    name: str | None,
    identifier: str | None,
    annotator_kind: str | None,
    window: tuple[datetime | None, datetime | None],
    delete_all: bool,
) -> AnnotationDeletionQuery:
    return AnnotationDeletionQuery(
        name=name,
        identifier=identifier,
        annotator_kind=annotator_kind,
        start_time=utc_bound(window[0], "start_time"),
        end_time=utc_bound(window[1], "end_time"),
        delete_all=delete_all,
    )


@router.delete(
    "/projects/{project_identifier}/trace_annotations",
    dependencies=[guard(Action.WRITE)],
    status_code=204,
    summary="Delete trace annotations in a project",
)
async def delete_trace_annotations(
    session: SessionDep,
    principal: PrincipalDep,
    project_identifier: str,
    name: Annotated[str | None, Query(min_length=1)] = None,
    identifier: Annotated[str | None, Query(min_length=1)] = None,
    annotator_kind: Literal["LLM", "CODE", "HUMAN"] | None = None,
    start_time: datetime | None = None,
    end_time: datetime | None = None,
    delete_all: bool = False,
) -> Response:
    query = _deletion(name, identifier, annotator_kind, (start_time, end_time), delete_all)
    await service.delete_annotations(session, principal, TRACE, project_identifier, query)
    return Response(status_code=204)


@router.delete(
    "/projects/{project_identifier}/session_annotations",
    dependencies=[guard(Action.WRITE)],
    status_code=204,
    summary="Delete session annotations in a project",
)
async def delete_session_annotations(
    session: SessionDep,
    principal: PrincipalDep,
    project_identifier: str,
    name: Annotated[str | None, Query(min_length=1)] = None,
    identifier: Annotated[str | None, Query(min_length=1)] = None,
    annotator_kind: Literal["LLM", "CODE", "HUMAN"] | None = None,
    start_time: datetime | None = None,
    end_time: datetime | None = None,
    delete_all: bool = False,
) -> Response:
    query = _deletion(name, identifier, annotator_kind, (start_time, end_time), delete_all)
    await service.delete_annotations(session, principal, SESSION, project_identifier, query)
    return Response(status_code=204)
