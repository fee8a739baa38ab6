"""OTLP transport edge cases: project names REST could not address, multi-member gzip, clients
that disconnect mid-upload. HTTP and gRPC, on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import logging
from collections.abc import Iterator, MutableMapping
from typing import Any

import grpc
import pytest
from fastapi.testclient import TestClient
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from pyrewatch.ids import encode_global_id
from tests.conftest import ClientFactory
from tests.integration.otlp.helpers import PROTOBUF, export_of, post_protobuf, read_back, spans_of
from tests.support.apps import app_state, in_app
from tests.support.otlp import query, stored_spans

EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
GLOBAL_ID_NAME = encode_global_id("Project", 1)


def _project_names(env: dict[str, str]) -> set[str]:
    return {row["name"] for row in query(env, "SELECT name FROM projects")}


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("a/b", "Project name cannot contain '/', '?' or '#'"),
        (GLOBAL_ID_NAME, "Project name cannot be a project GlobalID"),
        ("  ", "Project name cannot be empty"),
        ("p" * 256, "Project name must be at most 255 characters"),
    ],
    ids=["slash", "global-id", "blank", "long"],
)
def test_header_project_name_that_rest_could_not_address_is_a_400(
    client: TestClient, database_env: dict[str, str], name: str, rule: str
) -> None:
    response = post_protobuf(client, export_of(2, "resource"), **{"x-project-name": name})
    assert (response.status_code, response.text) == (400, f"Invalid x-project-name header: {rule}")
    assert stored_spans(database_env) == {}
    assert name not in _project_names(database_env)


@pytest.mark.parametrize("name", ["a/b", "what?", GLOBAL_ID_NAME], ids=["slash", "question", "global-id"])
def test_resource_project_name_that_rest_could_not_address_rejects_only_its_spans(
    client: TestClient, database_env: dict[str, str], name: str
) -> None:
    request = export_of(2, name)
    request.resource_spans.extend(export_of(1, "addressable").resource_spans)
    response = post_protobuf(client, request)
    assert response.status_code == 200
    answer = ExportTraceServiceResponse.FromString(response.content)
    assert answer.partial_success.rejected_spans == 2
    assert answer.partial_success.error_message.startswith("project name refused: Project name cannot")
    assert len(read_back(client, "addressable")) == 1
    assert len(stored_spans(database_env)) == 1
    assert name not in _project_names(database_env)


@pytest.fixture
def channel(client: TestClient) -> Iterator[grpc.Channel]:
    port = app_state(client).grpc_port
    with grpc.insecure_channel(f"127.0.0.1:{port}") as chan:
        yield chan


def test_grpc_resource_project_name_that_rest_could_not_address_is_rejected(
    client: TestClient, channel: grpc.Channel, database_env: dict[str, str]
) -> None:
    request = export_of(3, "x#y")
    request.resource_spans.extend(export_of(1, GLOBAL_ID_NAME).resource_spans)
    request.resource_spans.extend(export_of(2, "grpc-fine").resource_spans)
    call = channel.unary_unary(EXPORT, request_serializer=None, response_deserializer=None)
    answer = ExportTraceServiceResponse.FromString(call(request.SerializeToString(), timeout=30))
    assert answer.partial_success.rejected_spans == 4
    assert "Project name cannot contain '/', '?' or '#'" in answer.partial_success.error_message
    assert "Project name cannot be a project GlobalID" in answer.partial_success.error_message
    assert len(read_back(client, "grpc-fine")) == 2
    assert _project_names(database_env) & {"x#y", GLOBAL_ID_NAME} == set()


def test_gzip_body_of_two_members_is_accepted(client: TestClient, database_env: dict[str, str]) -> None:
    request = export_of(4, "two-members")
    body = request.SerializeToString()
    middle = len(body) // 2
    two = gzip.compress(body[:middle]) + gzip.compress(body[middle:])
    response = client.post("/v1/traces", content=two, headers={**PROTOBUF, "content-encoding": "gzip"})
    assert response.status_code == 200, response.text
    assert set(stored_spans(database_env)) == {span.span_id.hex() for span in spans_of(request)}


def test_gzip_members_are_limited_together_and_must_all_be_gzip(make_client: ClientFactory) -> None:
    client = make_client({"PYREWATCH_MAX_REQUEST_BODY_BYTES": "4096"})
    gzip_headers = {**PROTOBUF, "content-encoding": "gzip"}
    # Each member inflates to less than the limit; together they exceed it.
    members = gzip.compress(b"\x00" * 3000) + gzip.compress(b"\x00" * 3000)
    assert client.post("/v1/traces", content=members, headers=gzip_headers).status_code == 413
    trailing = gzip.compress(export_of(1, "t").SerializeToString()) + b"garbage"
    response = client.post("/v1/traces", content=trailing, headers=gzip_headers)
    assert (response.status_code, response.text) == (400, "Request body is not valid gzip data")


def test_client_disconnecting_mid_upload_is_one_info_line(
    client: TestClient, database_env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    body = export_of(3, "gone").SerializeToString()
    incoming: list[dict[str, Any]] = [
        {"type": "http.request", "body": body[:10], "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/traces",
        "raw_path": b"/v1/traces",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/x-protobuf")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }

    async def run() -> None:
        await client.app(scope, receive, send)

    assert client.portal is not None
    with caplog.at_level(logging.DEBUG):
        in_app(client, run)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    lines = [r for r in caplog.records if "disconnected" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.INFO and lines[0].exc_info is None
    assert stored_spans(database_env) == {}
