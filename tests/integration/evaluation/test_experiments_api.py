"""Experiment REST routes: runs, duplicates, evaluations, incomplete work, tags, errors."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

T0, T1 = "2026-11-29T12:00:00+00:00", "2026-11-29T12:00:01.500000+00:00"


def _experiment(client: TestClient, repetitions: int = 1) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    upload = client.post(
        "/v1/datasets/upload?sync=true", json={"name": "d1", "inputs": [{"q": 1}, {"q": 2}], "outputs": [{}, {}]}
    ).json()["data"]
    examples = client.get(f"/v1/datasets/{upload['dataset_id']}/examples").json()["data"]["examples"]
    created = client.post(f"/v1/datasets/{upload['dataset_id']}/experiments", json={"repetitions": repetitions})
    assert created.status_code == 200, created.text
    return upload["dataset_id"], examples, created.json()["data"]


def _run(client: TestClient, experiment_id: str, example: dict[str, Any], **extra: Any) -> Any:
    body = {
        "dataset_example_id": example["node_id"],
        "output": {"answer": 1},
        "repetition_number": 1,
        "start_time": T0,
        "end_time": T1,
        "id": "temp-1",
        "experiment_id": experiment_id,
        **extra,
    }
    return client.post(f"/v1/experiments/{experiment_id}/runs", json=body)


def test_runs_duplicates_and_failed_run_replacement(client: TestClient) -> None:
    dataset_id, examples, experiment = _experiment(client)
    assert experiment["name"].startswith("d1-") and experiment["project_name"].startswith("Experiment-")
    assert (experiment["example_count"], experiment["missing_run_count"]) == (2, 2)
    eid = experiment["id"]
    failed = _run(client, eid, examples[0], error="RuntimeError('x')", output=None)
    assert failed.status_code == 200, failed.text
    run_id = failed.json()["data"]["id"]
    evaluation = {"experiment_run_id": run_id, "name": "e", "annotator_kind": "CODE", "start_time": T0}
    evaluation |= {"end_time": T1, "result": {"score": 0.0}, "id": "DRY_RUN_x"}
    assert client.post("/v1/experiment_evaluations", json=evaluation).status_code == 200
    replaced = _run(client, eid, examples[0])
    assert replaced.json()["data"]["id"] == run_id
    duplicate = _run(client, eid, examples[0])
    assert duplicate.status_code == 409
    assert duplicate.text == f"Experiment run {run_id} already exists with a successful result and cannot be updated"
    runs = client.get(f"/v1/experiments/{eid}/runs").json()
    assert [r["id"] for r in runs["data"]] == [run_id] and runs["data"][0]["output"] == {"answer": 1}
    assert runs["data"][0]["end_time"] == T1
    # The failed run's evaluation went with it.
    assert client.get(f"/v1/experiments/{eid}/json").json()[0]["annotations"] == []
    incomplete = client.get(f"/v1/experiments/{eid}/incomplete-runs").json()
    assert [(i["dataset_example"]["node_id"], i["repetition_numbers"]) for i in incomplete["data"]] == [
        (examples[1]["node_id"], [1])
    ]
    listed = client.get(f"/v1/datasets/{dataset_id}/experiments").json()["data"]
    assert [(e["id"], e["successful_run_count"]) for e in listed] == [(eid, 1)]


def test_evaluations_upsert_and_incomplete_evaluations(client: TestClient) -> None:
    _, examples, experiment = _experiment(client)
    eid = experiment["id"]
    run_ids = [_run(client, eid, ex).json()["data"]["id"] for ex in examples]
    base = {"name": "acc", "annotator_kind": "LLM", "start_time": T0, "end_time": T1}
    first = client.post("/v1/experiment_evaluations", json={**base, "experiment_run_id": run_ids[0], "error": "boom"})
    again = client.post(
        "/v1/experiment_evaluations", json={**base, "experiment_run_id": run_ids[0], "result": {"label": "ok"}}
    )
    assert first.json()["data"]["id"] == again.json()["data"]["id"]
    pending = client.get(
        f"/v1/experiments/{eid}/incomplete-evaluations", params={"evaluation_name": ["acc", "tone"]}
    ).json()["data"]
    assert [(p["experiment_run"]["id"], p["evaluation_names"]) for p in pending] == [
        (run_ids[0], ["tone"]),
        (run_ids[1], ["acc", "tone"]),
    ]
    page = client.get(f"/v1/experiments/{eid}/incomplete-evaluations", params={"evaluation_name": "acc", "limit": 1})
    assert page.json()["next_cursor"] is None and len(page.json()["data"]) == 1
    missing = client.get(f"/v1/experiments/{eid}/incomplete-evaluations", params={"evaluation_name": " "})
    assert (missing.status_code, missing.text) == (400, "At least one evaluation_name must be provided")
    neither = client.post("/v1/experiment_evaluations", json={**base, "experiment_run_id": run_ids[0]})
    assert neither.status_code == 422 and "Either 'result' or 'error' must be provided" in neither.text
    kind = client.post(
        "/v1/experiment_evaluations",
        json={**base, "annotator_kind": "ROBOT", "experiment_run_id": run_ids[0], "error": "x"},
    )
    assert kind.status_code == 422


def test_tags_move_within_a_dataset_and_errors(client: TestClient) -> None:
    dataset_id, _, first = _experiment(client)
    second = client.post(f"/v1/datasets/{dataset_id}/experiments", json={"name": "two"}).json()["data"]
    tag = client.post(f"/v1/experiments/{first['id']}/tags", json={"name": "best"}).json()["data"]
    assert [t["name"] for t in client.get(f"/v1/experiments/{first['id']}/tags").json()["data"]] == ["best"]
    moved = client.post(f"/v1/experiments/{second['id']}/tags", json={"name": "best", "description": "now"})
    assert moved.json()["data"]["id"] == tag["id"]
    assert client.get(f"/v1/experiments/{first['id']}/tags").json()["data"] == []
    assert client.delete(f"/v1/experiments/{first['id']}/tags/best").status_code == 204  # not owned: no-op
    assert len(client.get(f"/v1/experiments/{second['id']}/tags").json()["data"]) == 1
    assert client.delete(f"/v1/experiments/{second['id']}/tags/{tag['id']}").status_code == 204
    assert client.get(f"/v1/experiments/{second['id']}/tags").json()["data"] == []
    patched = client.patch(f"/v1/experiments/{second['id']}", json={"name": "renamed", "metadata": {"k": 1}})
    assert (patched.json()["data"]["name"], patched.json()["data"]["metadata"]) == ("renamed", {"k": 1})
    absent = "RXhwZXJpbWVudDo5OTk="  # Experiment:999
    response = client.get(f"/v1/experiments/{absent}")
    assert (response.status_code, response.text) == (404, f"Experiment with ID {absent} does not exist")
    assert response.headers["content-type"].startswith("text/plain")
    assert client.get(f"/v1/experiments/{second['id']}/json").text == "Experiment has no runs"
    bad_version = client.post(f"/v1/datasets/{dataset_id}/experiments", json={"version_id": "RGF0YXNldFZlcnNpb246OTk="})
    assert bad_version.status_code == 404
    project = first["project_name"]
    assert client.get(f"/v1/projects/{project}").status_code == 200
    assert client.delete(f"/v1/experiments/{first['id']}", params={"delete_project": True}).status_code == 204
    assert client.get(f"/v1/projects/{project}").status_code == 404
