"""``node(id:)`` resolves spans and traces."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from pyrewatch.ids import encode_global_id
from tests.support.otlp import llm_trace, span_id_hex, trace_id_hex
from tests.support.sessions import export

SPAN = """query ($id: ID!) { node(id: $id) { id ... on Span {
  name spanKind statusCode statusMessage latencyMs parentId spanId context { traceId spanId }
  attributes tokenCountPrompt cumulativeTokenCountTotal } } }"""
TRACE = """query ($id: ID!) { node(id: $id) { id ... on Trace {
  traceId projectId numSpans latencyMs rootSpan { name } spansByStartTime { name } } } }"""


def _node(client: TestClient, query: str, global_id: str) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": {"id": global_id}})
    body: dict[str, Any] = response.json()
    return body


def test_node_resolves_spans_and_traces(client: TestClient) -> None:
    spans = llm_trace("p", error=True)
    export(client, spans)
    llm = next(s for s in spans if s.name == "llm")
    listed = client.get("/v1/projects/p/spans", params={"span_id": [span_id_hex(llm)]}).json()["data"][0]
    node = _node(client, SPAN, listed["id"])["data"]["node"]
    assert node["name"] == "llm"
    assert (node["spanKind"], node["statusCode"], node["statusMessage"]) == ("llm", "ERROR", "boom")
    assert node["context"] == {"traceId": trace_id_hex(llm), "spanId": span_id_hex(llm)}
    assert json.loads(node["attributes"])["llm"]["token_count"]["prompt"] == 7
    assert (node["tokenCountPrompt"], node["cumulativeTokenCountTotal"]) == (7, 12)
    trace_gid = client.get("/v1/projects/p/traces").json()["data"][0]["id"]
    trace = _node(client, TRACE, trace_gid)["data"]["node"]
    assert trace["traceId"] == trace_id_hex(llm)
    assert trace["projectId"] == encode_global_id("Project", 2)
    assert trace["numSpans"] == 2
    assert trace["rootSpan"] == {"name": "chain"}
    assert [s["name"] for s in trace["spansByStartTime"]] == ["chain", "llm"]


def test_unknown_spans_and_traces_are_errors_not_faults(client: TestClient) -> None:
    for type_name in ("Span", "Trace"):
        body = _node(client, SPAN if type_name == "Span" else TRACE, encode_global_id(type_name, 999_999))
        assert body["data"] is None
        assert body["errors"][0]["message"] == f"Unknown {type_name}: {encode_global_id(type_name, 999_999)}"
        huge = _node(client, SPAN, encode_global_id(type_name, 2**40))
        assert "Unknown" in huge["errors"][0]["message"]
