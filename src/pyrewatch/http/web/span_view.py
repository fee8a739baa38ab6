"""View models of a trace page: the waterfall rows and the span panel's sections."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyrewatch.db.models import Span, SpanAnnotation
from pyrewatch.services.trace_details import SpanOutline

MIN_BAR_PERCENT = 0.3
LONG_TEXT = 2000


@dataclass(frozen=True)
class WaterfallRow:
    span_id: str
    name: str
    kind: str
    status: str
    depth: int
    left: float
    width: float
    latency_ms: float
    is_error: bool


def _ms(span: Span | SpanOutline) -> float:
    return (span.end_time - span.start_time).total_seconds() * 1000


def waterfall(spans: Sequence[SpanOutline]) -> list[WaterfallRow]:
    """The span tree in display order (depth first, siblings by start time), with bar offsets
    and widths as percentages of the trace's extent."""
    if not spans:
        return []
    ids = {s.span_id for s in spans}
    children: dict[str | None, list[SpanOutline]] = {}
    for span in spans:  # already ordered by start time
        parent = span.parent_id if span.parent_id in ids else None
        children.setdefault(parent, []).append(span)
    start = min(s.start_time for s in spans)
    total = max((max(s.end_time for s in spans) - start).total_seconds() * 1000, 1e-6)
    rows: list[WaterfallRow] = []
    stack = [(s, 0) for s in reversed(children.get(None, []))]
    while stack:
        span, depth = stack.pop()
        offset = (span.start_time - start).total_seconds() * 1000
        width = min(100.0, max(MIN_BAR_PERCENT, 100 * _ms(span) / total))
        left = max(0.0, min(100 * offset / total, 100.0 - width))
        rows.append(
            WaterfallRow(
                span_id=span.span_id,
                name=span.name,
                kind=span.span_kind,
                status=span.status_code,
                depth=min(depth, 40),
                left=round(left, 3),
                width=round(width, 3),
                latency_ms=_ms(span),
                is_error=span.status_code == "ERROR",
            )
        )
        stack.extend((child, depth + 1) for child in reversed(children.get(span.span_id, [])))
    return rows


def _dig(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _flatten(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(data, dict):
        items: list[tuple[str, str]] = []
        for key in sorted(data):
            items.extend(_flatten(data[key], f"{prefix}.{key}" if prefix else str(key)))
        return items
    if isinstance(data, list):
        if all(isinstance(v, str | int | float | bool) or v is None for v in data):
            return [(prefix, json.dumps(data, ensure_ascii=False))]
        items = []
        for i, value in enumerate(data):
            items.extend(_flatten(value, f"{prefix}.{i}"))
        return items
    return [(prefix, data if isinstance(data, str) else json.dumps(data, ensure_ascii=False))]


def _messages(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        return []
    messages = []
    for item in raw:
        message = item.get("message", item) if isinstance(item, dict) else {}
        if not isinstance(message, dict):
            continue
        calls = []
        for call in message.get("tool_calls") or []:
            function = _dig(call, "tool_call", "function") or {}
            calls.append({"name": function.get("name", ""), "arguments": function.get("arguments", "")})
        messages.append(
            {"role": str(message.get("role", "")), "content": message.get("content", ""), "tool_calls": calls}
        )
    return messages


def _documents(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        return []
    documents = []
    for item in raw:
        doc = item.get("document", item) if isinstance(item, dict) else {}
        if isinstance(doc, dict):
            documents.append({"id": doc.get("id", ""), "score": doc.get("score"), "content": doc.get("content", "")})
    return documents


def _io(attributes: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = _dig(attributes, key, "value")
    if value is None:
        return None
    return {"value": value, "mime_type": _dig(attributes, key, "mime_type") or "text/plain"}


def _events(span: Span) -> list[dict[str, Any]]:
    events = []
    for event in span.events or []:
        attributes = event.get("attributes") or {}
        flat = dict(_flatten(attributes))
        events.append(
            {
                "name": event.get("name", ""),
                "timestamp": event.get("timestamp", ""),
                "is_exception": event.get("name") == "exception",
                "exception_type": flat.get("exception.type", ""),
                "exception_message": flat.get("exception.message", ""),
                "stacktrace": flat.get("exception.stacktrace", ""),
                "attributes": sorted(flat.items()),
            }
        )
    return events


def panel(span: Span, annotations: Sequence[SpanAnnotation]) -> dict[str, Any]:
    """Everything the span panel shows, in sections."""
    attributes = span.attributes or {}
    prompt, completion = span.llm_token_count_prompt, span.llm_token_count_completion
    tool = _dig(attributes, "tool") if isinstance(_dig(attributes, "tool"), dict) else None
    return {
        "span": span,
        "latency_ms": _ms(span),
        "model": _dig(attributes, "llm", "model_name"),
        "tokens": None if prompt is None and completion is None else (prompt or 0, completion or 0),
        "input": _io(attributes, "input"),
        "output": _io(attributes, "output"),
        "input_messages": _messages(_dig(attributes, "llm", "input_messages")),
        "output_messages": _messages(_dig(attributes, "llm", "output_messages")),
        "documents": _documents(_dig(attributes, "retrieval", "documents")),
        "tool": tool,
        "attributes": _flatten(attributes),
        "events": _events(span),
        "notes": [a for a in annotations if a.name == "note"],
        "annotations": [a for a in annotations if a.name != "note"],
        "long_text": LONG_TEXT,
    }
