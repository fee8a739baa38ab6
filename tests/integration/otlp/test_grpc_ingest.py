"""gRPC ``TraceService/Export`` of an in-process app, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from fastapi.testclient import TestClient
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from tests.conftest import ClientFactory
from tests.support.actors import make_actor
from tests.support.apps import app_state
from tests.support.constants import ADMIN_SECRET, AUTH_ENV
from tests.support.http_auth import mint_system_key
from tests.support.otlp import llm_trace, many_spans, protobuf_body, span_id_hex, stored_spans

EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"


@pytest.fixture
def auth_client(make_client: ClientFactory) -> TestClient:
    return make_client(AUTH_ENV)


@pytest.fixture
def channel(auth_client: TestClient) -> Iterator[grpc.Channel]:
    port = app_state(auth_client).grpc_port
    with grpc.insecure_channel(f"127.0.0.1:{port}") as chan:
        yield chan


def _export(channel: grpc.Channel, body: bytes, key: str | None) -> bytes:
    call = channel.unary_unary(EXPORT, request_serializer=None, response_deserializer=None)
    metadata = (("authorization", f"Bearer {key}"),) if key else None
    result: bytes = call(body, metadata=metadata, timeout=10)
    return result


def test_grpc_export_with_a_system_key_is_stored(
    auth_client: TestClient, channel: grpc.Channel, database_env: dict[str, str]
) -> None:
    spans = llm_trace("grpc-project")
    reply = _export(channel, protobuf_body(spans), mint_system_key(auth_client).token)
    assert ExportTraceServiceResponse.FromString(reply) == ExportTraceServiceResponse()
    stored = stored_spans(database_env)
    assert {span_id_hex(s) for s in spans} == set(stored)
    assert {row["project_name"] for row in stored.values()} == {"grpc-project"}


def test_grpc_accepts_the_admin_secret(channel: grpc.Channel, database_env: dict[str, str]) -> None:
    _export(channel, protobuf_body(many_spans(1)), ADMIN_SECRET)
    assert len(stored_spans(database_env)) == 1


@pytest.mark.parametrize("key", [None, "wrong", "pwsk_" + "b" * 40], ids=["missing", "wrong", "fake-key"])
def test_grpc_without_a_valid_key_is_unauthenticated(
    channel: grpc.Channel, database_env: dict[str, str], key: str | None
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        _export(channel, protobuf_body(many_spans(1)), key)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert stored_spans(database_env) == {}


def test_grpc_basic_scheme_is_unauthenticated(channel: grpc.Channel) -> None:
    call = channel.unary_unary(EXPORT, request_serializer=None, response_deserializer=None)
    with pytest.raises(grpc.RpcError) as caught:
        call(protobuf_body(many_spans(1)), metadata=(("authorization", f"Basic {ADMIN_SECRET}"),), timeout=10)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_grpc_viewer_is_permission_denied(
    auth_client: TestClient, channel: grpc.Channel, database_env: dict[str, str]
) -> None:
    key = make_actor(auth_client, "VIEWER", via="key").token
    with pytest.raises(grpc.RpcError) as caught:
        _export(channel, protobuf_body(many_spans(1)), key)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert stored_spans(database_env) == {}


def test_grpc_undecodable_message_is_invalid_argument(auth_client: TestClient, channel: grpc.Channel) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        _export(channel, b"\xff\xff\xff", mint_system_key(auth_client).token)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_grpc_ignores_no_project_header_and_uses_the_resource(
    auth_client: TestClient, channel: grpc.Channel, database_env: dict[str, str]
) -> None:
    call = channel.unary_unary(EXPORT, request_serializer=None, response_deserializer=None)
    key = mint_system_key(auth_client).token
    call(
        protobuf_body(many_spans(1, "from-resource")),
        metadata=(("authorization", f"Bearer {key}"), ("x-project-name", "from-header")),
        timeout=10,
    )
    (row,) = stored_spans(database_env).values()
    assert row["project_name"] == "from-resource"
