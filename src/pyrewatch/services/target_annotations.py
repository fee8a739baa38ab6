"""Trace, session and document annotations and notes, with span annotations' upsert semantics.

The three kinds share one shape: upsert on (name, target, identifier) (documents add their
position), ``sync`` decides whether unknown targets are an error or skipped, and notes are HUMAN
annotations named ``note`` with a fresh identifier unless one is given.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyrewatch.auth.policy import Action, decide, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.session import Session
from pyrewatch.errors import BadRequest, InvalidInput, NotFound
from pyrewatch.services.annotation_configs import check_annotations
from pyrewatch.services.annotations import (
    MAX_NAME_LENGTH,
    MAX_SPAN_IDS,
    MAX_TEXT_LENGTH,
    NOTE_NAME,
    AnnotationDeletionQuery,
    AnnotationInput,
    AnnotationQuery,
    validate_annotation,
)
from pyrewatch.services.projects import require_project_reach, resolve_project, validate_text
from pyrewatch.store import project_sessions as session_store
from pyrewatch.store import spans as span_store
from pyrewatch.store import target_annotations as store
from pyrewatch.store import traces as trace_store
from pyrewatch.store.annotations import AnnotationDeletion
from pyrewatch.store.project_sessions import MAX_SESSION_ID_LENGTH
from pyrewatch.store.target_annotations import AnnotationTarget, TargetAnnotationFilter, TargetAnnotationValues

__all__ = [
    "DOCUMENT",
    "SESSION",
    "TRACE",
    "AnnotationKind",
    "TargetAnnotationInput",
    "add_note",
    "annotate",
    "delete_annotations",
    "list_annotations",
]


@dataclass(frozen=True)
class AnnotationKind:
    target: AnnotationTarget
    noun: str  # how messages name one target
    plural: str  # how messages name several
    ids_param: str  # the query parameter listing targets
    note_prefix: str  # identifier prefix of notes
    max_id_length: int
    type_name: str  # of the annotations' GlobalIDs


TRACE = AnnotationKind(store.TRACE, "Trace", "Traces", "trace_ids", "px-trace-note:", 64, "TraceAnnotation")
SESSION = AnnotationKind(
    store.SESSION,
    "Session",
    "Sessions",
    "session_ids",
    "px-session-note:",
    MAX_SESSION_ID_LENGTH,
    "ProjectSessionAnnotation",
)
DOCUMENT = AnnotationKind(store.DOCUMENT, "Span", "Spans", "span_ids", "", 64, "DocumentAnnotation")


@dataclass(frozen=True)
class TargetAnnotationInput:
    target_id: str  # trace id, session id or span id, as on the wire
    name: str
    annotator_kind: str
    label: str | None = None
    score: float | None = None
    explanation: str | None = None
    metadata: dict[str, Any] | None = None
    identifier: str = ""
    document_position: int | None = None


async def _rowids(
    session: Session, principal: Principal, kind: AnnotationKind, ids: Sequence[str], project_id: int | None = None
) -> dict[str, int]:
    """Row ids of the targets named by ``ids`` (unknown and unusable ids are left out).

    Raises:
        NotAllowed: a target is in a project that ``principal`` (a project-bound key) may not reach.
    """
    usable = [i for i in ids if "\x00" not in i and len(i) <= kind.max_id_length]
    found: dict[str, Any]
    if kind is TRACE:
        found = await trace_store.traces_by_trace_ids(session, usable, project_id=project_id)
    elif kind is SESSION:
        found = await session_store.sessions_by_session_ids(session, usable, project_id=project_id)
    else:
        found = await span_store.spans_by_span_ids(session, usable, project_id=project_id)
    await require_project_reach(session, principal, [row.project_id for row in found.values()])
    return {key: row.id for key, row in found.items()}


def _validate(kind: AnnotationKind, item: TargetAnnotationInput) -> None:
    if not item.target_id:
        raise InvalidInput(f"{kind.noun} id cannot be empty")
    if kind is DOCUMENT and (item.document_position is None or item.document_position < 0):
        raise InvalidInput("document_position must be a non-negative integer")
    fields = {key: getattr(item, key) for key in ("name", "annotator_kind", "label", "score", "explanation")}
    validate_annotation(AnnotationInput(span_id="", metadata=item.metadata, identifier=item.identifier, **fields))


async def annotate(
    session: Session,
    principal: Principal,
    kind: AnnotationKind,
    items: Sequence[TargetAnnotationInput],
    *,
    sync: bool,
) -> list[int]:
    """Upsert annotations; return their ids in request order.

    With ``sync`` every target must exist (404 otherwise); without it, annotations of unknown
    targets are skipped (every acknowledged export is already stored, so nothing is pending).

    Raises:
        BadRequest: the reserved name ``note`` (trace and session annotations).
        NotFound: ``sync`` and some targets do not exist.
    """
    require(principal, Action.WRITE)
    if kind is not DOCUMENT and any(item.name == NOTE_NAME for item in items):
        route = f"/v1/{kind.noun.lower()}_notes"
        raise BadRequest(f"The name 'note' is reserved for {kind.noun.lower()} notes. Use POST {route} instead.")
    for item in items:
        _validate(kind, item)
    await check_annotations(session, [(item.name, item.label, item.score) for item in items])
    rowids = await _rowids(session, principal, kind, [item.target_id for item in items])
    missing = sorted({item.target_id for item in items} - rowids.keys())
    if missing and sync:
        raise NotFound(f"{kind.plural} with IDs {', '.join(missing)} do not exist.")
    ids = []
    for item in items:
        if item.target_id not in rowids:
            continue
        values = TargetAnnotationValues(
            target_rowid=rowids[item.target_id],
            name=item.name,
            annotator_kind=item.annotator_kind,
            label=item.label,
            score=item.score,
            explanation=item.explanation,
            metadata=item.metadata or {},
            identifier=item.identifier,
            user_id=principal.user_id,
            document_position=item.document_position,
        )
        ids.append(await store.upsert_annotation(session, kind.target, values))
    return ids


async def add_note(
    session: Session, principal: Principal, kind: AnnotationKind, *, target_id: str, note: str, identifier: str = ""
) -> int:
    """Add a note (a HUMAN annotation named ``note``); a non-empty identifier makes it an upsert.

    Raises:
        NotFound: no such trace or session.
    """
    require(principal, Action.WRITE)
    validate_text(note, "Note", MAX_TEXT_LENGTH)
    validate_text(identifier, "Identifier", MAX_NAME_LENGTH)
    rowids = await _rowids(session, principal, kind, [target_id])
    if target_id not in rowids:
        raise NotFound(f"{kind.noun} with ID {target_id} not found")
    values = TargetAnnotationValues(
        target_rowid=rowids[target_id],
        name=NOTE_NAME,
        annotator_kind="HUMAN",
        label=None,
        score=None,
        explanation=note,
        metadata={},
        identifier=identifier or f"{kind.note_prefix}{uuid.uuid4()}",
        user_id=principal.user_id,
    )
    return await store.upsert_annotation(session, kind.target, values)


async def list_annotations(
    session: Session,
    principal: Principal,
    kind: AnnotationKind,
    project_identifier: str,
    query: AnnotationQuery,
    page: tuple[int, int | None],
) -> tuple[list[tuple[Any, str]], int | None]:
    """One page of a project's annotations of this kind, newest first, and the id starting the next.

    ``query.span_ids`` holds the target ids (trace or session ids); ``page`` is (limit, cursor).

    Raises:
        InvalidInput: neither target ids nor identifiers, or too many target ids.
        NotFound: target ids were given and none of them is in the project.
    """
    require(principal, Action.READ)
    limit, cursor = page
    target_ids = query.span_ids
    if not target_ids and not query.identifiers:
        raise InvalidInput(f"At least one of {kind.ids_param} or identifier must be supplied")
    if len(target_ids) > MAX_SPAN_IDS:
        raise InvalidInput(f"Too many {kind.ids_param} supplied: {len(target_ids)} (max {MAX_SPAN_IDS})")
    for values in (query.identifiers, query.include_names, query.exclude_names):
        for value in values:
            validate_text(value, "Filter value", MAX_TEXT_LENGTH)
    project = await resolve_project(session, project_identifier, principal)
    target_rowids = None
    if target_ids:
        found = await _rowids(session, principal, kind, target_ids, project.id)
        if not found:
            raise NotFound(f"None of the supplied {kind.ids_param} exist in this project")
        target_rowids = list(found.values())
    annotation_filter = TargetAnnotationFilter(
        project_id=project.id,
        target_rowids=target_rowids,
        identifiers=query.identifiers,
        include_names=query.include_names,
        exclude_names=query.exclude_names,
    )
    rows = await store.list_annotations(session, kind.target, annotation_filter, limit=limit, cursor=cursor)
    next_cursor = rows[limit][0].id if len(rows) > limit else None
    return rows[:limit], next_cursor


async def delete_annotations(
    session: Session,
    principal: Principal,
    kind: AnnotationKind,
    project_identifier: str,
    query: AnnotationDeletionQuery,
) -> int:
    """Hard-delete a project's annotations of this kind matching the filters (as for spans: a
    creation-time window or ``delete_all``; non-administrators delete only their own rows).

    Raises:
        InvalidInput: no window and no ``delete_all``, or an empty window.
    """
    require(principal, Action.WRITE)
    start_time, end_time = query.start_time, query.end_time
    if not query.delete_all and (start_time is None or end_time is None):
        raise InvalidInput("Supply both start_time and end_time, or set delete_all=true")
    if start_time is not None and end_time is not None and start_time >= end_time:
        raise InvalidInput("start_time must be earlier than end_time")
    for value in (query.name, query.identifier):
        if value is not None:
            validate_text(value, "Filter value", MAX_NAME_LENGTH)
    project = await resolve_project(session, project_identifier, principal)
    owner = None if decide(principal, Action.ADMIN_WRITE) is None else principal.user_id
    deletion = AnnotationDeletion(
        project_id=project.id,
        name=query.name,
        identifier=query.identifier,
        annotator_kind=query.annotator_kind,
        start_time=start_time,
        end_time=end_time,
        user_id=owner,
    )
    return await store.delete_annotations(session, kind.target, deletion)
