"""Annotation configs: the nine routes, and annotations validated against the config of their name."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support.otlp import span_id_hex, trace_id_hex
from tests.support.sessions import export, turns

CATEGORICAL = {
    "name": "correctness",
    "type": "CATEGORICAL",
    "optimization_direction": "MAXIMIZE",
    "values": [{"label": "correct", "score": 1}, {"label": "incorrect", "score": 0}],
}
CONTINUOUS = {
    "name": "relevance",
    "type": "CONTINUOUS",
    "optimization_direction": "MAXIMIZE",
    "lower_bound": 0,
    "upper_bound": 1,
}
FREEFORM = {"name": "comment", "type": "FREEFORM", "description": "anything"}


def _create(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/annotation_configs", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def test_global_configs_create_list_get_update_delete(client: TestClient) -> None:
    categorical = _create(client, CATEGORICAL)
    continuous = _create(client, CONTINUOUS)
    freeform = _create(client, FREEFORM)
    assert categorical["values"] == [{"label": "correct", "score": 1.0}, {"label": "incorrect", "score": 0.0}]
    assert (continuous["lower_bound"], continuous["upper_bound"]) == (0, 1)
    assert freeform["optimization_direction"] == "NONE"
    first = client.get("/v1/annotation_configs", params={"limit": 2}).json()
    rest = client.get("/v1/annotation_configs", params={"cursor": first["next_cursor"]}).json()
    assert [c["name"] for c in first["data"] + rest["data"]] == ["comment", "relevance", "correctness"]
    assert client.get(f"/v1/annotation_configs/{categorical['id']}").json()["data"]["name"] == "correctness"
    assert client.get("/v1/annotation_configs/relevance").json()["data"]["id"] == continuous["id"]
    changed = client.put(f"/v1/annotation_configs/{continuous['id']}", json={**CONTINUOUS, "upper_bound": 10})
    assert changed.json()["data"]["upper_bound"] == 10
    assert client.post("/v1/annotation_configs", json=CATEGORICAL).status_code == 409
    deleted = client.delete(f"/v1/annotation_configs/{freeform['id']}")
    assert deleted.json()["data"]["name"] == "comment"
    assert client.get(f"/v1/annotation_configs/{freeform['id']}").status_code == 404


def test_malformed_configs_are_refused(client: TestClient) -> None:
    for body in (
        {**CATEGORICAL, "values": []},
        {**CATEGORICAL, "values": [{"label": "a"}, {"label": "a"}]},
        {**CONTINUOUS, "lower_bound": 2, "upper_bound": 1},
        {**FREEFORM, "name": " "},
        {**FREEFORM, "name": "note"},
        {**FREEFORM, "type": "OTHER"},
        {**FREEFORM, "name": "x\x00"},
    ):
        assert client.post("/v1/annotation_configs", json=body).status_code == 422, body
    nan = b'{"name":"n","type":"CONTINUOUS","lower_bound":NaN}'
    response = client.post("/v1/annotation_configs", content=nan, headers={"Content-Type": "application/json"})
    assert response.status_code == 422


def test_project_assignments(client: TestClient) -> None:
    a, b, c = _create(client, CATEGORICAL), _create(client, CONTINUOUS), _create(client, FREEFORM)
    client.post("/v1/projects", json={"name": "p"})
    assert client.put(f"/v1/projects/p/annotation_configs/{a['id']}").json()["data"]["id"] == a["id"]
    assert client.put(f"/v1/projects/p/annotation_configs/{a['id']}").status_code == 200
    listed = client.get("/v1/projects/p/annotation_configs").json()["data"]
    assert [x["id"] for x in listed] == [a["id"]]
    replaced = client.put("/v1/projects/p/annotation_configs", json={"annotation_config_ids": [b["id"], c["id"]]})
    assert {x["id"] for x in replaced.json()["data"]} == {b["id"], c["id"]}
    assert {x["id"] for x in client.get("/v1/projects/p/annotation_configs").json()["data"]} == {b["id"], c["id"]}
    assert client.delete(f"/v1/projects/p/annotation_configs/{b['id']}").status_code == 204
    assert client.delete(f"/v1/projects/p/annotation_configs/{b['id']}").status_code == 404
    assert client.get("/v1/projects/default/annotation_configs").json()["data"] == []
    unknown = client.put("/v1/projects/p/annotation_configs", json={"annotation_config_ids": ["nope"]})
    assert unknown.status_code == 404
    client.delete(f"/v1/annotation_configs/{c['id']}")
    assert client.get("/v1/projects/p/annotation_configs").json()["data"] == []


def test_annotations_must_fit_the_config_of_their_name(client: TestClient) -> None:
    _create(client, CATEGORICAL)
    _create(client, CONTINUOUS)
    spans = turns("conv", ["q"])
    export(client, spans)
    span_id, trace_id = span_id_hex(spans[0]), trace_id_hex(spans[0])

    def annotate(route: str, target: dict[str, Any], name: str, result: dict[str, Any]) -> int:
        item = {"name": name, "annotator_kind": "HUMAN", "result": result, **target}
        status: int = client.post(f"/v1/{route}?sync=true", json={"data": [item]}).status_code
        return status

    assert annotate("span_annotations", {"span_id": span_id}, "correctness", {"label": "correct"}) == 200
    assert annotate("span_annotations", {"span_id": span_id}, "correctness", {"label": "maybe"}) == 422
    assert annotate("trace_annotations", {"trace_id": trace_id}, "correctness", {"score": 1}) == 422
    assert annotate("trace_annotations", {"trace_id": trace_id}, "relevance", {"score": 0.5}) == 200
    assert annotate("session_annotations", {"session_id": "conv"}, "relevance", {"score": 2}) == 422
    assert annotate("session_annotations", {"session_id": "conv"}, "relevance", {"label": "high"}) == 422
    document = {"span_id": span_id, "document_position": 0}
    assert annotate("document_annotations", document, "relevance", {"score": 1}) == 200
    assert annotate("span_annotations", {"span_id": span_id}, "unconfigured", {"label": "any"}) == 200
    refused = client.post(
        "/v1/span_annotations",
        json={"data": [{"name": "correctness", "annotator_kind": "LLM", "result": {"label": "?"}, "span_id": span_id}]},
    )
    assert "does not fit its annotation config" in refused.text
