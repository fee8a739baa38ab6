"""A project's traces and spans tables (keyset pages, URL filters) and its metrics charts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from pyrewatch.auth.policy import Action, decide
from pyrewatch.auth.principal import Principal
from pyrewatch.clock import now_utc
from pyrewatch.db.models import Span
from pyrewatch.db.session import Session, transaction
from pyrewatch.errors import InvalidInput
from pyrewatch.http.middleware import principal_of
from pyrewatch.http.pagination import decode_span_cursor, decode_trace_cursor, encode_span_cursor, encode_trace_cursor
from pyrewatch.http.web import charts
from pyrewatch.http.web.errors import WebRoute
from pyrewatch.http.web.presenters import TIME_RANGES, time_range
from pyrewatch.http.web.render import render, state_of
from pyrewatch.services import project_stats, trace_details
from pyrewatch.services import projects as project_service
from pyrewatch.services import spans as span_service
from pyrewatch.services.spans import SPAN_KINDS, SpanPaging, SpanQuery
from pyrewatch.services.traces import TracePaging, TraceQuery

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE_SIZE = 50
LATENCY_SORTS = {"slowest": True, "fastest": False}  # sort value -> descending
TOKEN_SORTS = {"most-tokens": True, "fewest-tokens": False}
SPAN_STATUSES = (("", "Any"), ("OK", "OK"), ("ERROR", "ERROR"), ("UNSET", "UNSET"))
TRACE_STATUSES = (("", "Any"), ("ERROR", "With errors"), ("OK", "Without errors"))
SORTS = (
    ("", "Newest first"),
    ("asc", "Oldest first"),
    ("slowest", "Slowest first"),
    ("fastest", "Fastest first"),
    ("most-tokens", "Most tokens first"),
    ("fewest-tokens", "Fewest tokens first"),
)
_FILTER_KEYS = ("range", "status", "kind", "name", "attr", "roots", "sort", "after")


@dataclass(frozen=True)
class Filters:
    """A table's state, read from (and written back to) the query string."""

    values: dict[str, str]

    @classmethod
    def of(cls, request: Request) -> Filters:
        params = request.query_params
        return cls({k: params[k].strip() for k in _FILTER_KEYS if params.get(k, "").strip()})

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    def query(self, **changes: str) -> str:
        """The query string of this state with ``changes``; a new state starts at page one."""
        changes.setdefault("after", "")
        merged = {k: v for k, v in (self.values | changes).items() if v}
        return urlencode(merged)


def _span_query(filters: Filters, *, roots: bool) -> SpanQuery:
    attribute = filters.get("attr")
    if attribute and ":" not in attribute and "=" in attribute:
        attribute = attribute.replace("=", ":", 1)
    return SpanQuery(
        start_time=time_range(filters.get("range")).start(),
        name_contains=filters.get("name") or None,
        span_kinds=[filters.get("kind")] if filters.get("kind") else [],
        status_codes=[filters.get("status")] if filters.get("status") else [],
        parent_id="null" if roots else None,
        attributes=[attribute] if attribute else [],
    )


def _row(span: Span, trace_id: str, *, cumulative: bool) -> dict[str, Any]:
    if cumulative:
        tokens = span.cumulative_llm_token_count_prompt + span.cumulative_llm_token_count_completion
    else:
        tokens = (span.llm_token_count_prompt or 0) + (span.llm_token_count_completion or 0)
    return {
        "span_id": span.span_id,
        "trace_id": trace_id,
        "name": span.name,
        "kind": span.span_kind,
        "status": span.status_code,
        "start_time": span.start_time,
        "latency_ms": (span.end_time - span.start_time).total_seconds() * 1000,
        "tokens": tokens,
        "errors": span.cumulative_error_count,
    }


async def _span_rows(
    session: Session, principal: Principal, project_id: str, filters: Filters, *, view: str
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of spans (roots only in the traces view) by start time; the next page's query."""
    roots = view == "traces" or filters.get("roots") == "1"
    after = filters.get("after")
    key = decode_span_cursor(after, by_start_time=True) if after else None
    paging = SpanPaging(limit=PAGE_SIZE, after=key, descending=filters.get("sort") != "asc")
    query = _span_query(filters, roots=roots)
    found, next_key = await span_service.list_spans(session, principal, project_id, query, paging)
    rows = [_row(span, trace_id, cumulative=view == "traces") for span, trace_id in found]
    return rows, filters.query(after=encode_span_cursor(next_key)) if next_key else None


async def _trace_rows(
    session: Session, principal: Principal, project_id: str, filters: Filters
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of traces by start time or latency, with or without errors; the next page's query."""
    if any(filters.get(k) for k in ("kind", "name", "attr")):
        raise InvalidInput(
            "In the traces view, the status filter and the latency order combine with the time range only;"
            " the spans view combines every filter."
        )
    after, status, sort = filters.get("after"), filters.get("status"), filters.get("sort")
    by_latency, by_tokens = sort in LATENCY_SORTS, sort in TOKEN_SORTS
    paging = TracePaging(
        limit=PAGE_SIZE,
        after=decode_trace_cursor(after, by_latency=by_latency, by_tokens=by_tokens) if after else None,
        by_latency=by_latency,
        by_tokens=by_tokens,
        descending=LATENCY_SORTS[sort] if by_latency else TOKEN_SORTS[sort] if by_tokens else sort != "asc",
    )
    query = TraceQuery(
        start_time=time_range(filters.get("range")).start(), error=None if not status else status == "ERROR"
    )
    found = await trace_details.list_trace_rows(session, principal, project_id, query, paging)
    rows = []
    for view in found.page.traces:
        root = found.roots.get(view.trace.id)
        rows.append(
            {
                "span_id": root.span_id if root else "",
                "trace_id": view.trace.trace_id,
                "name": root.name if root else "(no root span)",
                "kind": root.span_kind if root else "UNKNOWN",
                "status": root.status_code if root else "UNSET",
                "start_time": view.trace.start_time,
                "latency_ms": view.latency_ms,
                "tokens": view.tokens.prompt + view.tokens.completion,
                "errors": root.cumulative_error_count if root else 0,
            }
        )
    next_key = found.page.next_key
    return rows, filters.query(after=encode_trace_cursor(next_key, by_tokens=by_tokens)) if next_key else None


async def _table(request: Request, project_id: str, view: str) -> Response:
    state = state_of(request)
    principal = principal_of(request.scope)
    filters = Filters.of(request)
    error = None
    rows: list[dict[str, Any]] = []
    next_query = None
    async with transaction(state.session_factory) as session:
        project = await project_service.get_project(session, principal, project_id)
        try:
            if view == "traces" and (filters.get("sort") in LATENCY_SORTS | TOKEN_SORTS or filters.get("status")):
                rows, next_query = await _trace_rows(session, principal, project_id, filters)
            else:
                rows, next_query = await _span_rows(session, principal, project_id, filters, view=view)
        except InvalidInput as exc:
            error = exc.message
    context = {
        "project": project,
        "gid": project_id,
        "view": view,
        "rows": rows,
        "filters": filters,
        "ranges": TIME_RANGES,
        "kinds": sorted(SPAN_KINDS),
        "sorts": SORTS if view == "traces" else SORTS[:2],
        "statuses": TRACE_STATUSES if view == "traces" else SPAN_STATUSES,
        "error": error,
        "next_query": next_query,
        "is_later_page": bool(filters.get("after")),
        "select_spans": view == "spans" and decide(principal, Action.WRITE) is None,
    }
    return render(request, "projects/table.html", context, status=422 if error else 200, block="results")


@router.get("/projects/{project_id}")
async def project_page(request: Request, project_id: str) -> Response:
    return await _table(request, project_id, "traces")


@router.get("/projects/{project_id}/traces")
async def traces_page(request: Request, project_id: str) -> Response:
    return await _table(request, project_id, "traces")


@router.get("/projects/{project_id}/spans")
async def spans_page(request: Request, project_id: str) -> Response:
    return await _table(request, project_id, "spans")


@router.get("/projects/{project_id}/metrics")
async def metrics_page(request: Request, project_id: str) -> Response:
    state = state_of(request)
    selected = time_range(request.query_params.get("range"), default="7d")
    bucket = charts.bucket_for(selected)
    now = now_utc()
    async with transaction(state.session_factory) as session:
        metrics = await project_stats.project_metrics(
            session, principal_of(request.scope), project_id, (selected.start(now), None), bucket
        )
    context = {
        "project_name": metrics.project_name,
        "gid": project_id,
        "view": "metrics",
        "ranges": TIME_RANGES,
        "range": selected,
        "charts": charts.metric_charts(metrics, selected.start(now), now),
    }
    return render(request, "projects/metrics.html", context, block="charts")
