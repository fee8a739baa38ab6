"""OTLP/JSON export of a project's spans (re-importable over OTLP) and moving traces between projects."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from phoenix.client import Client

from tests.support.otlp import llm_trace, span_id_hex, trace_id_hex
from tests.support.sessions import TURN_START, export, turns

pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout' argument")


def test_otlp_export_carries_ids_times_attributes_and_status(client: TestClient) -> None:
    spans = llm_trace("src", error=True)
    export(client, spans)
    body = client.get("/v1/projects/src/spans/otlpv1").json()
    assert body["next_cursor"] is None
    by_id = {span["span_id"]: span for span in body["data"]}
    llm = next(s for s in spans if s.name == "llm")
    exported = by_id[span_id_hex(llm)]
    assert exported["trace_id"] == trace_id_hex(llm)
    # Stored to the microsecond, as Phoenix stores them.
    assert llm.start_time is not None and llm.end_time is not None
    assert exported["start_time_unix_nano"] % 1000 == 0
    assert abs(exported["start_time_unix_nano"] - llm.start_time) <= 1000
    assert abs(exported["end_time_unix_nano"] - llm.end_time) <= 1000
    assert exported["status"] == {"code": 2, "message": "boom"}
    values = {kv["key"]: kv["value"] for kv in exported["attributes"]}
    assert values["llm.token_count.prompt"] == {"int_value": 7}
    assert values["openinference.span.kind"] == {"string_value": "llm"}
    assert values["llm.input_messages.0.message.role"] == {"string_value": "user"}
    page = client.get("/v1/projects/src/spans/otlpv1", params={"limit": 1})
    assert len(page.json()["data"]) == 1
    assert page.json()["next_cursor"] is not None
    assert client.get("/v1/projects/absent/spans/otlpv1").status_code == 404


def test_exported_spans_reimport_over_otlp_json(client: TestClient) -> None:
    export(client, llm_trace("src"))
    exported = client.get("/v1/projects/src/spans/otlpv1").json()["data"]
    client.delete("/v1/projects/src")
    document = {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "openinference.project.name", "value": {"stringValue": "copy"}}]},
                "scopeSpans": [{"spans": [_camel(span) for span in exported]}],
            }
        ]
    }
    response = client.post("/v1/traces", content=json.dumps(document), headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    spans = Client(http_client=client).spans.get_spans(project_identifier="copy")
    assert {s["name"]: s["span_kind"] for s in spans} == {"chain": "CHAIN", "llm": "llm"}


def _camel(span: dict[str, object]) -> dict[str, object]:
    def value(v: dict[str, object]) -> dict[str, object]:
        key, inner = next(iter(v.items()))
        if key == "array_value":
            assert isinstance(inner, dict)
            return {"arrayValue": {"values": [value(x) for x in inner["values"]]}}
        camel = {"string_value": "stringValue", "int_value": "intValue", "double_value": "doubleValue"}
        return {camel.get(key, "boolValue"): inner}

    attributes = span["attributes"]
    assert isinstance(attributes, list)
    out = {
        "traceId": span["trace_id"],
        "spanId": span["span_id"],
        "name": span["name"],
        "startTimeUnixNano": str(span["start_time_unix_nano"]),
        "endTimeUnixNano": str(span["end_time_unix_nano"]),
        "attributes": [{"key": kv["key"], "value": value(kv["value"])} for kv in attributes],
        "status": span["status"],
    }
    if span["parent_span_id"]:
        out["parentSpanId"] = span["parent_span_id"]
    return out


def test_transfer_moves_traces_spans_annotations_and_whole_sessions(client: TestClient) -> None:
    moved = turns("conv", ["q1", "q2"], project="a")
    export(client, moved)
    export(client, turns("other", ["q3"], project="a", start=TURN_START + timedelta(hours=1)))
    client.post("/v1/projects", json={"name": "b"})
    roots = [s for s in moved if s.name == "turn"]
    client.post(
        "/v1/span_annotations?sync=true",
        json={
            "data": [
                {"span_id": span_id_hex(roots[0]), "name": "q", "annotator_kind": "HUMAN", "result": {"label": "x"}}
            ]
        },
    )
    trace_ids = [trace_id_hex(s) for s in roots]
    response = client.post(
        "/v1/traces/transfer", json={"trace_identifiers": trace_ids, "destination_project_identifier": "b"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["transferred_trace_count"] == 2
    phoenix = Client(http_client=client)
    assert {t["trace_id"] for t in phoenix.traces.get_traces(project_identifier="b")} == set(trace_ids)
    assert len(phoenix.traces.get_traces(project_identifier="a")) == 1
    assert len(phoenix.spans.get_spans(project_identifier="b")) == 4
    annotations = client.get("/v1/projects/b/span_annotations", params={"span_ids": [span_id_hex(roots[0])]})
    assert [a["name"] for a in annotations.json()["data"]] == ["q"]
    assert [s["session_id"] for s in phoenix.sessions.list(project_name="b")] == ["conv"]
    assert [s["session_id"] for s in phoenix.sessions.list(project_name="a")] == ["other"]


def test_transfer_refusals(client: TestClient) -> None:
    export(client, turns("s1", ["q"], project="a"))
    export(client, turns("s2", ["q"], project="c", start=TURN_START + timedelta(hours=1)))
    a_trace = client.get("/v1/projects/a/traces").json()["data"][0]["id"]
    c_trace = client.get("/v1/projects/c/traces").json()["data"][0]["trace_id"]

    def transfer(ids: list[str], destination: str = "default") -> int:
        body = {"trace_identifiers": ids, "destination_project_identifier": destination}
        status: int = client.post("/v1/traces/transfer", json=body).status_code
        return status

    assert transfer([a_trace, c_trace]) == 422
    assert transfer([]) == 422
    assert transfer(["0" * 32]) == 404
    assert transfer([a_trace], "absent") == 404
    assert transfer([a_trace]) == 200
