"""Spans as OTLP/JSON (``GET /v1/projects/{id}/spans/otlpv1``): ids in hex, times in Unix
nanoseconds, attributes as typed ``KeyValue`` lists, status codes as OTLP's integers."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from typing import Any

from pyrewatch.db.models import Span
from pyrewatch.http.rest.v1.schemas.spans import flatten

__all__ = ["otlp_span_json"]

_STATUS = {"UNSET": 0, "OK": 1, "ERROR": 2}


def _nanos(value: datetime) -> int:
    delta = value - datetime(1970, 1, 1, tzinfo=value.tzinfo)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def any_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"bool_value": value}
    if isinstance(value, int):
        return {"int_value": value}
    if isinstance(value, float):
        return {"double_value": value}
    if isinstance(value, str):
        return {"string_value": value}
    if isinstance(value, list):
        return {"array_value": {"values": [any_value(item) for item in value]}}
    return {"string_value": json.dumps(value, ensure_ascii=False, default=str)}


def _key_values(attributes: Any) -> list[dict[str, Any]]:
    if not isinstance(attributes, dict):
        return []
    return [{"key": key, "value": any_value(value)} for key, value in flatten(attributes)]


def _event(event: Any) -> dict[str, Any]:
    if not isinstance(event, dict):
        return {"name": str(event), "attributes": []}
    out: dict[str, Any] = {"name": str(event.get("name", "")), "attributes": _key_values(event.get("attributes"))}
    timestamp = event.get("timestamp")
    if isinstance(timestamp, str):
        with contextlib.suppress(ValueError):
            out["time_unix_nano"] = _nanos(datetime.fromisoformat(timestamp))
    return out


def otlp_span_json(span: Span, trace_id: str) -> dict[str, Any]:
    return {
        "trace_id": trace_id,
        "span_id": span.span_id,
        "parent_span_id": span.parent_id,
        "name": span.name,
        "kind": "SPAN_KIND_INTERNAL",
        "start_time_unix_nano": _nanos(span.start_time),
        "end_time_unix_nano": _nanos(span.end_time),
        "attributes": _key_values(span.attributes),
        "events": [_event(event) for event in span.events or []],
        "status": {"code": _STATUS.get(span.status_code, 0), "message": span.status_message},
    }
