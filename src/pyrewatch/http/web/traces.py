"""The trace page (waterfall and span panel), notes and annotations, and deep links."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from pyrewatch.auth.policy import Action, decide
from pyrewatch.db.session import transaction
from pyrewatch.errors import BadRequest, InvalidInput
from pyrewatch.http.middleware import principal_of
from pyrewatch.http.web import span_view
from pyrewatch.http.web.errors import WebRoute
from pyrewatch.http.web.forms import read_form
from pyrewatch.http.web.render import redirect, render, state_of
from pyrewatch.ids import encode_global_id
from pyrewatch.services import annotations as annotation_service
from pyrewatch.services import trace_details
from pyrewatch.services.annotations import AnnotationInput
from pyrewatch.services.project_sessions import SESSION_TYPE

router = APIRouter(route_class=WebRoute, include_in_schema=False)
TRACE_PATH = "/projects/{project_id}/traces/{trace_id}"


async def _trace_page(request: Request, project_id: str, trace_id: str, error: str | None = None) -> Response:
    state = state_of(request)
    principal = principal_of(request.scope)
    span_id = request.query_params.get("span")
    async with transaction(state.session_factory) as session:
        detail = await trace_details.get_trace_detail(session, principal, project_id, trace_id, span_id)
    rows = span_view.waterfall(detail.spans)
    selected = detail.selected
    context = {
        "project": detail.project,
        "gid": project_id,
        "trace": detail.trace,
        "trace_ms": (detail.trace.end_time - detail.trace.start_time).total_seconds() * 1000,
        "rows": rows,
        "error_count": sum(1 for r in rows if r.is_error),
        "selected_id": None if selected is None else selected.span_id,
        "panel": None if selected is None else span_view.panel(selected, detail.annotations),
        "can_write": decide(principal, Action.WRITE) is None,
        "form_error": error,
        "trace_annotations": detail.trace_annotations,
        "session_annotations": detail.session_annotations,
        "session_gid": None
        if detail.trace.project_session_rowid is None
        else encode_global_id(SESSION_TYPE, detail.trace.project_session_rowid),
    }
    block = "panel" if request.headers.get("hx-target") == "panel" else None
    return render(request, "traces/trace.html", context, status=422 if error else 200, block=block)


@router.get(TRACE_PATH)
async def trace_page(request: Request, project_id: str, trace_id: str) -> Response:
    return await _trace_page(request, project_id, trace_id)


def _back(request: Request, project_id: str, trace_id: str, span_id: str) -> Response:
    return redirect(request, f"/projects/{project_id}/traces/{trace_id}", query=f"span={span_id}")


@router.post(TRACE_PATH + "/spans/{span_id}/notes")
async def add_note(request: Request, project_id: str, trace_id: str, span_id: str) -> Response:
    form = await read_form(request)
    note = form.get("note")
    try:
        if not note:
            raise InvalidInput("Write a note first.")
        async with transaction(state_of(request).session_factory) as session:
            await annotation_service.add_span_note(session, principal_of(request.scope), span_id=span_id, note=note)
    except (InvalidInput, BadRequest) as exc:
        return await _trace_page(request, project_id, trace_id, exc.message)
    return _back(request, project_id, trace_id, span_id)


def _score(text: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInput("The score must be a number.") from None


@router.post(TRACE_PATH + "/spans/{span_id}/annotations")
async def add_annotation(request: Request, project_id: str, trace_id: str, span_id: str) -> Response:
    form = await read_form(request)
    try:
        item = AnnotationInput(
            span_id=span_id,
            name=form.get("name"),
            annotator_kind="HUMAN",
            label=form.optional("label"),
            score=_score(form.get("score")),
            explanation=form.optional("explanation"),
        )
        if item.label is None and item.score is None and item.explanation is None:
            raise InvalidInput("Give a label, a score or an explanation.")
        async with transaction(state_of(request).session_factory) as session:
            await annotation_service.annotate_spans(session, principal_of(request.scope), [item], sync=True)
    except (InvalidInput, BadRequest) as exc:
        return await _trace_page(request, project_id, trace_id, exc.message)
    return _back(request, project_id, trace_id, span_id)


@router.get("/redirects/spans/{span_id}")
async def span_link(request: Request, span_id: str) -> Response:
    async with transaction(state_of(request).session_factory) as session:
        found = await trace_details.locate_span(session, principal_of(request.scope), span_id)
    gid = encode_global_id("Project", found.project_id)
    return redirect(request, f"/projects/{gid}/traces/{found.trace_id}", query=f"span={found.span_id}")


@router.get("/redirects/traces/{trace_id}")
async def trace_link(request: Request, trace_id: str) -> Response:
    async with transaction(state_of(request).session_factory) as session:
        found = await trace_details.locate_trace(session, principal_of(request.scope), trace_id)
    gid = encode_global_id("Project", found.project_id)
    return redirect(request, f"/projects/{gid}/traces/{found.trace_id}")
