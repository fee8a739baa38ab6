"""GraphQL reads of datasets (versions, examples, experiments with runs) and prompts."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support.http_auth import gql

T0, T1 = "2026-11-29T12:00:00+00:00", "2026-11-29T12:00:01+00:00"


def _gql_data(client: TestClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``data`` of an answer that must carry no errors."""
    body = gql(client, query, variables)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def test_datasets_experiments_and_runs(client: TestClient) -> None:
    upload = {"name": "g", "inputs": [{"q": 1}, {"q": 2}], "outputs": [{"a": 1}, {"a": 2}], "splits": ["s", None]}
    data = client.post("/v1/datasets/upload?sync=true", json=upload).json()["data"]
    client.post(
        "/v1/datasets/upload?sync=true",
        json={**upload, "action": "append", "inputs": [{"q": 3}], "outputs": [{}], "splits": [None]},
    )
    experiment = client.post(f"/v1/datasets/{data['dataset_id']}/experiments", json={"name": "e1"}).json()["data"]
    examples = client.get(f"/v1/datasets/{data['dataset_id']}/examples").json()["data"]["examples"]
    run = {"dataset_example_id": examples[0]["node_id"], "output": "out", "repetition_number": 1}
    run_id = client.post(
        f"/v1/experiments/{experiment['id']}/runs", json={**run, "start_time": T0, "end_time": T1}
    ).json()["data"]["id"]
    evaluation = {
        "experiment_run_id": run_id,
        "name": "acc",
        "annotator_kind": "CODE",
        "start_time": T0,
        "end_time": T1,
    }
    client.post("/v1/experiment_evaluations", json={**evaluation, "result": {"score": 1.0}})

    result = _gql_data(
        client,
        """{datasets{edges{node{id name exampleCount
             versions{edges{node{id}}}
             examples{id revision{input output} splitNames}
             experiments{edges{node{id name runCount runs{edges{node{output annotations{name score}}}}}}}}}}}""",
    )
    (edge,) = result["datasets"]["edges"]
    node = edge["node"]
    assert (node["name"], node["exampleCount"], len(node["versions"]["edges"])) == ("g", 3, 2)
    assert [e["revision"]["input"] for e in node["examples"]] == [{"q": 1}, {"q": 2}, {"q": 3}]
    assert node["examples"][0]["splitNames"] == ["s"]
    (exp,) = node["experiments"]["edges"]
    assert exp["node"]["runCount"] == 1
    assert exp["node"]["runs"]["edges"][0]["node"] == {"output": "out", "annotations": [{"name": "acc", "score": 1.0}]}
    first_version = node["versions"]["edges"][-1]["node"]["id"]
    old = _gql_data(
        client,
        "query($id: ID!, $v: ID){node(id: $id){... on Dataset{examples(datasetVersionId: $v){id}}}}",
        {"id": data["dataset_id"], "v": first_version},
    )
    assert len(old["node"]["examples"]) == 2
    by_node = _gql_data(
        client, "query($id: ID!){node(id: $id){... on Experiment{name exampleCount}}}", {"id": experiment["id"]}
    )
    assert by_node["node"] == {"name": "e1", "exampleCount": 3}


def test_prompts_with_versions_and_tags(client: TestClient) -> None:
    version = {
        "model_provider": "OPENAI",
        "model_name": "gpt-4o",
        "template_type": "CHAT",
        "template_format": "MUSTACHE",
        "template": {"type": "chat", "messages": [{"role": "user", "content": "hi"}]},
        "invocation_parameters": {"type": "openai", "openai": {}},
    }
    first = client.post("/v1/prompts", json={"prompt": {"name": "p1"}, "version": version}).json()["data"]
    client.post("/v1/prompts", json={"prompt": {"name": "p1"}, "version": {**version, "model_name": "gpt-5"}})
    client.post(f"/v1/prompt_versions/{first['id']}/tags", json={"name": "prod"})
    result = _gql_data(
        client, "{prompts(first: 10){edges{node{name promptVersions{edges{node{id modelName template tags{name}}}}}}}}"
    )
    (prompt,) = result["prompts"]["edges"]
    versions = [e["node"] for e in prompt["node"]["promptVersions"]["edges"]]
    assert [v["modelName"] for v in versions] == ["gpt-5", "gpt-4o"]
    assert versions[1]["tags"] == [{"name": "prod"}] and versions[1]["template"]["type"] == "chat"
    page = _gql_data(client, "{prompts(first: 1){pageInfo{hasNextPage} edges{node{name}}}}")
    assert page["prompts"]["pageInfo"]["hasNextPage"] is False


def test_mutations_patch_and_delete(client: TestClient) -> None:
    data = client.post("/v1/datasets/upload?sync=true", json={"name": "m", "inputs": [{"q": 1}]}).json()["data"]
    patched = _gql_data(
        client,
        'mutation($id: ID!){patchDataset(input:{datasetId: $id, name: "m2", description: "d", metadata: {k: 1}})'
        "{dataset{name description metadata exampleCount}}}",
        {"id": data["dataset_id"]},
    )
    assert patched["patchDataset"]["dataset"] == {
        "name": "m2",
        "description": "d",
        "metadata": {"k": 1},
        "exampleCount": 1,
    }
    experiment = client.post(f"/v1/datasets/{data['dataset_id']}/experiments", json={}).json()["data"]
    deleted = _gql_data(
        client,
        "mutation($ids: [ID!]!){deleteExperiments(input:{experimentIds: $ids}){experiments{id}}}",
        {"ids": [experiment["id"]]},
    )
    assert deleted["deleteExperiments"]["experiments"] == [{"id": experiment["id"]}]
    assert client.get(f"/v1/experiments/{experiment['id']}").status_code == 404
    _gql_data(
        client, "mutation($id: ID!){deleteDataset(input:{datasetId: $id}){dataset{id}}}", {"id": data["dataset_id"]}
    )
    assert client.get("/v1/datasets").json()["data"] == []

    version = {
        "model_provider": "OPENAI",
        "model_name": "gpt-4o",
        "template_type": "CHAT",
        "template_format": "NONE",
        "template": {"type": "chat", "messages": [{"role": "user", "content": "hi"}]},
        "invocation_parameters": {"type": "openai", "openai": {}},
    }
    created = client.post("/v1/prompts", json={"prompt": {"name": "p"}, "version": version}).json()["data"]
    tagged = _gql_data(
        client,
        'mutation($id: ID!){setPromptVersionTag(input:{promptVersionId: $id, name: "live"})'
        "{promptVersionTag{id name} promptVersion{tags{name}}}}",
        {"id": created["id"]},
    )["setPromptVersionTag"]
    assert tagged["promptVersion"]["tags"] == [{"name": "live"}]
    assert client.get("/v1/prompts/p/tags/live").json()["data"]["id"] == created["id"]
    _gql_data(
        client,
        "mutation($id: ID!){deletePromptVersionTag(input:{promptVersionTagId: $id}){promptVersion{tags{name}}}}",
        {"id": tagged["promptVersionTag"]["id"]},
    )
    assert client.get("/v1/prompts/p/tags/live").status_code == 404
    prompt_id = client.get("/v1/prompts").json()["data"][0]["id"]
    _gql_data(client, "mutation($id: ID!){deletePrompt(input:{promptId: $id}){prompt{name}}}", {"id": prompt_id})
    assert client.get("/v1/prompts").json()["data"] == []
