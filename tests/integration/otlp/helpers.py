"""Shared steps of the hostile-input ingest tests: build exports, post them, read spans back."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
from fastapi.testclient import TestClient
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from tests.support.otlp import many_spans, protobuf_body

PROTOBUF = {"content-type": "application/x-protobuf"}


def export_of(count: int, project: str) -> ExportTraceServiceRequest:
    """An export of ``count`` root spans made by the OpenTelemetry SDK, all in ``project``."""
    request: ExportTraceServiceRequest = ExportTraceServiceRequest.FromString(protobuf_body(many_spans(count, project)))
    return request


def spans_of(request: ExportTraceServiceRequest) -> list[Span]:
    return [span for rs in request.resource_spans for ss in rs.scope_spans for span in ss.spans]


def set_string(span: Span, key: str, value: str) -> None:
    attribute = span.attributes.add()
    attribute.key = key
    attribute.value.string_value = value


def post_protobuf(client: TestClient, request: ExportTraceServiceRequest, **headers: str) -> httpx.Response:
    response: httpx.Response = client.post(
        "/v1/traces", content=request.SerializeToString(), headers={**PROTOBUF, **headers}
    )
    return response


def read_back(client: TestClient, project: str) -> dict[str, dict[str, Any]]:
    """Every span of ``project`` by span id, read through both REST span reads (which must answer 200)."""
    listed = client.get(f"/v1/projects/{quote(project, safe='')}/spans", params={"limit": 1000})
    assert listed.status_code == 200, listed.text[:500]
    table = client.post("/v1/spans", json={"queries": [{}], "project_name": project, "limit": 1000})
    assert table.status_code == 200, table.text[:500]
    table.content.decode()  # valid UTF-8
    return {span["context"]["span_id"]: span for span in listed.json()["data"]}
