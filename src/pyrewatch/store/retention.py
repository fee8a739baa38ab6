"""Retention: policies per project, and the bounded deletes that enforce them.

Each delete removes whole traces (their spans and every annotation go by ON DELETE CASCADE),
at most ``limit`` traces per statement, so a caller can commit between batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, exists, func, select

from pyrewatch.db.models import Project, ProjectRetentionPolicy, ProjectSession, Span, Trace
from pyrewatch.db.session import Session

__all__ = [
    "count_spans",
    "delete_empty_sessions",
    "delete_policy",
    "delete_traces",
    "find_policy",
    "oldest_traces",
    "policies",
    "project_ids",
    "traces_started_before",
    "upsert_policy",
]


async def find_policy(session: Session, project_id: int) -> ProjectRetentionPolicy | None:
    return await session.get(ProjectRetentionPolicy, project_id)


async def upsert_policy(
    session: Session, project_id: int, max_age_days: int | None, max_spans: int | None
) -> ProjectRetentionPolicy:
    row = await session.get(ProjectRetentionPolicy, project_id)
    if row is None:
        row = ProjectRetentionPolicy(project_id=project_id)
        session.add(row)
    row.max_age_days = max_age_days
    row.max_spans = max_spans
    await session.flush()
    return row


async def delete_policy(session: Session, project_id: int) -> None:
    await session.execute(delete(ProjectRetentionPolicy).where(ProjectRetentionPolicy.project_id == project_id))


async def project_ids(session: Session) -> list[int]:
    return list((await session.execute(select(Project.id).order_by(Project.id))).scalars())


async def policies(session: Session) -> dict[int, ProjectRetentionPolicy]:
    rows = (await session.execute(select(ProjectRetentionPolicy))).scalars()
    return {row.project_id: row for row in rows}


async def traces_started_before(session: Session, project_id: int, cutoff: datetime, limit: int) -> list[int]:
    """Up to ``limit`` ids of the project's traces that started before ``cutoff``, oldest first."""
    stmt = (
        select(Trace.id)
        .where(Trace.project_id == project_id, Trace.start_time < cutoff)
        .order_by(Trace.start_time, Trace.id)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def count_spans(session: Session, project_id: int) -> int:
    stmt = select(func.count()).select_from(Span).where(Span.project_id == project_id)
    return int((await session.execute(stmt)).scalar_one())


async def oldest_traces(session: Session, project_id: int, limit: int) -> list[tuple[int, int]]:
    """Up to ``limit`` of the project's oldest traces with their span counts, oldest first."""
    oldest = (
        select(Trace.id, Trace.start_time)
        .where(Trace.project_id == project_id)
        .order_by(Trace.start_time, Trace.id)
        .limit(limit)
        .subquery()
    )
    counts = (
        select(oldest.c.id, func.count(Span.id))
        .select_from(oldest)
        .outerjoin(Span, Span.trace_rowid == oldest.c.id)
        .group_by(oldest.c.id, oldest.c.start_time)
        .order_by(oldest.c.start_time, oldest.c.id)
    )
    return [(int(rowid), int(n)) for rowid, n in (await session.execute(counts)).all()]


async def delete_traces(session: Session, trace_rowids: Sequence[int]) -> None:
    if trace_rowids:
        await session.execute(delete(Trace).where(Trace.id.in_(trace_rowids)))


async def delete_empty_sessions(session: Session, project_id: int) -> int:
    """Delete the project's sessions that have no trace left; return how many."""
    stmt = delete(ProjectSession).where(
        ProjectSession.project_id == project_id,
        ~exists().where(Trace.project_session_rowid == ProjectSession.id),
    )
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)
