"""Sessions of a project: attached at ingest from ``session.id``, listed, looked up, deleted.

A trace joins the session named by the first of its spans (by start time) that carries
``session.id``; it never changes session afterwards. A session belongs to the project of the
trace that created it, and spans the times of all its traces.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Table, bindparam, case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from pyrewatch.db.models import ProjectSession, Span, Trace
from pyrewatch.db.session import Session

__all__ = [
    "MAX_SESSION_ID_LENGTH",
    "SessionTokens",
    "attach_sessions",
    "delete_sessions",
    "find_session",
    "find_session_by_session_id",
    "list_sessions",
    "move_whole_sessions",
    "session_token_counts",
    "sessions_by_session_ids",
    "traces_of_sessions",
]

MAX_SESSION_ID_LENGTH = 4096
_CHUNK = 500


class _SpanLike(Protocol):
    @property
    def trace_id(self) -> str: ...
    @property
    def start_time(self) -> datetime: ...
    @property
    def end_time(self) -> datetime: ...
    @property
    def attributes(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class SessionTokens:
    prompt: int
    completion: int


def _nested_text(attributes: dict[str, Any], group: str) -> str | None:
    """``attributes[group]["id"]`` as text (``session.id`` / ``user.id``), when usable."""
    node = attributes.get(group)
    value = node.get("id") if isinstance(node, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    if not text or len(text) > MAX_SESSION_ID_LENGTH or "\x00" in text:
        return None
    return text


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _first_session_per_trace(spans: Sequence[_SpanLike]) -> dict[str, tuple[str, str | None]]:
    """trace id -> (session id, user id) from the earliest span of the trace carrying one."""
    chosen: dict[str, tuple[datetime, str, str | None]] = {}
    for span in spans:
        session_id = _nested_text(span.attributes, "session")
        if session_id is None:
            continue
        current = chosen.get(span.trace_id)
        if current is None or span.start_time < current[0]:
            user_id = _nested_text(span.attributes, "user")
            chosen[span.trace_id] = (span.start_time, session_id, user_id[:255] if user_id else None)
    return {trace_id: (session_id, user_id) for trace_id, (_, session_id, user_id) in chosen.items()}


async def attach_sessions(session: Session, spans: Sequence[_SpanLike], traces: dict[str, tuple[int, int]]) -> None:
    """Create or widen the sessions named by ``spans`` and attach their traces.

    ``traces`` maps each trace id of ``spans`` to its (trace row id, project id), as stored.
    """
    per_trace = _first_session_per_trace(spans)
    if per_trace:
        session_rowids = await _upsert_sessions(session, spans, per_trace, traces)
        table = Trace.__table__
        assert isinstance(table, Table)
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_trace"), table.c.project_session_rowid.is_(None))
            .values(project_session_rowid=bindparam("b_session"))
        )
        params = [
            {"b_trace": traces[trace_id][0], "b_session": session_rowids[session_id]}
            for trace_id, (session_id, _) in sorted(per_trace.items())
        ]
        conn = await session.connection()
        await conn.execute(stmt, params)
    await _widen_sessions(session, [row_id for row_id, _ in traces.values()])


async def _upsert_sessions(
    session: Session,
    spans: Sequence[_SpanLike],
    per_trace: dict[str, tuple[str, str | None]],
    traces: dict[str, tuple[int, int]],
) -> dict[str, int]:
    bounds: dict[str, dict[str, Any]] = {}
    for span in spans:
        if span.trace_id not in per_trace:
            continue
        session_id, user_id = per_trace[span.trace_id]
        row = bounds.setdefault(
            session_id,
            {
                "session_id": session_id,
                "project_id": traces[span.trace_id][1],
                "user_id": user_id,
                "start_time": span.start_time,
                "end_time": span.end_time,
            },
        )
        row["start_time"] = min(row["start_time"], span.start_time)
        row["end_time"] = max(row["end_time"], span.end_time)
    table = ProjectSession.__table__
    assert isinstance(table, Table)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    ids: dict[str, int] = {}
    for chunk in _chunks([bounds[key] for key in sorted(bounds)]):
        stmt = insert(table).values(list(chunk))
        upsert = stmt.on_conflict_do_update(
            index_elements=["session_id"],
            set_={
                "start_time": case(
                    (stmt.excluded.start_time < table.c.start_time, stmt.excluded.start_time),
                    else_=table.c.start_time,
                ),
                "end_time": case(
                    (stmt.excluded.end_time > table.c.end_time, stmt.excluded.end_time), else_=table.c.end_time
                ),
                "user_id": func.coalesce(table.c.user_id, stmt.excluded.user_id),
            },
        ).returning(table.c.session_id, table.c.id)
        ids.update({sid: rowid for sid, rowid in (await session.execute(upsert)).all()})
    return ids


async def _widen_sessions(session: Session, trace_rowids: Sequence[int]) -> None:
    """Stretch the sessions of these traces over all their traces' times."""
    session_rowids: set[int] = set()
    for chunk in _chunks(sorted(set(trace_rowids))):
        stmt = select(Trace.project_session_rowid).where(Trace.id.in_(chunk), Trace.project_session_rowid.is_not(None))
        session_rowids.update(row for row in (await session.execute(stmt)).scalars() if row is not None)
    for chunk in _chunks(sorted(session_rowids)):
        first = select(func.min(Trace.start_time)).where(Trace.project_session_rowid == ProjectSession.id)
        last = select(func.max(Trace.end_time)).where(Trace.project_session_rowid == ProjectSession.id)
        await session.execute(
            update(ProjectSession)
            .where(ProjectSession.id.in_(chunk))
            .values(start_time=first.scalar_subquery(), end_time=last.scalar_subquery())
            .execution_options(synchronize_session=False)
        )


async def list_sessions(
    session: Session, project_id: int, *, limit: int, cursor: int | None, descending: bool
) -> list[ProjectSession]:
    """Up to ``limit + 1`` sessions of a project by row id, from ``cursor`` (inclusive)."""
    stmt = select(ProjectSession).where(ProjectSession.project_id == project_id)
    if cursor is not None:
        stmt = stmt.where(ProjectSession.id <= cursor if descending else ProjectSession.id >= cursor)
    order = ProjectSession.id.desc() if descending else ProjectSession.id.asc()
    return list((await session.execute(stmt.order_by(order).limit(limit + 1))).scalars())


async def find_session(session: Session, rowid: int) -> ProjectSession | None:
    return await session.get(ProjectSession, rowid)


async def find_session_by_session_id(session: Session, session_id: str) -> ProjectSession | None:
    stmt = select(ProjectSession).where(ProjectSession.session_id == session_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def sessions_by_session_ids(
    session: Session, session_ids: Sequence[str], *, project_id: int | None = None
) -> dict[str, ProjectSession]:
    if not session_ids:
        return {}
    stmt = select(ProjectSession).where(ProjectSession.session_id.in_(set(session_ids)))
    if project_id is not None:
        stmt = stmt.where(ProjectSession.project_id == project_id)
    return {row.session_id: row for row in (await session.execute(stmt)).scalars()}


async def traces_of_sessions(session: Session, session_rowids: Sequence[int]) -> dict[int, list[Trace]]:
    """Each session's traces, by start time."""
    found: dict[int, list[Trace]] = {rowid: [] for rowid in session_rowids}
    if not session_rowids:
        return found
    stmt = select(Trace).where(Trace.project_session_rowid.in_(session_rowids)).order_by(Trace.start_time, Trace.id)
    for trace in (await session.execute(stmt)).scalars():
        if trace.project_session_rowid is not None:
            found[trace.project_session_rowid].append(trace)
    return found


async def session_token_counts(session: Session, session_rowids: Sequence[int]) -> dict[int, SessionTokens]:
    """Per session, the sums of its spans' own prompt and completion token counts."""
    if not session_rowids:
        return {}
    stmt = (
        select(
            Trace.project_session_rowid,
            func.coalesce(func.sum(Span.llm_token_count_prompt), 0),
            func.coalesce(func.sum(Span.llm_token_count_completion), 0),
        )
        .join(Span, Span.trace_rowid == Trace.id)
        .where(Trace.project_session_rowid.in_(session_rowids))
        .group_by(Trace.project_session_rowid)
    )
    rows = (await session.execute(stmt)).all()
    return {rowid: SessionTokens(int(p or 0), int(c or 0)) for rowid, p, c in rows if rowid is not None}


async def delete_sessions(session: Session, session_rowids: Sequence[int]) -> None:
    """Delete sessions with their traces, spans and annotations."""
    for chunk in _chunks(sorted(set(session_rowids))):
        await session.execute(delete(Trace).where(Trace.project_session_rowid.in_(chunk)))
        await session.execute(delete(ProjectSession).where(ProjectSession.id.in_(chunk)))


async def move_whole_sessions(session: Session, trace_rowids: Sequence[int], project_id: int) -> None:
    """Move to ``project_id`` every session all of whose traces are among ``trace_rowids``."""
    if not trace_rowids:
        return
    touched = select(Trace.project_session_rowid).where(
        Trace.id.in_(trace_rowids), Trace.project_session_rowid.is_not(None)
    )
    left_behind = select(Trace.project_session_rowid).where(
        Trace.project_session_rowid.is_not(None), Trace.id.not_in(trace_rowids)
    )
    await session.execute(
        update(ProjectSession)
        .where(ProjectSession.id.in_(touched), ProjectSession.id.not_in(left_behind))
        .values(project_id=project_id)
        .execution_options(synchronize_session=False)
    )
