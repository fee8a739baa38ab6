"""The real Phoenix clients against a real server process: ``arize-phoenix-otel`` sends traces
over OTLP/HTTP and OTLP/gRPC with a system key, ``arize-phoenix-client`` reads them back."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from opentelemetry.trace import Status, StatusCode
from phoenix.client import Client
from phoenix.otel import register

from tests.support.constants import AUTH_ENV
from tests.support.http_auth import mint_system_key
from tests.support.server import ServerProcess


def _mint(server: ServerProcess) -> str:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        return mint_system_key(http, name="clients").token


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def export_errors() -> Iterator[list[str]]:
    handler = _Errors()
    logging.getLogger("opentelemetry").addHandler(handler)
    yield handler.messages
    logging.getLogger("opentelemetry").removeHandler(handler)


def _emit_trace(project: str, key: str | None, **register_kwargs: Any) -> str:
    """One trace of three spans (CHAIN root, LLM child with token counts, TOOL child); returns its id."""
    provider = register(
        project_name=project, api_key=key, set_global_tracer_provider=False, verbose=False, **register_kwargs
    )
    tracer = provider.get_tracer("pyrewatch-tests")
    with tracer.start_as_current_span("agent", attributes={"openinference.span.kind": "CHAIN"}) as root:
        root.set_attribute("input.value", "What is 2+2?")
        with tracer.start_as_current_span("llm", attributes={"openinference.span.kind": "LLM"}) as llm:
            llm.set_attribute("llm.model_name", "gpt-test")
            llm.set_attribute("llm.token_count.prompt", 12)
            llm.set_attribute("llm.token_count.completion", 8)
            llm.set_attribute("llm.token_count.total", 20)
            llm.set_attribute("output.value", "4")
        with tracer.start_as_current_span("calculator", attributes={"openinference.span.kind": "TOOL"}) as tool:
            tool.set_status(Status(StatusCode.ERROR, "division by zero"))
        trace_id = format(root.get_span_context().trace_id, "032x")
    provider.force_flush()
    provider.shutdown()
    return trace_id


def _read_back(server: ServerProcess, key: str | None, project: str, trace_id: str) -> None:
    client = Client(base_url=server.url, api_key=key)
    assert project in [p["name"] for p in client.projects.list()]
    project_id = client.projects.get(project_name=project)["id"]
    spans = client.spans.get_spans(project_identifier=project, trace_ids=[trace_id])
    by_name = {s["name"]: s for s in spans}
    assert set(by_name) == {"agent", "llm", "calculator"}
    llm = by_name["llm"]
    assert llm["span_kind"] == "LLM"
    assert llm["parent_id"] == by_name["agent"]["context"]["span_id"]
    assert llm["attributes"]["llm.token_count.prompt"] == 12
    assert by_name["calculator"]["status_code"] == "ERROR"
    frame = client.spans.get_spans_dataframe(
        project_identifier=project_id, start_time=datetime.now(UTC) - timedelta(minutes=5)
    )
    assert len(frame) == 3
    assert int(frame[frame["name"] == "llm"]["attributes.llm.token_count.prompt"].iloc[0]) == 12
    span_id = llm["context"]["span_id"]
    inserted = client.spans.add_span_annotation(
        span_id=span_id, annotation_name="correctness", label="correct", score=1.0, sync=True
    )
    assert inserted is not None and inserted["id"]
    annotations = client.spans.get_span_annotations(span_ids=[span_id], project_identifier=project)
    assert [(a["name"], a["result"]["label"], a["result"]["score"]) for a in annotations] == [
        ("correctness", "correct", 1.0)
    ]
    client.spans.add_span_note(span_id=span_id, note="checked by hand")


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_clients_round_trip_with_a_system_key(
    start_server: Callable[..., ServerProcess], protocol: str, export_errors: list[str]
) -> None:
    server = start_server(AUTH_ENV)
    key = _mint(server)
    project = f"clients-{uuid.uuid4().hex[:8]}"
    endpoint = f"{server.url}/v1/traces" if protocol == "http/protobuf" else f"http://{server.grpc_target}"
    trace_id = _emit_trace(project, key, endpoint=endpoint, protocol=protocol)
    assert export_errors == []
    _read_back(server, key, project, trace_id)


def test_clients_without_auth(start_server: Callable[..., ServerProcess], export_errors: list[str]) -> None:
    server = start_server()
    project = "open"
    trace_id = _emit_trace(project, None, endpoint=f"{server.url}/v1/traces", protocol="http/protobuf")
    assert export_errors == []
    _read_back(server, None, project, trace_id)


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_wrong_key_is_refused_on_export(
    start_server: Callable[..., ServerProcess], protocol: str, export_errors: list[str]
) -> None:
    server = start_server(AUTH_ENV)
    endpoint = f"{server.url}/v1/traces" if protocol == "http/protobuf" else f"http://{server.grpc_target}"
    _emit_trace("denied", "pwsk_" + "0" * 54, endpoint=endpoint, protocol=protocol)
    if protocol == "http/protobuf":
        # The HTTP exporter logs the 401; the gRPC one's logging varies between versions.
        assert any("401" in message for message in export_errors), export_errors
    client = Client(base_url=server.url, api_key=_mint(server))
    assert "denied" not in [p["name"] for p in client.projects.list()]
