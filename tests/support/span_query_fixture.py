"""The span query fixture: two traces, a RAG chain and a failing LLM call, stored through OTLP,
with span annotations written through REST. Returns span ids by role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode, Tracer

from tests.support.otlp import recording, span_id_hex
from tests.support.sessions import export

PROJECT = "qfix"
START = datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC)


def _ns(value: datetime) -> int:
    return int(value.timestamp() * 1_000_000_000)


def _span(tracer: Tracer, name: str, offset_ms: int, attributes: dict[str, Any], parent: Any = None) -> Any:
    begin = START + timedelta(milliseconds=offset_ms)
    context = trace.set_span_in_context(parent) if parent is not None else None
    span = tracer.start_span(name, context=context, start_time=_ns(begin), attributes=attributes)
    span.end(end_time=_ns(begin + timedelta(milliseconds=100 + offset_ms)))
    return span


def seed(client: TestClient) -> dict[str, str]:
    with recording(PROJECT) as (tracer, exporter):
        question = "What is Phoenix?"
        a_chain = tracer.start_span("qa-chain", start_time=_ns(START))
        for key, value in {
            "openinference.span.kind": "CHAIN",
            "input.value": question,
            "output.value": "An observability tool",
            "metadata": '{"user": "alice", "tier": 2}',
        }.items():
            a_chain.set_attribute(key, value)
        docs = {
            "retrieval.documents.0.document.id": "d1",
            "retrieval.documents.0.document.content": "Phoenix is open source",
            "retrieval.documents.0.document.score": 0.9,
            "retrieval.documents.1.document.id": "d2",
            "retrieval.documents.1.document.content": "It traces LLM apps",
            "retrieval.documents.1.document.score": 0.4,
        }
        a_retr = _span(
            tracer, "retrieve", 10, {"openinference.span.kind": "RETRIEVER", "input.value": question, **docs}, a_chain
        )
        llm = {"openinference.span.kind": "LLM", "llm.model_name": "gpt-4o"}
        tokens = {"llm.token_count.prompt": 10, "llm.token_count.completion": 5, "llm.token_count.total": 15}
        a_llm = _span(tracer, "llm-call", 20, {**llm, **tokens}, a_chain)
        a_chain.end(end_time=_ns(START + timedelta(seconds=2)))
        b_start = START + timedelta(minutes=1)
        b_chain = tracer.start_span("qa-chain", start_time=_ns(b_start))
        b_chain.set_attribute("openinference.span.kind", "CHAIN")
        b_chain.set_attribute("metadata", '{"user": "bob", "tier": 1}')
        b_llm = tracer.start_span(
            "llm-call",
            context=trace.set_span_in_context(b_chain),
            start_time=_ns(b_start + timedelta(milliseconds=5)),
            attributes={
                "openinference.span.kind": "LLM",
                "llm.model_name": "gpt-4o-mini",
                "llm.token_count.prompt": 20,
                "llm.token_count.total": 20,
            },
        )
        b_llm.set_status(Status(StatusCode.ERROR, "boom"))
        b_llm.end(end_time=_ns(b_start + timedelta(milliseconds=50)))
        b_chain.end(end_time=_ns(b_start + timedelta(seconds=1)))
        export(client, list(exporter.get_finished_spans()))
    ids = {
        "A_chain": span_id_hex(a_chain),
        "A_retr": span_id_hex(a_retr),
        "A_llm": span_id_hex(a_llm),
        "B_chain": span_id_hex(b_chain),
        "B_llm": span_id_hex(b_llm),
    }
    annotations = [
        {
            "span_id": ids["A_llm"],
            "name": "correctness",
            "annotator_kind": "LLM",
            "result": {"label": "incorrect", "score": 0, "explanation": "wrong"},
        },
        {
            "span_id": ids["B_chain"],
            "name": "correctness",
            "annotator_kind": "LLM",
            "result": {"label": "correct", "score": 1.0},
        },
    ]
    response = client.post("/v1/span_annotations?sync=true", json={"data": annotations})
    assert response.status_code == 200, response.text
    return ids
