"""Fields resolved per row are batched, and a project listing served from memory reads nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from pyrewatch.http.state import AppState
from tests.support.apps import app_state

VERSION = {
    "model_provider": "OPENAI",
    "model_name": "gpt-4o",
    "template_type": "CHAT",
    "template_format": "MUSTACHE",
    "template": {"type": "chat", "messages": [{"role": "user", "content": "hi"}]},
    "invocation_parameters": {"type": "openai", "openai": {}},
}
DATASETS = """{datasets{edges{node{name
    versions{edges{node{id}}}
    examples{revision{input} splitNames}
    experiments{edges{node{name runCount}}}}}}}"""
PROMPTS = "{prompts{edges{node{name promptVersions{edges{node{modelName tags{name}}}}}}}}"


def _selects_of(client: TestClient, call: Callable[[], Any]) -> tuple[int, Any]:
    state: AppState = app_state(client)
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(state.engine.sync_engine, "before_cursor_execute", record)
    try:
        result = call()
    finally:
        event.remove(state.engine.sync_engine, "before_cursor_execute", record)
    # Only what the request reads: background flushes may run meanwhile.
    return len([s for s in statements if s.lstrip().upper().startswith("SELECT")]), result


def _gql(client: TestClient, query: str) -> dict[str, Any]:
    body: dict[str, Any] = client.post("/graphql", json={"query": query}).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def _add_tagged_versions(client: TestClient, count: int, start: int) -> None:
    for n in range(start, start + count):
        version = {**VERSION, "model_name": f"model-{n}"}
        created = client.post("/v1/prompts", json={"prompt": {"name": "p"}, "version": version})
        assert created.status_code == 200, created.text
        tagged = client.post(f"/v1/prompt_versions/{created.json()['data']['id']}/tags", json={"name": f"t{n}"})
        assert tagged.status_code == 204, tagged.text


def _add_datasets(client: TestClient, count: int, start: int) -> None:
    for n in range(start, start + count):
        upload = {"name": f"d{n}", "inputs": [{"q": n}], "outputs": [{"a": n}], "splits": [f"s{n}"]}
        data = client.post("/v1/datasets/upload?sync=true", json=upload).json()["data"]
        more = {**upload, "action": "append", "inputs": [{"q": -n}], "outputs": [{}], "splits": [None]}
        assert client.post("/v1/datasets/upload?sync=true", json=more).status_code == 200
        made = client.post(f"/v1/datasets/{data['dataset_id']}/experiments", json={"name": f"e{n}"})
        assert made.status_code == 200, made.text


def test_the_fields_of_listed_datasets_are_loaded_in_batches(client: TestClient) -> None:
    _add_datasets(client, 2, 0)
    few, data = _selects_of(client, lambda: _gql(client, DATASETS))
    assert [edge["node"]["name"] for edge in data["datasets"]["edges"]] == ["d1", "d0"]
    _add_datasets(client, 4, 2)
    many, data = _selects_of(client, lambda: _gql(client, DATASETS))
    nodes = [edge["node"] for edge in data["datasets"]["edges"]]
    assert [node["name"] for node in nodes] == [f"d{n}" for n in range(5, -1, -1)]
    for n, node in zip(range(5, -1, -1), nodes, strict=True):
        assert len(node["versions"]["edges"]) == 2
        examples = [(e["revision"]["input"], e["splitNames"]) for e in node["examples"]]
        assert examples == [({"q": n}, [f"s{n}"]), ({"q": -n}, [])]
        assert [e["node"] for e in node["experiments"]["edges"]] == [{"name": f"e{n}", "runCount": 0}]
    assert many == few


def test_the_tags_of_listed_prompt_versions_are_loaded_in_one_batch(client: TestClient) -> None:
    _add_tagged_versions(client, 2, 0)
    few, data = _selects_of(client, lambda: _gql(client, PROMPTS))
    (prompt,) = data["prompts"]["edges"]
    assert [v["node"]["tags"] for v in prompt["node"]["promptVersions"]["edges"]] == [
        [{"name": "t1"}],
        [{"name": "t0"}],
    ]
    _add_tagged_versions(client, 4, 2)
    many, data = _selects_of(client, lambda: _gql(client, PROMPTS))
    versions = [v["node"] for v in data["prompts"]["edges"][0]["node"]["promptVersions"]["edges"]]
    assert [v["modelName"] for v in versions] == [f"model-{n}" for n in range(5, -1, -1)]
    assert [v["tags"] for v in versions] == [[{"name": f"t{n}"}] for n in range(5, -1, -1)]
    assert many == few


def test_a_project_listing_served_from_memory_runs_no_query(client: TestClient) -> None:
    assert client.post("/v1/projects", json={"name": "listed"}).status_code == 200
    assert client.get("/v1/projects").status_code == 200  # the directory fills its copy
    count, response = _selects_of(client, lambda: client.get("/v1/projects"))
    assert [p["name"] for p in response.json()["data"]] == ["listed", "default"]
    assert count == 0
