"""Wire models for traces, named like Phoenix's OpenAPI components."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from pyrewatch.clock import isoformat
from pyrewatch.db.models import Span
from pyrewatch.ids import encode_global_id
from pyrewatch.services.traces import TraceView


class TraceSpanData(BaseModel):
    id: str
    span_id: str
    parent_id: str | None
    name: str
    span_kind: str
    status_code: str
    start_time: datetime
    end_time: datetime


class TraceData(BaseModel):
    id: str
    trace_id: str
    project_id: str
    start_time: datetime
    end_time: datetime
    token_count_prompt: int = 0
    token_count_completion: int = 0
    token_count_total: int = 0
    spans: list[TraceSpanData] | None = None


class GetTracesResponseBody(BaseModel):
    data: list[TraceData]
    next_cursor: str | None


class TransferTracesRequestBody(BaseModel):
    trace_identifiers: list[str] = Field(min_length=1)
    destination_project_identifier: str


class TransferTracesData(BaseModel):
    transferred_trace_count: int
    destination_project_id: str


class TransferTracesResponseBody(BaseModel):
    data: TransferTracesData


def _trace_span_json(span: Span) -> dict[str, Any]:
    return {
        "id": encode_global_id("Span", span.id),
        "span_id": span.span_id,
        "parent_id": span.parent_id,
        "name": span.name,
        "span_kind": span.span_kind,
        "status_code": span.status_code,
        "start_time": isoformat(span.start_time),
        "end_time": isoformat(span.end_time),
    }


def trace_json(view: TraceView) -> dict[str, Any]:
    trace = view.trace
    return {
        "id": encode_global_id("Trace", trace.id),
        "trace_id": trace.trace_id,
        "project_id": encode_global_id("Project", trace.project_id),
        "start_time": isoformat(trace.start_time),
        "end_time": isoformat(trace.end_time),
        "token_count_prompt": view.tokens.prompt,
        "token_count_completion": view.tokens.completion,
        "token_count_total": view.tokens.prompt + view.tokens.completion,
        "spans": None if view.spans is None else [_trace_span_json(s) for s in view.spans],
    }
