"""Project overviews and metrics: the aggregates behind the projects page and the charts.

Every function asks the policy first and then runs a fixed number of statements, whatever the
number of projects or spans, so any transport can show them without an N+1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.session import Session
from pyrewatch.services.projects import resolve_project
from pyrewatch.store import project_stats as store
from pyrewatch.store import projects as project_store
from pyrewatch.store.project_stats import (
    ActivityPoint,
    Bucket,
    LatencyPoint,
    ProjectActivity,
    ProjectSpanStats,
    ProjectTraceStats,
    TracePoint,
)

__all__ = ["MAX_PROJECTS", "Bucket", "ProjectMetrics", "ProjectOverview", "project_metrics", "project_overviews"]

MAX_PROJECTS = 1000


@dataclass(frozen=True)
class ProjectOverview:
    id: int
    name: str
    description: str | None
    created_at: datetime
    span_count: int = 0
    trace_count: int = 0
    error_trace_count: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    last_span_at: datetime | None = None
    latency_p50_ms: float | None = None
    latency_p99_ms: float | None = None

    @property
    def error_rate(self) -> float | None:
        return self.error_trace_count / self.trace_count if self.trace_count else None

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class ProjectMetrics:
    project_id: int
    project_name: str
    bucket: Bucket
    traces: list[TracePoint]
    latency: list[LatencyPoint]
    activity: list[ActivityPoint]


async def project_overviews(session: Session, principal: Principal, *, since: datetime | None) -> list[ProjectOverview]:
    """Every project (up to ``MAX_PROJECTS``, newest first) with its activity since ``since``:
    four statements in all."""
    require(principal, Action.READ)
    projects = (await project_store.list_projects_page(session, limit=MAX_PROJECTS, cursor=None, name_contains=None))[
        :MAX_PROJECTS
    ]
    spans = await store.span_stats(session, None, since)
    traces = await store.trace_stats(session, None, since)
    activity = await store.activity_stats(session, None, since)
    empty_spans, empty_traces = ProjectSpanStats(0, None), ProjectTraceStats(0, None, None)
    empty_activity = ProjectActivity(0, 0, 0)
    overviews = []
    for project in projects:
        s, t = spans.get(project.id, empty_spans), traces.get(project.id, empty_traces)
        a = activity.get(project.id, empty_activity)
        overviews.append(
            ProjectOverview(
                id=project.id,
                name=project.name,
                description=project.description,
                created_at=project.created_at,
                span_count=s.span_count,
                trace_count=t.trace_count,
                error_trace_count=a.error_trace_count,
                prompt_tokens=a.prompt_tokens,
                completion_tokens=a.completion_tokens,
                last_span_at=s.last_span_at,
                latency_p50_ms=t.latency_p50_ms,
                latency_p99_ms=t.latency_p99_ms,
            )
        )
    return overviews


async def project_metrics(
    session: Session,
    principal: Principal,
    project_identifier: str,
    window: tuple[datetime | None, datetime | None],
    bucket: Bucket,
) -> ProjectMetrics:
    """Traces, latency p50/p99, and traces with errors and tokens per time bucket: one
    statement each."""
    require(principal, Action.READ)
    project = await resolve_project(session, project_identifier, principal)
    return ProjectMetrics(
        project_id=project.id,
        project_name=project.name,
        bucket=bucket,
        traces=await store.trace_series(session, project.id, window, bucket),
        latency=await store.latency_series(session, project.id, window, bucket),
        activity=await store.activity_series(session, project.id, window, bucket),
    )
