"""Wire models for span annotations and notes, named like Phoenix's OpenAPI components."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from pyrewatch.clock import isoformat
from pyrewatch.db.models import SpanAnnotation as SpanAnnotationRow
from pyrewatch.ids import encode_global_id

AnnotatorKind = Literal["LLM", "CODE", "HUMAN"]
# One request carries at most this many annotations (the Phoenix client sends chunks of 100).
MAX_ANNOTATIONS_PER_REQUEST = 10_000


class AnnotationResult(BaseModel):
    label: str | None = None
    score: float | None = Field(default=None, allow_inf_nan=False)
    explanation: str | None = None


class SpanAnnotationData(BaseModel):
    name: str
    annotator_kind: AnnotatorKind
    result: AnnotationResult | None = None
    metadata: dict[str, Any] | None = None
    identifier: str = ""
    span_id: str


class AnnotateSpansRequestBody(BaseModel):
    data: list[SpanAnnotationData] = Field(max_length=MAX_ANNOTATIONS_PER_REQUEST)


class InsertedSpanAnnotation(BaseModel):
    id: str


class AnnotateSpansResponseBody(BaseModel):
    data: list[InsertedSpanAnnotation]


class SpanAnnotation(SpanAnnotationData):
    id: str
    created_at: datetime
    updated_at: datetime
    source: Literal["API", "APP"]
    user_id: str | None


class SpanAnnotationsResponseBody(BaseModel):
    data: list[SpanAnnotation]
    next_cursor: str | None


class SpanNoteData(BaseModel):
    span_id: str = Field(min_length=1)
    note: str = Field(min_length=1)
    identifier: str = ""


class CreateSpanNoteRequestBody(BaseModel):
    data: SpanNoteData


class CreateSpanNoteResponseBody(BaseModel):
    data: InsertedSpanAnnotation


def span_annotation_json(row: SpanAnnotationRow, span_id: str) -> dict[str, Any]:
    return {
        "id": encode_global_id("SpanAnnotation", row.id),
        "span_id": span_id,
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
