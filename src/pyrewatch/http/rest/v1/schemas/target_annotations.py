"""Wire models for trace, session and document annotations and notes (Phoenix's component names)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from pyrewatch.clock import isoformat
from pyrewatch.http.rest.v1.schemas.annotations import MAX_ANNOTATIONS_PER_REQUEST, AnnotationResult, AnnotatorKind
from pyrewatch.ids import encode_global_id


class _AnnotationData(BaseModel):
    name: str
    annotator_kind: AnnotatorKind
    result: AnnotationResult | None = None
    metadata: dict[str, Any] | None = None
    identifier: str = ""


class TraceAnnotationData(_AnnotationData):
    trace_id: str


class SessionAnnotationData(_AnnotationData):
    session_id: str


class SpanDocumentAnnotationData(_AnnotationData):
    span_id: str
    document_position: int


class AnnotateTracesRequestBody(BaseModel):
    data: list[TraceAnnotationData] = Field(max_length=MAX_ANNOTATIONS_PER_REQUEST)


class AnnotateSessionsRequestBody(BaseModel):
    data: list[SessionAnnotationData] = Field(max_length=MAX_ANNOTATIONS_PER_REQUEST)


class AnnotateSpanDocumentsRequestBody(BaseModel):
    data: list[SpanDocumentAnnotationData] = Field(max_length=MAX_ANNOTATIONS_PER_REQUEST)


class InsertedAnnotation(BaseModel):
    id: str


class InsertedAnnotationsResponseBody(BaseModel):
    data: list[InsertedAnnotation]


class TraceNoteData(BaseModel):
    trace_id: str = Field(min_length=1)
    note: str = Field(min_length=1)
    identifier: str = ""


class SessionNoteData(BaseModel):
    session_id: str = Field(min_length=1)
    note: str = Field(min_length=1)
    identifier: str = ""


class CreateTraceNoteRequestBody(BaseModel):
    data: TraceNoteData


class CreateSessionNoteRequestBody(BaseModel):
    data: SessionNoteData


class CreateNoteResponseBody(BaseModel):
    data: InsertedAnnotation


class _StoredAnnotation(_AnnotationData):
    id: str
    created_at: datetime
    updated_at: datetime
    source: Literal["API", "APP"]
    user_id: str | None


class TraceAnnotation(_StoredAnnotation):
    trace_id: str


class SessionAnnotation(_StoredAnnotation):
    session_id: str


class TraceAnnotationsResponseBody(BaseModel):
    data: list[TraceAnnotation]
    next_cursor: str | None


class SessionAnnotationsResponseBody(BaseModel):
    data: list[SessionAnnotation]
    next_cursor: str | None


def annotation_json(row: Any, type_name: str, id_field: str, target_id: str) -> dict[str, Any]:
    return {
        "id": encode_global_id(type_name, row.id),
        id_field: target_id,
        "name": row.name,
        "annotator_kind": row.annotator_kind,
        "result": {"label": row.label, "score": row.score, "explanation": row.explanation},
        "metadata": row.metadata_,
        "identifier": row.identifier,
        "source": row.source,
        "user_id": None if row.user_id is None else encode_global_id("User", row.user_id),
        "created_at": isoformat(row.created_at),
        "updated_at": isoformat(row.updated_at),
    }
