"""Sessions of a project (traces grouped by ``session.id``): list, get, delete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.models import ProjectSession, ProjectSessionAnnotation, Trace
from pyrewatch.db.session import Session
from pyrewatch.errors import InvalidInput, NotFound
from pyrewatch.ids import MAX_ROW_ID, decode_global_id, parse_typed_global_id
from pyrewatch.services.projects import require_project_reach, resolve_project
from pyrewatch.store import project_sessions as store
from pyrewatch.store import target_annotations as target_store
from pyrewatch.store.project_sessions import MAX_SESSION_ID_LENGTH, SessionTokens
from pyrewatch.store.span_outlines import TurnRoot, turn_roots

__all__ = [
    "SESSION_TYPE",
    "SessionTurns",
    "SessionView",
    "delete_session",
    "delete_sessions",
    "find_session",
    "get_session",
    "list_sessions",
    "session_turns",
    "session_rowids",
]

SESSION_TYPE = "ProjectSession"
MAX_BULK_DELETE = 1000
MAX_SESSION_ANNOTATIONS = 500


@dataclass(frozen=True)
class SessionView:
    session: ProjectSession
    traces: list[Trace] = field(default_factory=list)
    tokens: SessionTokens = SessionTokens(0, 0)


@dataclass(frozen=True)
class SessionTurns:
    """A session with its traces in order and each trace's root span (input and output)."""

    view: SessionView
    roots: dict[int, TurnRoot]
    annotations: list[ProjectSessionAnnotation]  # newest first


async def _views(session: Session, rows: Sequence[ProjectSession]) -> list[SessionView]:
    rowids = [row.id for row in rows]
    traces = await store.traces_of_sessions(session, rowids)
    tokens = await store.session_token_counts(session, rowids)
    return [SessionView(row, traces[row.id], tokens.get(row.id, SessionTokens(0, 0))) for row in rows]


async def find_session(session: Session, identifier: str) -> ProjectSession | None:
    """The session named by a ProjectSession GlobalID or, failing that, by its session id."""
    row_id = parse_typed_global_id(identifier, SESSION_TYPE)
    if row_id is not None:
        return await store.find_session(session, row_id) if row_id <= MAX_ROW_ID else None
    if "\x00" in identifier or len(identifier) > MAX_SESSION_ID_LENGTH:
        return None
    return await store.find_session_by_session_id(session, identifier)


async def list_sessions(
    session: Session,
    principal: Principal,
    project_identifier: str,
    *,
    limit: int,
    cursor: int | None,
    descending: bool = False,
) -> tuple[list[SessionView], int | None]:
    """One page of a project's sessions by id, with their traces, and the id starting the next page."""
    require(principal, Action.READ)
    project = await resolve_project(session, project_identifier, principal)
    rows = await store.list_sessions(session, project.id, limit=limit, cursor=cursor, descending=descending)
    next_cursor = rows[limit].id if len(rows) > limit else None
    return await _views(session, rows[:limit]), next_cursor


async def get_session(session: Session, principal: Principal, identifier: str) -> SessionView:
    """A session with its traces.

    Raises:
        NotFound: no such session.
    """
    require(principal, Action.READ)
    row = await find_session(session, identifier)
    if row is None:
        raise NotFound(f"Session with identifier {identifier} not found")
    await require_project_reach(session, principal, [row.project_id])
    return (await _views(session, [row]))[0]


async def session_turns(
    session: Session, principal: Principal, project_identifier: str, identifier: str
) -> SessionTurns:
    """A project's session with its traces in order and their root spans' input and output.

    Raises:
        NotFound: no such project, or the session is not in it.
    """
    require(principal, Action.READ)
    project = await resolve_project(session, project_identifier, principal)
    row = await find_session(session, identifier)
    if row is None or row.project_id != project.id:
        raise NotFound(f"Session with identifier {identifier} not found")
    view = (await _views(session, [row]))[0]
    roots = await turn_roots(session, [trace.id for trace in view.traces])
    found = await target_store.list_annotations(
        session,
        target_store.SESSION,
        target_store.TargetAnnotationFilter(project_id=project.id, target_rowids=[row.id]),
        limit=MAX_SESSION_ANNOTATIONS,
        cursor=None,
    )
    return SessionTurns(view, roots, [annotation for annotation, _ in found[:MAX_SESSION_ANNOTATIONS]])


async def delete_session(session: Session, principal: Principal, identifier: str) -> None:
    """Delete a session with all its traces, spans and annotations.

    Raises:
        NotFound: no such session.
    """
    require(principal, Action.WRITE)
    row = await find_session(session, identifier)
    if row is None:
        raise NotFound(f"Session with identifier {identifier} not found")
    await require_project_reach(session, principal, [row.project_id])
    await store.delete_sessions(session, [row.id])


async def delete_sessions(session: Session, principal: Principal, identifiers: Sequence[str]) -> None:
    """Delete the named sessions (all GlobalIDs or all session ids); unknown ones are skipped.

    Raises:
        InvalidInput: GlobalIDs mixed with session ids, or too many identifiers.
    """
    require(principal, Action.WRITE)
    if len(identifiers) > MAX_BULK_DELETE:
        raise InvalidInput(f"At most {MAX_BULK_DELETE} session identifiers may be deleted at once")
    global_ids = [parse_typed_global_id(i, SESSION_TYPE) for i in identifiers]
    if any(g is not None for g in global_ids) and any(g is None for g in global_ids):
        raise InvalidInput("All session identifiers must be the same type: GlobalIDs or session_id strings")
    rows: list[ProjectSession] = []
    if global_ids and global_ids[0] is not None:
        for rowid in sorted({g for g in global_ids if g is not None and g <= MAX_ROW_ID}):
            found = await store.find_session(session, rowid)
            rows += [found] if found is not None else []
    else:
        usable = [i for i in identifiers if "\x00" not in i and len(i) <= MAX_SESSION_ID_LENGTH]
        rows = list((await store.sessions_by_session_ids(session, usable)).values())
    await require_project_reach(session, principal, [row.project_id for row in rows])
    await store.delete_sessions(session, [row.id for row in rows])


async def session_rowids(session: Session, project_id: int, identifiers: Sequence[str]) -> list[int]:
    """Row ids of the project's sessions named by GlobalIDs or session ids (unknown ones dropped)."""
    rowids: list[int] = []
    names: list[str] = []
    for identifier in identifiers:
        decoded = decode_global_id(identifier)
        if decoded is not None and decoded[0] == SESSION_TYPE:
            rowids.append(decoded[1])
        elif "\x00" not in identifier and len(identifier) <= MAX_SESSION_ID_LENGTH:
            names.append(identifier)
    found = await store.sessions_by_session_ids(session, names, project_id=project_id)
    rows = [row.id for row in found.values()]
    return rows + [r for r in rowids if r <= MAX_ROW_ID]
