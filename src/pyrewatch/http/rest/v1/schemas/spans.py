"""Wire models for spans, named like Phoenix's OpenAPI components, and the span JSON."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from pyrewatch.clock import isoformat
from pyrewatch.db.models import Span as SpanRow
from pyrewatch.ids import encode_global_id

SPAN_KIND_ATTRIBUTE = "openinference.span.kind"


class SpanContext(BaseModel):
    trace_id: str
    span_id: str


class SpanEvent(BaseModel):
    name: str
    timestamp: datetime
    attributes: dict[str, Any] = Field(default_factory=dict)


class Span(BaseModel):
    id: str = ""
    name: str
    context: SpanContext
    span_kind: str
    parent_id: str | None = None
    start_time: datetime
    end_time: datetime
    status_code: str
    status_message: str = ""
    attributes: dict[str, Any] = Field(default_factory=dict)
    events: list[SpanEvent] = Field(default_factory=list)


class SpansResponseBody(BaseModel):
    data: list[Span]
    next_cursor: str | None


def flatten(value: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Nested attributes as dotted keys; lists of objects get numeric segments, other lists stay."""
    for key, item in value.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(item, dict) and item:
            yield from flatten(item, path)
        elif isinstance(item, list) and item and all(isinstance(i, dict) for i in item):
            for index, element in enumerate(item):
                yield from flatten(element, f"{path}.{index}")
        else:
            yield path, item


def event_json(event: Any) -> dict[str, Any]:
    if not isinstance(event, dict):
        return {"name": str(event), "timestamp": None, "attributes": {}}
    timestamp = event.get("timestamp")
    if isinstance(timestamp, datetime):
        timestamp = isoformat(timestamp)
    attributes = event.get("attributes")
    return {
        "name": str(event.get("name", "")),
        "timestamp": timestamp,
        "attributes": dict(flatten(attributes)) if isinstance(attributes, dict) else {},
    }


def span_kind_of(span: SpanRow) -> str:
    """The raw ``openinference.span.kind`` value when the span has one (as Phoenix echoes it)."""
    attributes = span.attributes if isinstance(span.attributes, dict) else {}
    raw = attributes.get("openinference", {})
    raw = raw.get("span", {}) if isinstance(raw, dict) else {}
    kind = raw.get("kind") if isinstance(raw, dict) else None
    return kind if isinstance(kind, str) and kind else span.span_kind


def span_json(span: SpanRow, trace_id: str) -> dict[str, Any]:
    attributes = dict(flatten(span.attributes)) if isinstance(span.attributes, dict) else {}
    attributes.pop(SPAN_KIND_ATTRIBUTE, None)
    return {
        "id": encode_global_id("Span", span.id),
        "name": span.name,
        "context": {"trace_id": trace_id, "span_id": span.span_id},
        "span_kind": span_kind_of(span),
        "parent_id": span.parent_id,
        "start_time": isoformat(span.start_time),
        "end_time": isoformat(span.end_time),
        "status_code": span.status_code,
        "status_message": span.status_message,
        "attributes": attributes,
        "events": [event_json(e) for e in span.events or []],
    }


class CreateSpansRequestBody(BaseModel):
    data: list[Span] = Field(max_length=10_000)


class CreateSpansResponseBody(BaseModel):
    total_received: int
    total_queued: int


class SpanQueryBody(BaseModel):
    """One query of ``POST /v1/spans``. Only the empty query (every column) is supported."""

    select: dict[str, Any] | None = None
    filter: dict[str, Any] | None = None
    explode: dict[str, Any] | None = None
    concat: dict[str, Any] | None = None
    rename: dict[str, Any] | None = None
    index: dict[str, Any] | None = None


class QuerySpansRequestBody(BaseModel):
    queries: list[SpanQueryBody] = Field(max_length=100)
    start_time: datetime | None = None
    end_time: datetime | None = None
    stop_time: datetime | None = None  # deprecated alias of end_time
    limit: int = Field(default=1000, gt=0)
    root_spans_only: bool | None = None
    orphan_span_as_root_span: bool = True
    project_name: str | None = None  # deprecated: use the project_name query parameter
