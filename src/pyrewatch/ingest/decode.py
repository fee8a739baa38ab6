"""OTLP trace exports (protobuf or OTLP/JSON) → ``SpanRecord`` values. Pure: no I/O.

The interpretation follows OpenInference as Phoenix applies it: ``gen_ai.*`` attributes fill in
missing OpenInference ones, token counts become integers, JSON-string metadata becomes objects,
dotted keys are unflattened into nested JSON, ``openinference.span.kind`` picks the span kind.
Spans that cannot be stored (malformed ids, impossible timestamps) are counted as rejected and
reported through ``partial_success``; they never fail the other spans of the request.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from pyrewatch.errors import BadRequest, InvalidInput
from pyrewatch.ingest.attributes import interpret
from pyrewatch.ingest.clean import clean_json, clean_text

__all__ = [
    "DEFAULT_PROJECT",
    "DecodedExport",
    "SpanRecord",
    "decode_export",
    "encode_response",
    "parse_json",
    "parse_protobuf",
]

DEFAULT_PROJECT = "default"
PROJECT_ATTRIBUTE = "openinference.project.name"
INVALID_PROTOBUF = "Request body is invalid ExportTraceServiceRequest"
_STATUS = {0: "UNSET", 1: "OK", 2: "ERROR"}
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_ID_FIELDS = ("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id")


@dataclass(frozen=True, slots=True)
class SpanRecord:
    """One span ready to store. Ids are lowercase hex; times are aware UTC datetimes."""

    project_name: str
    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    span_kind: str
    start_time: datetime
    end_time: datetime
    attributes: dict[str, Any]
    events: list[dict[str, Any]]
    status_code: str
    status_message: str
    llm_token_count_prompt: int | None
    llm_token_count_completion: int | None


@dataclass
class DecodedExport:
    """The storable spans of one export request and why others were rejected."""

    spans: list[SpanRecord] = field(default_factory=list)
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)

    def reject(self, count: int, reason: str) -> None:
        self.rejected += count
        if reason not in self.reasons:
            self.reasons.append(reason)


def parse_protobuf(body: bytes) -> ExportTraceServiceRequest:
    """Parse a binary ``ExportTraceServiceRequest``.

    Raises:
        InvalidInput: the bytes are not a valid message (Phoenix answers 422 with this text).
    """
    request = ExportTraceServiceRequest()
    try:
        request.ParseFromString(body)
    except (DecodeError, RecursionError, ValueError):
        raise InvalidInput(INVALID_PROTOBUF) from None
    return request


def parse_json(body: bytes) -> ExportTraceServiceRequest:
    """Parse an OTLP/JSON ``ExportTraceServiceRequest`` (hex ids, lowerCamelCase or snake_case keys).

    Raises:
        BadRequest: not UTF-8 JSON, or not the shape of the message.
    """
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("Request body is not valid JSON") from None
    if not isinstance(document, dict):
        raise BadRequest("Request body must be a JSON object (ExportTraceServiceRequest)")
    try:
        if b"\xed" in body or _SURROGATE_ESCAPE.search(body):
            # A lone surrogate ("\ud800", or its bytes, which the JSON parser lets through) is
            # valid JSON but no protobuf string: replace it.
            document = _without_lone_surrogates(document)
        _hex_ids_to_base64(document)
        request = ExportTraceServiceRequest()
        json_format.ParseDict(document, request, ignore_unknown_fields=True)
    except (json_format.ParseError, ValueError, TypeError, RecursionError) as exc:
        raise BadRequest(f"Request body is invalid ExportTraceServiceRequest: {_first_line(exc)}") from None
    return request


def _without_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    return value


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _hex_ids_to_base64(document: dict[str, Any]) -> None:
    """OTLP/JSON encodes ids as hex, protobuf JSON mapping expects base64: convert in place."""
    for resource_spans in _items(document, "resourceSpans", "resource_spans"):
        for scope_spans in _items(resource_spans, "scopeSpans", "scope_spans"):
            for span in _items(scope_spans, "spans"):
                _convert_ids(span)
                for link in _items(span, "links"):
                    _convert_ids(link)


def _items(node: Any, *keys: str) -> list[Any]:
    if not isinstance(node, dict):
        raise ValueError("expected an object")
    for key in keys:
        value = node.get(key)
        if value is not None:
            if not isinstance(value, list):
                raise ValueError(f"{key} must be an array")
            return value
    return []


def _convert_ids(node: Any) -> None:
    if not isinstance(node, dict):
        raise ValueError("a span must be an object")
    for key in _ID_FIELDS:
        value = node.get(key)
        if isinstance(value, str):
            try:
                node[key] = base64.b64encode(bytes.fromhex(value)).decode()
            except ValueError:
                raise ValueError(f"{key} must be hex") from None


def decode_export(
    request: ExportTraceServiceRequest,
    project_override: str | None = None,
    check_project_name: Callable[[str], object] | None = None,
) -> DecodedExport:
    """Turn a parsed request into span records.

    Args:
        request: the parsed export.
        project_override: the ``x-project-name`` header (HTTP only); it wins over the resource.
        check_project_name: the project-name rule; raises ``InvalidInput`` for a name it refuses.
            The spans of a refused resource are rejected with its message.
    """
    out = DecodedExport()
    for resource_spans in request.resource_spans:
        count = sum(len(scope.spans) for scope in resource_spans.scope_spans)
        project = project_override or _resource_project(resource_spans.resource.attributes)
        refusal = _project_refusal(project, check_project_name)
        if refusal is not None:
            out.reject(count, refusal)
            continue
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                _decode_span(span, project, out)
    return out


def _project_refusal(name: str, check: Callable[[str], object] | None) -> str | None:
    try:
        if check is not None:
            check(name)
    except InvalidInput as exc:
        return f"project name refused: {exc.message}"
    if clean_text(name) != name:
        return "project name refused: Project name must be valid Unicode text without NUL characters"
    return None


def _resource_project(attributes: Any) -> str:
    for kv in attributes:
        if kv.key == PROJECT_ATTRIBUTE and kv.value.WhichOneof("value") == "string_value" and kv.value.string_value:
            return str(kv.value.string_value)
    return DEFAULT_PROJECT


def _decode_span(span: Any, project: str, out: DecodedExport) -> None:
    trace_id, span_id = bytes(span.trace_id), bytes(span.span_id)
    if len(trace_id) != 16 or not any(trace_id):
        out.reject(1, "invalid trace_id (must be 16 bytes, not all zero)")
        return
    if len(span_id) != 8 or not any(span_id):
        out.reject(1, "invalid span_id (must be 8 bytes, not all zero)")
        return
    parent = bytes(span.parent_span_id)
    if parent and len(parent) != 8:
        out.reject(1, "invalid parent_span_id (must be empty or 8 bytes)")
        return
    try:
        start_time = _time(span.start_time_unix_nano)
        end_time = _time(span.end_time_unix_nano)
        events = [_event(event) for event in span.events]
    except (OverflowError, ValueError, OSError):
        out.reject(1, "timestamp out of range")
        return
    interpreted = interpret(attributes_to_dict(span.attributes))
    out.spans.append(
        SpanRecord(
            project_name=project,
            trace_id=trace_id.hex(),
            span_id=span_id.hex(),
            parent_id=parent.hex() if parent and any(parent) else None,
            name=clean_text(span.name),
            span_kind=interpreted.span_kind,
            start_time=start_time,
            end_time=end_time,
            attributes=clean_json(interpreted.attributes),
            events=events,
            status_code=_STATUS.get(span.status.code, "UNSET"),
            status_message=clean_text(span.status.message),
            llm_token_count_prompt=interpreted.token_count_prompt,
            llm_token_count_completion=interpreted.token_count_completion,
        )
    )


def _time(unix_nano: int) -> datetime:
    return datetime.fromtimestamp(unix_nano / 1e9, tz=UTC)


def _event(event: Any) -> dict[str, Any]:
    return {
        "name": clean_text(event.name),
        "timestamp": _time(event.time_unix_nano).isoformat(),
        "attributes": clean_json(attributes_to_dict(event.attributes)),
    }


def attributes_to_dict(attributes: Any) -> dict[str, Any]:
    """OTLP ``KeyValue`` list → flat dict (later keys win, as in the SDK). Not yet cleaned."""
    return {str(kv.key): any_value(kv.value) for kv in attributes}


def any_value(value: Any, depth: int = 0) -> Any:
    """An OTLP ``AnyValue`` as a JSON value. Non-finite doubles become strings (JSON has none)."""
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return str(value.string_value)
    if kind == "bool_value":
        return bool(value.bool_value)
    if kind == "int_value":
        return int(value.int_value)
    if kind == "double_value":
        number = float(value.double_value)
        return number if math.isfinite(number) else str(number)
    if depth > 32:
        return None
    if kind == "array_value":
        return [any_value(item, depth + 1) for item in value.array_value.values]
    if kind == "kvlist_value":
        return {str(kv.key): any_value(kv.value, depth + 1) for kv in value.kvlist_value.values}
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode()
    return None


def encode_response(rejected: int, message: str, *, as_json: bool) -> bytes:
    """An ``ExportTraceServiceResponse``: empty on full success, else ``partial_success``."""
    response = ExportTraceServiceResponse()
    if rejected or message:
        response.partial_success.rejected_spans = rejected
        response.partial_success.error_message = message
    if as_json:
        text: str = json_format.MessageToJson(response, indent=None)
        return text.encode()
    data: bytes = response.SerializeToString()
    return data
