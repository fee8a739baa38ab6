"""One trace with all its spans (for the waterfall), a span's annotations, and deep links."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.models import Project, ProjectSessionAnnotation, Span, SpanAnnotation, Trace, TraceAnnotation
from pyrewatch.db.session import Session
from pyrewatch.errors import NotFound
from pyrewatch.services import traces as trace_service
from pyrewatch.services.projects import resolve_project
from pyrewatch.services.traces import TracePage, TraceQuery
from pyrewatch.store import annotations as annotation_store
from pyrewatch.store import projects as project_store
from pyrewatch.store import spans as span_store
from pyrewatch.store import target_annotations as target_store
from pyrewatch.store import traces as trace_store
from pyrewatch.store.annotations import AnnotationFilter
from pyrewatch.store.span_outlines import SpanOutline, TraceRoot, list_span_outlines, roots_of_traces
from pyrewatch.store.traces import TracePaging

__all__ = [
    "SpanOutline",
    "MAX_ANNOTATIONS",
    "SpanLocation",
    "TraceDetail",
    "TraceRows",
    "get_trace_detail",
    "list_trace_rows",
    "locate_span",
    "locate_trace",
]

MAX_ANNOTATIONS = 500


@dataclass(frozen=True)
class TraceDetail:
    project: Project
    trace: Trace
    spans: list[SpanOutline]
    selected: Span | None
    annotations: list[SpanAnnotation]  # of the selected span, newest first
    trace_annotations: list[TraceAnnotation] = field(default_factory=list)  # newest first
    session_annotations: list[ProjectSessionAnnotation] = field(default_factory=list)  # of the trace's session


@dataclass(frozen=True)
class SpanLocation:
    project_id: int
    trace_id: str
    span_id: str | None


@dataclass(frozen=True)
class TraceRows:
    page: TracePage
    roots: dict[int, TraceRoot]


async def list_trace_rows(
    session: Session, principal: Principal, project_identifier: str, query: TraceQuery, paging: TracePaging
) -> TraceRows:
    """A page of traces (by start time or latency) with their token totals and root spans:
    four statements whatever the page size."""
    page = await trace_service.list_traces(session, principal, project_identifier, query, paging, include_spans=False)
    roots = await roots_of_traces(session, [view.trace.id for view in page.traces])
    return TraceRows(page=page, roots=roots)


def _valid_hex(value: str, length: int) -> bool:
    return len(value) == length and all(c in "0123456789abcdef" for c in value)


async def get_trace_detail(
    session: Session, principal: Principal, project_identifier: str, trace_id: str, span_id: str | None
) -> TraceDetail:
    """A project's trace by OTel trace id, every span by start time, and the chosen span (the
    root by default) in full with its annotations: five statements whatever the trace's size.

    Raises:
        NotFound: no such project, or the trace is not in it.
    """
    require(principal, Action.READ)
    project = await resolve_project(session, project_identifier, principal)
    trace_id = trace_id.lower()
    trace = await trace_store.find_trace_by_trace_id(session, trace_id) if _valid_hex(trace_id, 32) else None
    if trace is None or trace.project_id != project.id:
        raise NotFound(f"Trace with ID {trace_id} not found")
    spans = await list_span_outlines(session, trace.id)
    chosen = next((s for s in spans if s.span_id == span_id), None)
    if chosen is None:
        ids = {s.span_id for s in spans}
        chosen = next((s for s in spans if s.parent_id is None or s.parent_id not in ids), None)
    selected = None if chosen is None else await span_store.find_span(session, chosen.id)
    annotations: list[SpanAnnotation] = []
    if selected is not None:
        rows = await annotation_store.list_span_annotations(
            session,
            AnnotationFilter(project_id=project.id, span_rowids=[selected.id]),
            limit=MAX_ANNOTATIONS,
            cursor=None,
        )
        annotations = [row for row, _ in rows[:MAX_ANNOTATIONS]]
    detail = TraceDetail(project=project, trace=trace, spans=spans, selected=selected, annotations=annotations)
    return await _with_target_annotations(session, detail)


async def _with_target_annotations(session: Session, detail: TraceDetail) -> TraceDetail:
    """The trace's annotations and, when the trace belongs to a session, the session's."""
    project_id, trace = detail.project.id, detail.trace
    found = await target_store.list_annotations(
        session,
        target_store.TRACE,
        target_store.TargetAnnotationFilter(project_id=project_id, target_rowids=[trace.id]),
        limit=MAX_ANNOTATIONS,
        cursor=None,
    )
    detail.trace_annotations.extend(row for row, _ in found[:MAX_ANNOTATIONS])
    if trace.project_session_rowid is not None:
        found = await target_store.list_annotations(
            session,
            target_store.SESSION,
            target_store.TargetAnnotationFilter(project_id=project_id, target_rowids=[trace.project_session_rowid]),
            limit=MAX_ANNOTATIONS,
            cursor=None,
        )
        detail.session_annotations.extend(row for row, _ in found[:MAX_ANNOTATIONS])
    return detail


async def locate_span(session: Session, principal: Principal, span_id: str) -> SpanLocation:
    """Where a span (OTel id) lives: its project and trace."""
    require(principal, Action.READ)
    span_id = span_id.lower()
    span = await span_store.find_span_by_span_id(session, span_id) if _valid_hex(span_id, 16) else None
    trace = None if span is None else await trace_store.find_trace(session, span.trace_rowid)
    if span is None or trace is None:
        raise NotFound(f"Span with ID {span_id} not found")
    return SpanLocation(project_id=span.project_id, trace_id=trace.trace_id, span_id=span.span_id)


async def locate_trace(session: Session, principal: Principal, trace_id: str) -> SpanLocation:
    """Where a trace (OTel id) lives: its project."""
    require(principal, Action.READ)
    trace_id = trace_id.lower()
    trace = await trace_store.find_trace_by_trace_id(session, trace_id) if _valid_hex(trace_id, 32) else None
    if trace is None or await project_store.find_project(session, trace.project_id) is None:
        raise NotFound(f"Trace with ID {trace_id} not found")
    return SpanLocation(project_id=trace.project_id, trace_id=trace.trace_id, span_id=None)
