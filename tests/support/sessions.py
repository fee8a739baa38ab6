"""Conversations as an instrumented app sends them: one trace per turn, ``session.id`` on the root."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan

from tests.support.otlp import protobuf_body, recording

TURN_START = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def _ns(value: datetime) -> int:
    return int(value.timestamp() * 1_000_000_000)


def turns(
    session_id: str | None,
    questions: Sequence[str],
    *,
    project: str = "chat",
    user_id: str | None = None,
    start: datetime = TURN_START,
) -> list[ReadableSpan]:
    """One trace per question, a minute apart: a CHAIN root (with the session and the question
    and answer) and an LLM child with token counts."""
    with recording(project) as (tracer, exporter):
        for index, question in enumerate(questions):
            begin = start + timedelta(minutes=index)
            root = tracer.start_span("turn", start_time=_ns(begin))
            root.set_attribute("openinference.span.kind", "CHAIN")
            root.set_attribute("input.value", question)
            root.set_attribute("output.value", f"answer to {question}")
            if session_id is not None:
                root.set_attribute("session.id", session_id)
            if user_id is not None:
                root.set_attribute("user.id", user_id)
            with trace.use_span(root, end_on_exit=False):
                llm = tracer.start_span("llm", start_time=_ns(begin + timedelta(seconds=1)))
                llm.set_attribute("openinference.span.kind", "LLM")
                llm.set_attribute("llm.token_count.prompt", 10)
                llm.set_attribute("llm.token_count.completion", 4)
                llm.end(end_time=_ns(begin + timedelta(seconds=2)))
            root.end(end_time=_ns(begin + timedelta(seconds=3)))
        return list(exporter.get_finished_spans())


def export(client: TestClient, spans: Sequence[ReadableSpan], headers: dict[str, str] | None = None) -> None:
    response = client.post(
        "/v1/traces",
        content=protobuf_body(spans),
        headers={"Content-Type": "application/x-protobuf", **(headers or {})},
    )
    assert response.status_code == 200, response.text
