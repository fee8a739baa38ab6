"""Spans given as Phoenix's REST ``Span`` JSON (``POST /v1/projects/{id}/spans``) → ``SpanRecord``.

Pure, like ``decode``: the same OpenInference interpretation as OTLP ingest applies to the
(flat, dotted) attributes. A span that cannot be stored is reported with the reason, never
stored in part.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyrewatch.clock import ensure_utc
from pyrewatch.ingest.attributes import interpret
from pyrewatch.ingest.clean import clean_json, clean_text
from pyrewatch.ingest.decode import SpanRecord

__all__ = ["InvalidSpan", "RestSpan", "records_from_rest"]

_TRACE_ID = re.compile(r"[0-9a-f]{32}")
_SPAN_ID = re.compile(r"[0-9a-f]{16}")
_STATUS_CODES = frozenset({"OK", "ERROR", "UNSET"})
_SPAN_KIND = "openinference.span.kind"


@dataclass(frozen=True)
class RestSpan:
    """The fields of a REST ``Span`` (already type-checked by the route's schema)."""

    name: str
    trace_id: str
    span_id: str
    span_kind: str
    parent_id: str | None
    start_time: datetime
    end_time: datetime
    status_code: str
    status_message: str
    attributes: Mapping[str, Any]
    events: Sequence[tuple[str, datetime, Mapping[str, Any]]]


@dataclass(frozen=True)
class InvalidSpan:
    span_id: str
    trace_id: str
    error: str


def _problem(span: RestSpan) -> str | None:
    if not _TRACE_ID.fullmatch(span.trace_id) or set(span.trace_id) == {"0"}:
        return "trace_id must be 32 lowercase hex characters, not all zero"
    if not _SPAN_ID.fullmatch(span.span_id) or set(span.span_id) == {"0"}:
        return "span_id must be 16 lowercase hex characters, not all zero"
    if span.parent_id is not None and not _SPAN_ID.fullmatch(span.parent_id):
        return "parent_id must be 16 lowercase hex characters or null"
    if span.status_code not in _STATUS_CODES:
        return "status_code must be OK, ERROR or UNSET"
    if span.end_time < span.start_time:
        return "end_time must not be earlier than start_time"
    return None


def records_from_rest(project_name: str, spans: Sequence[RestSpan]) -> tuple[list[SpanRecord], list[InvalidSpan]]:
    """The storable spans and, separately, the ones that are not (with why)."""
    records: list[SpanRecord] = []
    invalid: list[InvalidSpan] = []
    for span in spans:
        try:
            start, end = ensure_utc(span.start_time), ensure_utc(span.end_time)
        except (OverflowError, ValueError):
            invalid.append(InvalidSpan(span.span_id, span.trace_id, "timestamp out of range"))
            continue
        problem = _problem(span)
        if problem is not None:
            invalid.append(InvalidSpan(span.span_id, span.trace_id, problem))
            continue
        flat = dict(span.attributes)
        flat.setdefault(_SPAN_KIND, span.span_kind)
        # Cleaned after interpretation, as OTLP spans are: text inside parsed JSON strings too.
        interpreted = interpret(flat)
        events = [
            {
                "name": clean_text(name),
                "timestamp": ensure_utc(at).isoformat(),
                "attributes": clean_json(dict(attributes)),
            }
            for name, at, attributes in span.events
        ]
        records.append(
            SpanRecord(
                project_name=project_name,
                trace_id=span.trace_id,
                span_id=span.span_id,
                parent_id=span.parent_id,
                name=clean_text(span.name),
                span_kind=interpreted.span_kind,
                start_time=start,
                end_time=end,
                attributes=clean_json(interpreted.attributes),
                events=events,
                status_code=span.status_code,
                status_message=clean_text(span.status_message),
                llm_token_count_prompt=interpreted.token_count_prompt,
                llm_token_count_completion=interpreted.token_count_completion,
            )
        )
    return records, invalid
