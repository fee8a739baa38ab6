"""REST /v1 routes: span annotations and notes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from pyrewatch.auth.policy import Action
from pyrewatch.http.deps import PrincipalDep, SessionDep, guard
from pyrewatch.http.json_response import json_response
from pyrewatch.http.pagination import decode_id_cursor, encode_id_cursor
from pyrewatch.http.rest.v1.schemas.annotations import (
    AnnotateSpansRequestBody,
    AnnotateSpansResponseBody,
    CreateSpanNoteRequestBody,
    CreateSpanNoteResponseBody,
    SpanAnnotationsResponseBody,
    span_annotation_json,
)
from pyrewatch.http.rest.v1.schemas.common import utc_bound
from pyrewatch.ids import encode_global_id
from pyrewatch.services import annotations as service
from pyrewatch.services.annotations import AnnotationDeletionQuery, AnnotationInput, AnnotationQuery

router = APIRouter(prefix="/v1", tags=["spans"])

ListParam = Annotated[list[str] | None, Query()]


@router.post(
    "/span_annotations",
    dependencies=[guard(Action.WRITE)],
    response_model=AnnotateSpansResponseBody,
    summary="Create span annotations",
)
async def annotate_spans(
    session: SessionDep, principal: PrincipalDep, body: AnnotateSpansRequestBody, sync: bool = False
) -> Response:
    items = [
        AnnotationInput(
            span_id=item.span_id,
            name=item.name,
            annotator_kind=item.annotator_kind,
            label=item.result.label if item.result else None,
            score=item.result.score if item.result else None,
            explanation=item.result.explanation if item.result else None,
            metadata=item.metadata,
            identifier=item.identifier,
        )
        for item in body.data
    ]
    ids = await service.annotate_spans(session, principal, items, sync=sync)
    data = [{"id": encode_global_id("SpanAnnotation", row_id)} for row_id in ids] if sync else []
    return json_response({"data": data})


@router.post(
    "/span_notes",
    dependencies=[guard(Action.WRITE)],
    response_model=CreateSpanNoteResponseBody,
    summary="Create a span note",
)
async def add_span_note(session: SessionDep, principal: PrincipalDep, body: CreateSpanNoteRequestBody) -> Response:
    row_id = await service.add_span_note(
        session, principal, span_id=body.data.span_id, note=body.data.note, identifier=body.data.identifier
    )
    return json_response({"data": {"id": encode_global_id("SpanAnnotation", row_id)}})


@router.get(
    "/projects/{project_identifier}/span_annotations",
    dependencies=[guard(Action.READ)],
    response_model=SpanAnnotationsResponseBody,
    summary="Get span annotations for a list of span_ids.",
)
async def list_span_annotations(
    session: SessionDep,
    principal: PrincipalDep,
    project_identifier: str,
    span_ids: ListParam = None,
    identifier: ListParam = None,
    include_annotation_names: ListParam = None,
    exclude_annotation_names: ListParam = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(gt=0, le=10_000)] = 10,
) -> Response:
    row_cursor = decode_id_cursor(cursor, "SpanAnnotation", "Invalid cursor: {cursor}") if cursor else None
    query = AnnotationQuery(
        span_ids=span_ids or [],
        identifiers=identifier or [],
        include_names=include_annotation_names or [],
        exclude_names=exclude_annotation_names or [],
    )
    rows, next_id = await service.list_span_annotations(
        session, principal, project_identifier, query, limit=limit, cursor=row_cursor
    )
    next_cursor = None if next_id is None else encode_id_cursor("SpanAnnotation", next_id)
    data = [span_annotation_json(row, span_id) for row, span_id in rows]
    return json_response({"data": data, "next_cursor": next_cursor})


@router.delete(
    "/projects/{project_identifier}/span_annotations",
    dependencies=[guard(Action.WRITE)],
    status_code=204,
    summary="Delete span annotations in a project",
)
async def delete_span_annotations(
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
    query = AnnotationDeletionQuery(
        name=name,
        identifier=identifier,
        annotator_kind=annotator_kind,
        start_time=utc_bound(start_time, "start_time"),
        end_time=utc_bound(end_time, "end_time"),
        delete_all=delete_all,
    )
    await service.delete_span_annotations(session, principal, project_identifier, query)
    return Response(status_code=204)
