"""REST /v1 routes: traces."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from pyrewatch.auth.policy import Action
from pyrewatch.errors import InvalidInput
from pyrewatch.http.deps import PrincipalDep, SessionDep, guard
from pyrewatch.http.json_response import json_response
from pyrewatch.http.pagination import decode_trace_cursor, encode_trace_cursor
from pyrewatch.http.rest.v1.schemas.common import utc_bound
from pyrewatch.http.rest.v1.schemas.traces import (
    GetTracesResponseBody,
    TransferTracesRequestBody,
    TransferTracesResponseBody,
    trace_json,
)
from pyrewatch.ids import encode_global_id
from pyrewatch.services import traces as service
from pyrewatch.services.traces import TracePaging, TraceQuery

router = APIRouter(prefix="/v1", tags=["traces"])


@router.get(
    "/projects/{project_identifier}/traces",
    dependencies=[guard(Action.READ)],
    response_model=GetTracesResponseBody,
    summary="List traces for a project",
)
async def list_traces(
    session: SessionDep,
    principal: PrincipalDep,
    project_identifier: str,
    start_time: datetime | None = None,
    end_time: datetime | None = None,
    sort: Literal["start_time", "latency_ms"] = "start_time",
    order: Literal["asc", "desc"] = "desc",
    limit: Annotated[int, Query(gt=0, le=1000)] = 100,
    cursor: str | None = None,
    include_spans: bool = False,
    session_identifier: Annotated[list[str] | None, Query()] = None,
    error: bool | None = None,
    min_latency_ms: Annotated[float | None, Query(ge=0, allow_inf_nan=False)] = None,
    max_latency_ms: Annotated[float | None, Query(ge=0, allow_inf_nan=False)] = None,
    filter: str | None = None,
) -> Response:
    if filter:
        raise InvalidInput("Invalid filter: trace filter expressions are not supported")
    by_latency = sort == "latency_ms"
    after = decode_trace_cursor(cursor, by_latency=by_latency) if cursor else None
    query = TraceQuery(
        start_time=utc_bound(start_time, "start_time"),
        end_time=utc_bound(end_time, "end_time"),
        session_identifiers=session_identifier or (),
        latency_range=(min_latency_ms, max_latency_ms),
        error=error,
    )
    paging = TracePaging(limit=limit, after=after, by_latency=by_latency, descending=order == "desc")
    page = await service.list_traces(session, principal, project_identifier, query, paging, include_spans=include_spans)
    next_cursor = None if page.next_key is None else encode_trace_cursor(page.next_key)
    return json_response({"data": [trace_json(view) for view in page.traces], "next_cursor": next_cursor})


@router.delete(
    "/traces/{trace_identifier}",
    dependencies=[guard(Action.WRITE)],
    status_code=204,
    summary="Delete a trace by identifier",
)
async def delete_trace(session: SessionDep, principal: PrincipalDep, trace_identifier: str) -> Response:
    await service.delete_trace(session, principal, trace_identifier)
    return Response(status_code=204)


@router.post(
    "/traces/transfer",
    dependencies=[guard(Action.WRITE)],
    response_model=TransferTracesResponseBody,
    summary="Transfer traces to another project",
)
async def transfer_traces(session: SessionDep, principal: PrincipalDep, body: TransferTracesRequestBody) -> Response:
    count, project = await service.transfer_traces(
        session, principal, body.trace_identifiers, body.destination_project_identifier
    )
    data = {"transferred_trace_count": count, "destination_project_id": encode_global_id("Project", project.id)}
    return json_response({"data": data})
