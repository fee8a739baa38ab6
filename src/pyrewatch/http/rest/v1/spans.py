"""REST /v1 routes: spans."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response

from pyrewatch.auth.policy import Action
from pyrewatch.errors import InvalidInput, NotFound
from pyrewatch.http.deps import PrincipalDep, SessionDep, guard
from pyrewatch.http.json_response import json_response
from pyrewatch.http.pagination import decode_span_cursor, encode_span_cursor
from pyrewatch.http.rest.v1.schemas.common import utc_bound
from pyrewatch.http.rest.v1.schemas.otlp_spans import otlp_span_json
from pyrewatch.http.rest.v1.schemas.spans import (
    CreateSpansRequestBody,
    CreateSpansResponseBody,
    QuerySpansRequestBody,
    SpansResponseBody,
    span_json,
)
from pyrewatch.http.rest.v1.span_table import frame_table_json, multipart_tables, span_table_json
from pyrewatch.ingest.rest_spans import RestSpan, records_from_rest
from pyrewatch.services import span_import
from pyrewatch.services import spans as service
from pyrewatch.services.projects import DEFAULT_PROJECT_NAME, get_project
from pyrewatch.services.span_import import SpanProblem
from pyrewatch.services.spans import SpanPaging, SpanQuery, SpanTableQuery

router = APIRouter(prefix="/v1", tags=["spans"])

# The dataframe query holds its table in memory: larger limits are refused rather than truncated.
MAX_TABLE_ROWS = 100_000

ListParam = Annotated[list[str] | None, Query()]


@router.get(
    "/projects/{project_identifier}/spans",
    dependencies=[guard(Action.READ)],
    response_model=SpansResponseBody,
    summary="List spans with simple filters (no DSL)",
)
async def list_spans(
    session: SessionDep,
    principal: PrincipalDep,
    project_identifier: str,
    cursor: str | None = None,
    limit: Annotated[int, Query(gt=0, le=1000)] = 100,
    sort: Literal["start_time", "id"] = "start_time",
    order: Literal["asc", "desc"] = "desc",
    start_time: datetime | None = None,
    end_time: datetime | None = None,
    trace_id: ListParam = None,
    span_id: ListParam = None,
    parent_id: str | None = None,
    name: ListParam = None,
    span_kind: ListParam = None,
    status_code: ListParam = None,
    attribute: ListParam = None,
) -> Response:
    by_start_time = sort == "start_time"
    after = decode_span_cursor(cursor, by_start_time=by_start_time) if cursor else None
    query = SpanQuery(
        start_time=utc_bound(start_time, "start_time"),
        end_time=utc_bound(end_time, "end_time"),
        trace_ids=trace_id or (),
        span_ids=span_id or (),
        names=name or (),
        span_kinds=span_kind or (),
        status_codes=status_code or (),
        parent_id=parent_id,
        attributes=attribute or (),
    )
    paging = SpanPaging(limit=limit, after=after, by_start_time=by_start_time, descending=order == "desc")
    rows, next_key = await service.list_spans(session, principal, project_identifier, query, paging)
    next_cursor = None if next_key is None else encode_span_cursor(next_key)
    return json_response({"data": [span_json(span, trace_id) for span, trace_id in rows], "next_cursor": next_cursor})


@router.get(
    "/projects/{project_identifier}/spans/otlpv1",
    dependencies=[guard(Action.READ)],
    summary="List spans in OTLP JSON",
)
async def list_spans_otlp(
    session: SessionDep,
    principal: PrincipalDep,
    project_identifier: str,
    cursor: str | None = None,
    limit: Annotated[int, Query(gt=0, le=1000)] = 100,
    start_time: datetime | None = None,
    end_time: datetime | None = None,
    trace_id: ListParam = None,
    span_id: ListParam = None,
    parent_id: str | None = None,
    name: ListParam = None,
    status_code: ListParam = None,
    attribute: ListParam = None,
) -> Response:
    """The spans of ``GET .../spans`` (newest first, same filters but ``span_kind``) as OTLP/JSON."""
    after = decode_span_cursor(cursor, by_start_time=True) if cursor else None
    query = SpanQuery(
        start_time=utc_bound(start_time, "start_time"),
        end_time=utc_bound(end_time, "end_time"),
        trace_ids=trace_id or (),
        span_ids=span_id or (),
        names=name or (),
        status_codes=status_code or (),
        parent_id=parent_id,
        attributes=attribute or (),
    )
    rows, next_key = await service.list_spans(
        session, principal, project_identifier, query, SpanPaging(limit=limit, after=after)
    )
    next_cursor = None if next_key is None else encode_span_cursor(next_key)
    return json_response({"data": [otlp_span_json(span, tid) for span, tid in rows], "next_cursor": next_cursor})


@router.post("/spans", dependencies=[guard(Action.READ)], include_in_schema=False)
async def query_spans(
    session: SessionDep,
    principal: PrincipalDep,
    body: QuerySpansRequestBody,
    project_name: Annotated[str | None, Query()] = None,
    project_name_dashed: Annotated[str | None, Query(alias="project-name")] = None,
    project_name_header: Annotated[str | None, Header(alias="project-name")] = None,
) -> Response:
    """The span tables behind ``Client().spans.get_spans_dataframe()``: one per query, newest spans first."""
    if not body.queries:
        raise NotFound("No queries given")
    if body.limit > MAX_TABLE_ROWS:
        raise InvalidInput(f"Invalid query: limit must be at most {MAX_TABLE_ROWS}")
    name = project_name or project_name_dashed or project_name_header or body.project_name or DEFAULT_PROJECT_NAME
    table_query = SpanTableQuery(
        start_time=utc_bound(body.start_time, "start_time"),
        end_time=utc_bound(body.end_time or body.stop_time, "end_time"),
        root_spans_only=bool(body.root_spans_only),
        orphans_as_roots=body.orphan_span_as_root_span,
    )
    queries = [query.model_dump() for query in body.queries]
    results = await service.span_tables(session, principal, name, queries, table_query, limit=body.limit)
    tables = [span_table_json(r.rows) if r.frame is None else frame_table_json(r.frame) for r in results]
    content, media_type = multipart_tables(tables)
    return Response(content, media_type=media_type)


@router.delete(
    "/spans/{span_identifier}",
    dependencies=[guard(Action.WRITE)],
    status_code=204,
    summary="Delete a span by span_identifier",
)
async def delete_span(session: SessionDep, principal: PrincipalDep, span_identifier: str) -> Response:
    await service.delete_span(session, principal, span_identifier)
    return Response(status_code=204)


@router.post(
    "/projects/{project_identifier}/spans",
    dependencies=[guard(Action.WRITE)],
    response_model=CreateSpansResponseBody,
    status_code=202,
    summary="Create spans",
)
async def log_spans(
    session: SessionDep, principal: PrincipalDep, project_identifier: str, body: CreateSpansRequestBody
) -> Response:
    """Store spans given as JSON; any invalid or duplicate span makes it a 400 that stores nothing."""
    project = await get_project(session, principal, project_identifier)
    spans = [
        RestSpan(
            name=span.name,
            trace_id=span.context.trace_id,
            span_id=span.context.span_id,
            span_kind=span.span_kind,
            parent_id=span.parent_id,
            start_time=span.start_time,
            end_time=span.end_time,
            status_code=span.status_code,
            status_message=span.status_message,
            attributes=span.attributes,
            events=[(event.name, event.timestamp, event.attributes) for event in span.events],
        )
        for span in body.data
    ]
    records, invalid = records_from_rest(project.name, spans)
    problems = [SpanProblem(i.span_id, i.trace_id, i.error) for i in invalid]
    outcome = await span_import.log_spans(session, principal, records, problems)
    totals = {"total_received": outcome.total_received, "total_queued": outcome.total_queued}
    if not outcome.is_rejected:
        return json_response(totals, status_code=202)
    error = {
        **totals,
        "error": f"{len(outcome.invalid)} invalid and {len(outcome.duplicates)} duplicate spans; none were stored",
        "total_invalid": len(outcome.invalid),
        "total_duplicates": len(outcome.duplicates),
        "invalid_spans": [{"span_id": p.span_id, "trace_id": p.trace_id, "error": p.error} for p in outcome.invalid],
        "duplicate_spans": [{"span_id": p.span_id, "trace_id": p.trace_id} for p in outcome.duplicates],
    }
    return json_response(error, status_code=400)
