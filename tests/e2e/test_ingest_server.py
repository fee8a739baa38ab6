"""OTLP ingest against a real ``pyrewatch serve`` process with auth on."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter
from opentelemetry.sdk.trace.export import SpanExportResult
from phoenix.otel import register

from tests.support.constants import AUTH_ENV
from tests.support.http_auth import mint_system_key
from tests.support.locks import write_lock_held
from tests.support.otlp import many_spans, protobuf_body, span_id_hex, stored_spans
from tests.support.server import ServerProcess

pytestmark = pytest.mark.e2e
StartServer = Callable[..., ServerProcess]


def _emit(provider: object, names: list[str]) -> None:
    tracer = provider.get_tracer("e2e")  # type: ignore[attr-defined]
    for name in names:
        with tracer.start_as_current_span(name, attributes={"openinference.span.kind": "CHAIN"}):
            pass
    assert provider.force_flush(10_000)  # type: ignore[attr-defined]
    provider.shutdown()  # type: ignore[attr-defined]


def test_phoenix_otel_register_exports_over_http_and_grpc_with_a_system_key(
    start_server: StartServer, database_env: dict[str, str]
) -> None:
    server = start_server(AUTH_ENV)
    with httpx.Client(base_url=server.url) as http:
        key = mint_system_key(http).token
    over_http = register(
        endpoint=f"{server.url}/v1/traces",
        project_name="e2e-http",
        api_key=key,
        set_global_tracer_provider=False,
        verbose=False,
    )
    _emit(over_http, ["h1", "h2"])
    over_grpc = register(
        endpoint=f"http://{server.grpc_target}",
        protocol="grpc",
        project_name="e2e-grpc",
        api_key=key,
        set_global_tracer_provider=False,
        verbose=False,
    )
    _emit(over_grpc, ["g1"])
    stored = stored_spans(database_env)
    by_project = sorted((row["project_name"], row["name"]) for row in stored.values())
    assert by_project == [("e2e-grpc", "g1"), ("e2e-http", "h1"), ("e2e-http", "h2")]


def test_plain_exporters_with_a_wrong_key_fail_and_store_nothing(
    start_server: StartServer, database_env: dict[str, str]
) -> None:
    server = start_server(AUTH_ENV)
    spans = many_spans(1)
    headers = {"authorization": "Bearer not-a-key"}
    http_exporter = HttpExporter(endpoint=f"{server.url}/v1/traces", headers=headers, timeout=5)
    grpc_exporter = GrpcExporter(endpoint=f"http://{server.grpc_target}", headers=headers, insecure=True, timeout=5)
    try:
        assert http_exporter.export(spans) is SpanExportResult.FAILURE
        assert grpc_exporter.export(spans) is SpanExportResult.FAILURE
    finally:
        http_exporter.shutdown()  # type: ignore[no-untyped-call]
        grpc_exporter.shutdown()
    assert stored_spans(database_env) == {}


def test_acknowledged_spans_survive_kill_9(start_server: StartServer, database_env: dict[str, str]) -> None:
    server = start_server(AUTH_ENV)
    with httpx.Client(base_url=server.url) as http:
        key = mint_system_key(http).token
        spans = many_spans(50, "durable")
        response = http.post(
            "/v1/traces",
            content=protobuf_body(spans),
            headers={"content-type": "application/x-protobuf", "authorization": f"Bearer {key}"},
        )
    assert response.status_code == 200
    assert server.process is not None
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    server.process = None
    server.start()
    assert set(stored_spans(database_env)) == {span_id_hex(s) for s in spans}


def test_shutdown_finishes_exports_already_received(start_server: StartServer, database_env: dict[str, str]) -> None:
    server = start_server(AUTH_ENV)
    spans = many_spans(20, "draining")
    with httpx.Client(base_url=server.url, timeout=30) as http:
        key = mint_system_key(http).token
        headers = {"content-type": "application/x-protobuf", "authorization": f"Bearer {key}"}
        sent = threading.Event()

        def body() -> Iterator[bytes]:
            yield protobuf_body(spans)
            sent.set()  # the whole request is on the wire

        with ThreadPoolExecutor(1) as pool:
            with write_lock_held(database_env):
                pending = pool.submit(http.post, "/v1/traces", content=body(), headers=headers)
                assert sent.wait(60)
                # A request on another connection is answered only after the server's loop has
                # read the export sent before it: the export is now in flight, waiting on the lock.
                assert httpx.get(f"{server.url}/healthz", timeout=60).status_code == 200
                assert server.process is not None
                server.process.send_signal(signal.SIGTERM)
                time.sleep(0.3)
            response = pending.result()
    assert response.status_code == 200
    # uvicorn re-raises SIGTERM after its graceful shutdown.
    assert server.process.wait(15) in (0, -signal.SIGTERM)
    server.process = None
    assert set(stored_spans(database_env)) == {span_id_hex(s) for s in spans}
