"""OTLP payloads made by the real OpenTelemetry SDK and its exporters' encoder, and direct
database reads to check what an export stored."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from google.protobuf import json_format
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Span, Status, StatusCode, Tracer
from sqlalchemy import text

from pyrewatch.db.engine import make_engine
from pyrewatch.settings import load_settings


@contextmanager
def recording(project: str | None = None) -> Iterator[tuple[Tracer, InMemorySpanExporter]]:
    """A tracer whose finished spans are kept in memory (resource names ``project`` if given)."""
    exporter = InMemorySpanExporter()
    attributes = {"openinference.project.name": project} if project else {}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    try:
        yield provider.get_tracer("pyrewatch-tests"), exporter
    finally:
        provider.shutdown()


def llm_trace(
    project: str | None = None, *, error: bool = False, prompt: int = 7, completion: int = 5
) -> list[ReadableSpan]:
    """A chain span with one LLM child: the usual shape of an instrumented call."""
    with recording(project) as (tracer, exporter):
        with (
            tracer.start_as_current_span("chain", attributes={"openinference.span.kind": "CHAIN", "input.value": "hi"}),
            tracer.start_as_current_span("llm") as llm,
        ):
            llm.set_attribute("openinference.span.kind", "llm")
            llm.set_attribute("llm.token_count.prompt", prompt)
            llm.set_attribute("llm.token_count.completion", str(completion))
            llm.set_attribute("llm.input_messages.0.message.role", "user")
            llm.set_attribute("llm.input_messages.0.message.content", "hello")
            llm.set_attribute("metadata", json.dumps({"k": "v"}))
            if error:
                llm.set_status(Status(StatusCode.ERROR, "boom"))
        return list(exporter.get_finished_spans())


def many_spans(count: int, project: str | None = None, attribute_bytes: int = 0) -> list[ReadableSpan]:
    """``count`` root spans (each its own trace)."""
    with recording(project) as (tracer, exporter):
        for index in range(count):
            with tracer.start_as_current_span(f"span-{index}") as span:
                span.set_attribute("openinference.span.kind", "TOOL")
                if attribute_bytes:
                    span.set_attribute("input.value", "x" * attribute_bytes)
        return list(exporter.get_finished_spans())


def protobuf_body(spans: Sequence[ReadableSpan]) -> bytes:
    data: bytes = encode_spans(spans).SerializeToString()
    return data


def json_body(spans: Sequence[ReadableSpan]) -> bytes:
    """OTLP/JSON as the specification writes it: hex ids, lowerCamelCase keys."""
    document = json_format.MessageToDict(encode_spans(spans))
    for resource_spans in document.get("resourceSpans", []):
        for scope_spans in resource_spans.get("scopeSpans", []):
            for span in scope_spans.get("spans", []):
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in span:
                        span[key] = base64.b64decode(span[key]).hex()
    return json.dumps(document).encode()


def span_id_hex(span: ReadableSpan | Span) -> str:
    # A finished SDK span, or one still in hand.
    context = span.get_span_context() if isinstance(span, Span) else span.context
    assert context is not None
    return format(context.span_id, "016x")


def trace_id_hex(span: ReadableSpan) -> str:
    assert span.context is not None
    return format(span.context.trace_id, "032x")


def query(env: Mapping[str, str], sql: str, **params: Any) -> list[dict[str, Any]]:
    """Run one SQL query on the database ``env`` points at (a separate connection)."""
    settings = load_settings(dict(env))

    async def run() -> list[dict[str, Any]]:
        engine = make_engine(settings.database_url, settings.database_schema)
        try:
            async with engine.connect() as conn:
                result = await conn.execute(text(sql), params)
                return [dict(row._mapping) for row in result]
        finally:
            await engine.dispose()

    return asyncio.run(run())


def stored_spans(env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Every stored span by span id, with its project name and trace id."""
    rows = query(
        env,
        "SELECT s.*, p.name AS project_name, t.trace_id AS trace_id, t.start_time AS trace_start,"
        " t.end_time AS trace_end FROM spans s JOIN traces t ON t.id = s.trace_rowid"
        " JOIN projects p ON p.id = s.project_id",
    )
    for row in rows:
        for key in ("attributes", "events"):
            if isinstance(row[key], str):
                row[key] = json.loads(row[key])
    return {row["span_id"]: row for row in rows}
