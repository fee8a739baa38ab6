"""The ``multipart/mixed`` span table of ``POST /v1/spans``, in pandas' JSON "table" orient.

The Phoenix client splits the body on the boundary, keeps parts with ``Content-Type:
application/json``, and hands the text after the first blank line to pandas'
``parse_table_schema``. Column names carry their position (``0_context.span_id``) because the
span id is both the index and a column; the client strips the prefix.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pyrewatch.db.models import Span
from pyrewatch.http.json_response import dumps
from pyrewatch.http.rest.v1.schemas.spans import event_json
from pyrewatch.services.span_frames import Frame

__all__ = ["BASE_COLUMNS", "frame_table_json", "multipart_tables", "span_table_json"]

# OpenInference attribute names: attribute trees are flattened down to these keys; anything
# else stays a nested object under its first unknown segment.
_SEMANTIC_KEYS = frozenset(
    (
        "agent.name",
        "annotations",
        "decision.model_name",
        "decision.provider",
        "decision.request.model_name",
        "decision.response.model_name",
        "decision.system",
        "decision.token_count.input",
        "decision.token_count.output",
        "embedding.embeddings",
        "embedding.invocation_parameters",
        "embedding.model_name",
        "evaluations",
        "graph.node.id",
        "graph.node.name",
        "graph.node.parent_id",
        "input.documents",
        "input.images",
        "input.mime_type",
        "input.value",
        "llm.choices",
        "llm.cost.completion",
        "llm.cost.completion_details",
        "llm.cost.completion_details.audio",
        "llm.cost.completion_details.output",
        "llm.cost.completion_details.reasoning",
        "llm.cost.prompt",
        "llm.cost.prompt_details",
        "llm.cost.prompt_details.audio",
        "llm.cost.prompt_details.cache_input",
        "llm.cost.prompt_details.cache_read",
        "llm.cost.prompt_details.cache_write",
        "llm.cost.prompt_details.input",
        "llm.cost.total",
        "llm.finish_reason",
        "llm.function_call",
        "llm.input_messages",
        "llm.invocation_parameters",
        "llm.model_name",
        "llm.output_messages",
        "llm.prompt_template.template",
        "llm.prompt_template.variables",
        "llm.prompt_template.version",
        "llm.prompts",
        "llm.provider",
        "llm.request.model_name",
        "llm.response.model_name",
        "llm.system",
        "llm.token_count.completion",
        "llm.token_count.completion_details.audio",
        "llm.token_count.completion_details.reasoning",
        "llm.token_count.prompt",
        "llm.token_count.prompt_details",
        "llm.token_count.prompt_details.audio",
        "llm.token_count.prompt_details.cache_input",
        "llm.token_count.prompt_details.cache_read",
        "llm.token_count.prompt_details.cache_write",
        "llm.token_count.total",
        "llm.tools",
        "metadata",
        "openinference.span.kind",
        "output.documents",
        "output.images",
        "output.mime_type",
        "output.value",
        "prompt.id",
        "prompt.url",
        "prompt.vendor",
        "retrieval.documents",
        "session.annotations",
        "session.evaluations",
        "session.id",
        "tag.tags",
        "tool.description",
        "tool.id",
        "tool.name",
        "tool.parameters",
        "trace.annotations",
        "trace.evaluations",
        "user.id",
    )
)
_SEMANTIC_PREFIXES = frozenset(
    ".".join(key.split(".")[:n]) for key in _SEMANTIC_KEYS for n in range(1, key.count(".") + 1)
)

BASE_COLUMNS = (
    "name",
    "span_kind",
    "parent_id",
    "start_time",
    "end_time",
    "status_code",
    "status_message",
    "events",
    "context.span_id",
    "context.trace_id",
)
_TIME_COLUMNS = frozenset({"start_time", "end_time"})


def semantic_attributes(value: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, item in value.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(item, dict) and path in _SEMANTIC_PREFIXES:
            yield from semantic_attributes(item, path)
        else:
            yield path, item


def _time(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f000Z")


def _row(span: Span, trace_id: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": span.name,
        "span_kind": span.span_kind,
        "parent_id": span.parent_id,
        "start_time": _time(span.start_time),
        "end_time": _time(span.end_time),
        "status_code": span.status_code,
        "status_message": span.status_message,
        "events": [event_json(e) for e in span.events or []],
        "context.span_id": span.span_id,
        "context.trace_id": trace_id,
    }
    if isinstance(span.attributes, dict):
        for key, value in semantic_attributes(span.attributes):
            row[f"attributes.{key}"] = value
    return row


def _field_type(values: list[Any]) -> str:
    """The table-schema type pandas will cast the column to; "any" keeps Python objects."""
    present = [v for v in values if v is not None]
    if not present:
        return "any"
    if all(isinstance(v, bool) for v in present):
        return "boolean" if len(present) == len(values) else "any"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present) and len(present) == len(values):
        return "integer"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "number" if all(math.isfinite(v) for v in present) else "any"
    if all(isinstance(v, str) for v in present):
        return "string"
    return "any"


def span_table_json(rows: list[tuple[Span, str]]) -> str:
    records = [_row(span, trace_id) for span, trace_id in rows]
    attribute_columns = sorted({key for record in records for key in record if key.startswith("attributes.")})
    columns = ["context.span_id", *BASE_COLUMNS, *attribute_columns]
    names = [f"{position}_{column}" for position, column in enumerate(columns)]
    fields = []
    for name, column in zip(names, columns, strict=True):
        if column in _TIME_COLUMNS:
            fields.append({"name": name, "type": "datetime", "tz": "UTC"})
        else:
            fields.append({"name": name, "type": _field_type([r.get(column) for r in records])})
    data = [{name: record.get(column) for name, column in zip(names, columns, strict=True)} for record in records]
    table = {"schema": {"fields": fields, "primaryKey": [names[0]], "pandas_version": "1.4.0"}, "data": data}
    return dumps(table)


def _table(columns: list[str], records: list[dict[str, Any]], index_size: int) -> str:
    """Pandas' table orient with position-prefixed names; datetime values get a datetime field."""
    names = [f"{position}_{column}" for position, column in enumerate(columns)]
    fields = []
    for name, column in zip(names, columns, strict=True):
        values = [r.get(column) for r in records]
        present = [v for v in values if v is not None]
        if present and all(isinstance(v, datetime) for v in present):
            fields.append({"name": name, "type": "datetime", "tz": "UTC"})
        else:
            fields.append({"name": name, "type": _field_type(values)})
    data = [
        {
            name: _time(v) if isinstance(v := record.get(column), datetime) else v
            for name, column in zip(names, columns, strict=True)
        }
        for record in records
    ]
    schema = {"fields": fields, "primaryKey": names[:index_size], "pandas_version": "1.4.0"}
    return dumps({"schema": schema, "data": data})


def frame_table_json(frame: Frame) -> str:
    """A projected frame (select, explode, concat) in the same table orient."""
    return _table([*frame.index, *frame.columns], frame.rows, len(frame.index))


def multipart_tables(tables: list[str]) -> tuple[bytes, str]:
    """The body and content type of a ``multipart/mixed`` answer with one JSON part per table."""
    boundary = secrets.token_hex(16)
    parts = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{table}\r\n" for table in tables]
    body = "".join(parts) + f"--{boundary}--\r\n"
    return body.encode(), f"multipart/mixed; boundary={boundary}"
