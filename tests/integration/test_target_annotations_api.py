"""Trace, session and document annotations and notes, and log_spans, through the real client."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from phoenix.client import Client
from phoenix.client.exceptions import SpanCreationError

from tests.support.otlp import span_id_hex, trace_id_hex
from tests.support.sessions import export, turns

pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout' argument")


@pytest.fixture
def phoenix(client: TestClient) -> Client:
    return Client(http_client=client)


def _trace_id(client: TestClient) -> str:
    spans = turns("conv", ["q"])
    export(client, spans)
    return trace_id_hex(spans[0])


def test_trace_annotations_upsert_on_identifier_and_list(client: TestClient, phoenix: Client) -> None:
    trace_id = _trace_id(client)
    first = phoenix.traces.add_trace_annotation(
        trace_id=trace_id, annotation_name="quality", label="good", score=1.0, identifier="run-1", sync=True
    )
    again = phoenix.traces.add_trace_annotation(
        trace_id=trace_id, annotation_name="quality", label="bad", score=0.0, identifier="run-1", sync=True
    )
    other = phoenix.traces.add_trace_annotation(
        trace_id=trace_id, annotation_name="quality", label="ok", identifier="run-2", sync=True
    )
    assert first is not None and again is not None and other is not None
    assert first["id"] == again["id"] != other["id"]
    body = client.get("/v1/projects/chat/trace_annotations", params={"trace_ids": [trace_id], "limit": 1}).json()
    assert body["data"][0]["result"]["label"] == "ok"
    assert body["data"][0]["trace_id"] == trace_id
    rest = client.get(
        "/v1/projects/chat/trace_annotations",
        params={"trace_ids": [trace_id], "cursor": body["next_cursor"]},
    ).json()
    assert [a["result"] for a in rest["data"]] == [{"label": "bad", "score": 0.0, "explanation": None}]
    frame = pd.DataFrame({"trace_id": [trace_id], "label": ["from-frame"]})
    phoenix.traces.log_trace_annotations_dataframe(dataframe=frame, annotation_name="frame", annotator_kind="CODE")
    names = client.get("/v1/projects/chat/trace_annotations", params={"trace_ids": [trace_id]}).json()
    assert {a["name"] for a in names["data"]} == {"quality", "frame"}


def test_trace_annotation_errors(client: TestClient, phoenix: Client) -> None:
    trace_id = _trace_id(client)
    missing = "f" * 32
    response = client.post("/v1/trace_annotations?sync=true", json={"data": [_item("trace_id", missing)]})
    assert (response.status_code, response.text) == (404, f"Traces with IDs {missing} do not exist.")
    assert client.post("/v1/trace_annotations", json={"data": [_item("trace_id", missing)]}).json() == {"data": []}
    note = client.post("/v1/trace_annotations", json={"data": [{**_item("trace_id", trace_id), "name": "note"}]})
    assert note.status_code == 400
    assert "/v1/trace_notes" in note.text
    no_filter = client.get("/v1/projects/chat/trace_annotations")
    assert no_filter.status_code == 422
    unknown = client.get("/v1/projects/chat/trace_annotations", params={"trace_ids": [missing]})
    assert (unknown.status_code, unknown.text) == (404, "None of the supplied trace_ids exist in this project")
    nan = client.post(
        "/v1/trace_annotations",
        content=b'{"data":[{"name":"n","annotator_kind":"HUMAN","trace_id":"x","result":{"score":NaN}}]}',
        headers={"Content-Type": "application/json"},
    )
    assert nan.status_code == 422


def _item(id_field: str, value: str) -> dict[str, object]:
    return {"name": "q", "annotator_kind": "HUMAN", "result": {"label": "x"}, id_field: value}


def test_trace_notes_append_unless_an_identifier_is_given(client: TestClient) -> None:
    trace_id = _trace_id(client)
    for _ in range(2):
        assert client.post("/v1/trace_notes", json={"data": {"trace_id": trace_id, "note": "n"}}).status_code == 200
    ids = {
        client.post("/v1/trace_notes", json={"data": {"trace_id": trace_id, "note": t, "identifier": "k"}}).json()[
            "data"
        ]["id"]
        for t in ("a", "b")
    }
    assert len(ids) == 1
    notes = client.get(
        "/v1/projects/chat/trace_annotations", params={"trace_ids": [trace_id], "include_annotation_names": ["note"]}
    ).json()["data"]
    assert len(notes) == 3
    assert {n["identifier"][:14] for n in notes if n["identifier"] != "k"} == {"px-trace-note:"}
    assert {n["result"]["explanation"] for n in notes if n["identifier"] == "k"} == {"b"}
    missing = client.post("/v1/trace_notes", json={"data": {"trace_id": "0" * 32, "note": "n"}})
    assert missing.status_code == 404


def test_trace_annotations_delete_by_window_or_all(client: TestClient, phoenix: Client) -> None:
    trace_id = _trace_id(client)
    phoenix.traces.add_trace_annotation(trace_id=trace_id, annotation_name="a", label="x", sync=True)
    phoenix.traces.add_trace_annotation(trace_id=trace_id, annotation_name="b", label="x", sync=True)
    assert client.delete("/v1/projects/chat/trace_annotations").status_code == 422
    assert client.delete("/v1/projects/chat/trace_annotations?delete_all=true&name=a").status_code == 204
    left = client.get("/v1/projects/chat/trace_annotations", params={"trace_ids": [trace_id]}).json()["data"]
    assert [a["name"] for a in left] == ["b"]
    assert client.delete("/v1/projects/chat/trace_annotations?delete_all=true").status_code == 204
    assert client.get("/v1/projects/chat/trace_annotations", params={"trace_ids": [trace_id]}).json()["data"] == []


def test_session_annotations_and_notes(client: TestClient, phoenix: Client) -> None:
    export(client, turns("conv-s", ["q1", "q2"]))
    inserted = phoenix.sessions.add_session_annotation(
        session_id="conv-s", annotation_name="resolved", label="yes", score=1, sync=True
    )
    assert inserted is not None
    frame = pd.DataFrame({"session_id": ["conv-s"], "score": [0.5]})
    phoenix.sessions.log_session_annotations_dataframe(dataframe=frame, annotation_name="csat", annotator_kind="LLM")
    note = client.post("/v1/session_notes", json={"data": {"session_id": "conv-s", "note": "follow up"}})
    assert note.status_code == 200
    listed = client.get("/v1/projects/chat/session_annotations", params={"session_ids": ["conv-s"]}).json()["data"]
    assert {(a["name"], a["session_id"]) for a in listed} == {
        ("resolved", "conv-s"),
        ("csat", "conv-s"),
        ("note", "conv-s"),
    }
    missing = client.post("/v1/session_annotations?sync=true", json={"data": [_item("session_id", "nope")]})
    assert (missing.status_code, missing.text) == (404, "Sessions with IDs nope do not exist.")
    assert client.delete("/v1/projects/chat/session_annotations?delete_all=true").status_code == 204
    phoenix.sessions.delete(session_id="conv-s")
    assert client.get("/v1/projects/chat/session_annotations", params={"identifier": ["x"]}).json()["data"] == []


def test_document_annotations_are_keyed_by_position(client: TestClient, phoenix: Client) -> None:
    spans = turns("conv", ["q"])
    export(client, spans)
    span_id = span_id_hex(spans[0])
    first = phoenix.spans.add_document_annotation(
        span_id=span_id, document_position=0, annotation_name="relevance", score=1.0, sync=True
    )
    second = phoenix.spans.add_document_annotation(
        span_id=span_id, document_position=1, annotation_name="relevance", score=0.0, sync=True
    )
    again = phoenix.spans.add_document_annotation(
        span_id=span_id, document_position=0, annotation_name="relevance", score=0.5, sync=True
    )
    assert first is not None and second is not None and again is not None
    assert first["id"] == again["id"] != second["id"]
    frame = pd.DataFrame({"span_id": [span_id, span_id], "document_position": [2, 3], "label": ["a", "b"]})
    inserted = phoenix.spans.log_document_annotations_dataframe(
        dataframe=frame, annotation_name="rel", annotator_kind="LLM", sync=True
    )
    assert len(inserted) == 2
    bad = {**_item("span_id", span_id), "document_position": -1}
    assert client.post("/v1/document_annotations", json={"data": [bad]}).status_code == 422
    unknown = {**_item("span_id", "1" * 16), "document_position": 0}
    assert client.post("/v1/document_annotations?sync=true", json={"data": [unknown]}).status_code == 404


def test_log_spans_round_trips_a_dataframe_and_refuses_duplicates(client: TestClient, phoenix: Client) -> None:
    spans = turns("conv", ["q"], project="source")
    export(client, spans)
    frame = phoenix.spans.get_spans_dataframe(project_identifier="source")
    phoenix.projects.delete(project_name="source")
    phoenix.projects.create(name="copy")
    result = phoenix.spans.log_spans_dataframe(project_identifier="copy", spans_dataframe=frame)
    assert result == {"total_received": 2, "total_queued": 2}
    copied = phoenix.spans.get_spans(project_identifier="copy")
    assert {s["name"] for s in copied} == {"turn", "llm"}
    root = next(s for s in copied if s["name"] == "turn")
    assert root["attributes"]["input.value"] == "q"
    assert phoenix.sessions.get(session_id="conv")["project_id"] == phoenix.projects.get(project_name="copy")["id"]
    with pytest.raises(SpanCreationError) as refused:
        phoenix.spans.log_spans(project_identifier="copy", spans=copied[:1])
    assert refused.value.total_duplicates == 1
    assert refused.value.total_queued == 0


def test_log_spans_refuses_invalid_spans_and_unknown_projects(client: TestClient, phoenix: Client) -> None:
    span = {
        "name": "s",
        "context": {"trace_id": "a" * 32, "span_id": "XYZ"},
        "span_kind": "LLM",
        "start_time": "2026-01-01T00:00:00+00:00",
        "end_time": "2026-01-01T00:00:01+00:00",
        "status_code": "OK",
        "attributes": {"llm.token_count.prompt": 3},
    }
    good = {**span, "context": {"trace_id": "a" * 32, "span_id": "b" * 16}}
    response = client.post("/v1/projects/default/spans", json={"data": [span, good]})
    assert response.status_code == 400
    assert response.json()["total_invalid"] == 1
    assert response.json()["invalid_spans"][0]["span_id"] == "XYZ"
    assert phoenix.spans.get_spans(project_identifier="default") == []
    assert client.post("/v1/projects/absent/spans", json={"data": [good]}).status_code == 404
    stored = client.post("/v1/projects/default/spans", json={"data": [good]})
    assert stored.status_code == 202
    [llm] = phoenix.spans.get_spans(project_identifier="default")
    assert (llm["span_kind"], llm["attributes"]["llm.token_count.prompt"]) == ("LLM", 3)
    assert phoenix.traces.get_traces(project_identifier="default")[0]["token_count_prompt"] == 3
