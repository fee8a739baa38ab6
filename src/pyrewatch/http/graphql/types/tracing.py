"""``Span`` and ``Trace`` nodes, with Phoenix's field names (a subset)."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry

from pyrewatch.db.models import Span as SpanRow
from pyrewatch.http.graphql.types.node import Node
from pyrewatch.ids import encode_global_id
from pyrewatch.services.traces import TraceView


@strawberry.type
class SpanContext:
    trace_id: strawberry.ID
    span_id: strawberry.ID


@strawberry.type
class Span(Node):
    name: str
    span_kind: str
    status_code: str
    status_message: str
    start_time: datetime
    end_time: datetime
    latency_ms: float
    parent_id: strawberry.ID | None
    span_id: strawberry.ID
    context: SpanContext
    # The attributes as a JSON document (nested), as Phoenix serves them.
    attributes: str
    token_count_prompt: int | None
    token_count_completion: int | None
    cumulative_token_count_prompt: int
    cumulative_token_count_completion: int
    cumulative_token_count_total: int

    @classmethod
    def from_row(cls, row: SpanRow, trace_id: str) -> Span:
        return cls(
            id=strawberry.ID(encode_global_id("Span", row.id)),
            name=row.name,
            span_kind=row.span_kind.lower(),
            status_code=row.status_code,
            status_message=row.status_message,
            start_time=row.start_time,
            end_time=row.end_time,
            latency_ms=(row.end_time - row.start_time).total_seconds() * 1000.0,
            parent_id=strawberry.ID(row.parent_id) if row.parent_id else None,
            span_id=strawberry.ID(row.span_id),
            context=SpanContext(trace_id=strawberry.ID(trace_id), span_id=strawberry.ID(row.span_id)),
            attributes=json.dumps(row.attributes, ensure_ascii=False, default=str),
            token_count_prompt=row.llm_token_count_prompt,
            token_count_completion=row.llm_token_count_completion,
            cumulative_token_count_prompt=row.cumulative_llm_token_count_prompt,
            cumulative_token_count_completion=row.cumulative_llm_token_count_completion,
            cumulative_token_count_total=row.cumulative_llm_token_count_prompt
            + row.cumulative_llm_token_count_completion,
        )


@strawberry.type
class Trace(Node):
    trace_id: strawberry.ID
    project_id: strawberry.ID
    start_time: datetime
    end_time: datetime
    latency_ms: float
    num_spans: int
    root_span: Span | None
    # Pyrewatch addition: every span of the trace, by start time.
    spans_by_start_time: list[Span]

    @classmethod
    def from_view(cls, view: TraceView) -> Trace:
        row = view.trace
        spans = [Span.from_row(span, row.trace_id) for span in view.spans or []]
        root = next((s for s in spans if s.parent_id is None), None)
        return cls(
            id=strawberry.ID(encode_global_id("Trace", row.id)),
            trace_id=strawberry.ID(row.trace_id),
            project_id=strawberry.ID(encode_global_id("Project", row.project_id)),
            start_time=row.start_time,
            end_time=row.end_time,
            latency_ms=view.latency_ms,
            num_spans=len(spans),
            root_span=root,
            spans_by_start_time=spans,
        )
