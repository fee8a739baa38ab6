"""Span annotations and notes: upsert on (name, span, identifier), list per project."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyrewatch.auth.policy import Action, decide, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.models import SpanAnnotation
from pyrewatch.db.session import Session
from pyrewatch.errors import BadRequest, InvalidInput, NotFound
from pyrewatch.services.annotation_configs import check_annotations
from pyrewatch.services.projects import require_project_reach, resolve_project, validate_text
from pyrewatch.store import annotations as store
from pyrewatch.store import spans as span_store
from pyrewatch.store.annotations import AnnotationDeletion, AnnotationFilter, AnnotationValues

__all__ = [
    "NOTE_NAME",
    "AnnotationDeletionQuery",
    "AnnotationInput",
    "AnnotationQuery",
    "add_span_note",
    "annotate_spans",
    "delete_span_annotations",
    "list_span_annotations",
    "validate_annotation",
]

NOTE_NAME = "note"
NOTE_IDENTIFIER_PREFIX = "px-span-note:"
MAX_NAME_LENGTH = 255
MAX_TEXT_LENGTH = 100_000
MAX_SPAN_IDS = 1000


@dataclass(frozen=True)
class AnnotationInput:
    span_id: str
    name: str
    annotator_kind: str
    label: str | None = None
    score: float | None = None
    explanation: str | None = None
    metadata: dict[str, Any] | None = None
    identifier: str = ""


@dataclass(frozen=True)
class AnnotationQuery:
    """Which of a project's span annotations a caller asks for, as received (validated by
    ``list_span_annotations``)."""

    span_ids: Sequence[str] = ()
    identifiers: Sequence[str] = ()
    include_names: Sequence[str] = ()
    exclude_names: Sequence[str] = ()


@dataclass(frozen=True)
class AnnotationDeletionQuery:
    """Which of a project's span annotations a caller asks to delete, as received (validated by
    ``delete_span_annotations``)."""

    name: str | None = None
    identifier: str | None = None
    annotator_kind: str | None = None
    start_time: datetime | None = None  # inclusive, on created_at
    end_time: datetime | None = None  # exclusive, on created_at
    delete_all: bool = False


def _check_json(value: Any, depth: int = 0) -> None:
    """Metadata must be storable as JSON by every dialect: finite numbers, no NUL, bounded depth."""
    if depth > 32:
        raise InvalidInput("Metadata is nested too deeply")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput("Metadata numbers must be finite")
    if isinstance(value, str) and "\x00" in value:
        raise InvalidInput("Metadata must not contain NUL characters")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_json(key, depth + 1)
            _check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1)


def _validate(item: AnnotationInput) -> None:
    validate_text(item.span_id, "span_id", 64)
    validate_annotation(item)


def validate_annotation(item: AnnotationInput) -> None:
    """Refuse annotation fields no column can hold (the target id is checked by the caller)."""
    if not item.name:
        raise InvalidInput("Annotation name cannot be empty")
    validate_text(item.name, "Annotation name", MAX_NAME_LENGTH)
    validate_text(item.identifier, "Identifier", MAX_NAME_LENGTH)
    for text, what in ((item.label, "Label"), (item.explanation, "Explanation")):
        if text is not None:
            validate_text(text, what, MAX_TEXT_LENGTH)
    if item.score is not None and not math.isfinite(item.score):
        raise InvalidInput("Score must be a finite number")
    _check_json(item.metadata or {})


async def annotate_spans(
    session: Session, principal: Principal, items: Sequence[AnnotationInput], *, sync: bool
) -> list[int]:
    """Upsert annotations; return their ids in request order.

    With ``sync`` every span must exist (404 otherwise). Without it, annotations of spans that
    are not stored are skipped: an acknowledged export is already stored, so there is nothing
    to wait for.

    Raises:
        BadRequest: the reserved name ``note``.
        NotFound: ``sync`` and some spans do not exist.
    """
    require(principal, Action.WRITE)
    if any(item.name == NOTE_NAME for item in items):
        raise BadRequest("The name 'note' is reserved for trace and span notes. Use POST /v1/span_notes instead.")
    for item in items:
        _validate(item)
    await check_annotations(session, [(item.name, item.label, item.score) for item in items])
    spans = await span_store.spans_by_span_ids(session, [item.span_id for item in items])
    missing = sorted({item.span_id for item in items} - spans.keys())
    if missing and sync:
        raise NotFound(f"Spans with IDs {', '.join(missing)} do not exist.")
    await require_project_reach(session, principal, [span.project_id for span in spans.values()])
    ids = []
    for item in items:
        span = spans.get(item.span_id)
        if span is None:
            continue
        values = AnnotationValues(
            span_rowid=span.id,
            name=item.name,
            annotator_kind=item.annotator_kind,
            label=item.label,
            score=item.score,
            explanation=item.explanation,
            metadata=item.metadata or {},
            identifier=item.identifier,
            source="API",
            user_id=principal.user_id,
        )
        ids.append(await store.upsert_span_annotation(session, values))
    return ids


async def add_span_note(
    session: Session, principal: Principal, *, span_id: str, note: str, identifier: str = ""
) -> int:
    """Add a note (a HUMAN annotation named ``note``); a non-empty identifier makes it an upsert."""
    require(principal, Action.WRITE)
    validate_text(span_id, "span_id", 64)
    validate_text(note, "Note", MAX_TEXT_LENGTH)
    validate_text(identifier, "Identifier", MAX_NAME_LENGTH)
    span = await span_store.find_span_by_span_id(session, span_id)
    if span is None:
        raise NotFound(f"Span with ID {span_id} not found")
    await require_project_reach(session, principal, [span.project_id])
    values = AnnotationValues(
        span_rowid=span.id,
        name=NOTE_NAME,
        annotator_kind="HUMAN",
        label=None,
        score=None,
        explanation=note,
        metadata={},
        identifier=identifier or f"{NOTE_IDENTIFIER_PREFIX}{uuid.uuid4()}",
        source="API",
        user_id=principal.user_id,
    )
    return await store.upsert_span_annotation(session, values)


async def list_span_annotations(
    session: Session,
    principal: Principal,
    project_identifier: str,
    query: AnnotationQuery,
    *,
    limit: int,
    cursor: int | None,
) -> tuple[list[tuple[SpanAnnotation, str]], int | None]:
    """One page of a project's span annotations, newest first, and the id starting the next page.

    Raises:
        InvalidInput: neither span ids nor identifiers, or too many span ids.
        NotFound: span ids were given and none of them is in the project.
    """
    require(principal, Action.READ)
    span_ids = query.span_ids
    if not span_ids and not query.identifiers:
        raise InvalidInput("At least one of span_ids or identifier must be supplied")
    if len(span_ids) > MAX_SPAN_IDS:
        raise InvalidInput(f"Too many span_ids supplied: {len(span_ids)} (max {MAX_SPAN_IDS})")
    for values in (span_ids, query.identifiers, query.include_names, query.exclude_names):
        for value in values:
            validate_text(value, "Filter value", MAX_TEXT_LENGTH)
    project = await resolve_project(session, project_identifier, principal)
    span_rowids = None
    if span_ids:
        spans = await span_store.spans_by_span_ids(session, span_ids, project_id=project.id)
        if not spans:
            raise NotFound("None of the supplied span_ids exist in this project")
        span_rowids = [span.id for span in spans.values()]
    annotation_filter = AnnotationFilter(
        project_id=project.id,
        span_rowids=span_rowids,
        identifiers=query.identifiers,
        include_names=query.include_names,
        exclude_names=query.exclude_names,
    )
    rows = await store.list_span_annotations(session, annotation_filter, limit=limit, cursor=cursor)
    next_cursor = rows[limit][0].id if len(rows) > limit else None
    return rows[:limit], next_cursor


async def delete_span_annotations(
    session: Session, principal: Principal, project_identifier: str, query: AnnotationDeletionQuery
) -> int:
    """Hard-delete a project's span annotations matching the filters.

    The request must be bounded by a ``[start_time, end_time)`` window on creation time or say
    ``delete_all``. Callers without project-administration rights delete only their own rows.

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
    return await store.delete_span_annotations(session, deletion)
