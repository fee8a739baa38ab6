"""Dataset REST routes: upload forms and errors, exports, splits and labels."""

from __future__ import annotations

import gzip
import io
import json
from typing import Any

import pyarrow as pa
from fastapi.testclient import TestClient

from pyrewatch.db.models import Span
from pyrewatch.db.session import Session
from pyrewatch.ids import encode_global_id
from tests.factories import Database, make_project, make_span, make_trace


def _upload_csv(client: TestClient, name: str, body: bytes, **fields: Any) -> Any:
    data = {"name": name, "action": "create", "input_keys[]": ["q"], "output_keys[]": ["a"], **fields}
    files = {"file": ("f.csv", body, "text/csv")}
    return client.post("/v1/datasets/upload?sync=true", data=data, files=files)


def _datasets(client: TestClient) -> list[str]:
    return [d["name"] for d in client.get("/v1/datasets").json()["data"]]


def test_bad_files_get_a_clear_4xx_and_change_nothing(client: TestClient) -> None:
    good = _upload_csv(client, "keep", b"q,a\n1,2\n")
    assert good.status_code == 200, good.text
    cases = [
        (b"q,a\n1,2\n3,4,5\n", "CSV line 3 has 3 fields but the header has 2"),
        (b'q,a\n"1,2\n', "Malformed CSV"),
        (b"q,a\n\xff\xfe,1\n", "not valid UTF-8"),
        (b"x,y\n1,2\n", "input keys not found in column headers: frozenset({'q'})"),
        (b"q,q,a\n1,2,3\n", "Duplicated column header in CSV file: q"),
        (b"", "Missing CSV column header"),
    ]
    for body, message in cases:
        response = _upload_csv(client, "bad", body)
        assert response.status_code == 422, (body, response.text)
        assert message in response.text, (body, response.text)
    # A bad row late in an append leaves the dataset as it was.
    late = b"q,a\n" + b"".join(b"%d,%d\n" % (i, i) for i in range(3000)) + b"x,y,z\n"
    response = _upload_csv(client, "keep", late, action="append")
    assert response.status_code == 422
    assert _datasets(client) == ["keep"]
    dataset_id = good.json()["data"]["dataset_id"]
    assert client.get(f"/v1/datasets/{dataset_id}").json()["data"]["example_count"] == 1
    assert len(client.get(f"/v1/datasets/{dataset_id}/versions").json()["data"]) == 1
    bad_gzip = client.post(
        "/v1/datasets/upload?sync=true",
        data={"name": "g", "input_keys[]": ["q"], "output_keys[]": ["a"]},
        files={"file": ("f.csv", b"not gzip", "text/csv", {"Content-Encoding": "gzip"})},
    )
    assert bad_gzip.status_code == 422 and "decompressed" in bad_gzip.text
    text_part = client.post(
        "/v1/datasets/upload?sync=true", data={"name": "t"}, files={"file": ("f.txt", b"q", "text/plain")}
    )
    assert (text_part.status_code, text_part.text) == (422, "Invalid file content type: text/plain")
    assert _datasets(client) == ["keep"]


def test_json_upload_errors_and_conflict(client: TestClient) -> None:
    post = client.post
    assert post("/v1/datasets/upload?sync=true", json={"name": "x"}).text == "input is required"
    assert post("/v1/datasets/upload?sync=true", json={"inputs": [{}]}).text == "Dataset name is required"
    wrong = post("/v1/datasets/upload?sync=true", json={"name": "x", "inputs": [{}], "outputs": [{}, {}]})
    assert wrong.text == "outputs should be a list of same length as input containing only dictionary objects"
    action = post("/v1/datasets/upload?sync=true", json={"name": "x", "inputs": [{}], "action": "zap"})
    assert (action.status_code, action.text) == (422, "Invalid dateset action: zap")
    assert post("/v1/datasets/upload", content=b"{}", headers={"content-type": ""}).status_code == 400
    ok = post("/v1/datasets/upload?sync=true", json={"name": "x", "inputs": [{"a": 1}], "action": "create"})
    assert ok.status_code == 200
    again = post("/v1/datasets/upload?sync=true", json={"name": "x", "inputs": [{"a": 1}], "action": "create"})
    assert (again.status_code, again.text) == (409, 'A dataset named "x" already exists.')
    assert client.get("/v1/datasets/xyz").text == "Invalid dataset ID format: xyz"
    assert client.get("/v1/datasets/RGF0YXNldDo5OTk=").text == "Dataset with ID RGF0YXNldDo5OTk= not found"
    assert client.delete("/v1/datasets/RGF0YXNldDo5OTk=").text == "Dataset does not exist"


def test_jsonl_and_arrow_uploads_keep_types(client: TestClient) -> None:
    lines = b'{"q": 1, "a": [1, 2], "m": {"k": true}}\n{"q": 2, "a": null, "m": {}}\n'
    response = client.post(
        "/v1/datasets/upload?sync=true",
        data={"name": "jl", "input_keys[]": ["q"], "output_keys[]": ["a"], "metadata_keys[]": ["m"]},
        files={"file": ("f.jsonl", gzip.compress(lines), "application/jsonl", {"Content-Encoding": "gzip"})},
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    examples = client.get(f"/v1/datasets/{data['dataset_id']}/examples").json()["data"]["examples"]
    assert [(e["input"], e["output"], e["metadata"]) for e in examples] == [
        ({"q": 1}, {"a": [1, 2]}, {"m": {"k": True}}),
        ({"q": 2}, {"a": None}, {"m": {}}),
    ]
    table = pa.table({"q": [1.5, None], "a": ["x", "y"]})
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    response = client.post(
        "/v1/datasets/upload?sync=true",
        data={"name": "arrow", "input_keys[]": ["q"], "output_keys[]": ["a"]},
        files={"file": ("frame", sink.getvalue(), "application/x-pandas-pyarrow")},
    )
    assert response.status_code == 200, response.text
    dataset_id = response.json()["data"]["dataset_id"]
    examples = client.get(f"/v1/datasets/{dataset_id}/examples").json()["data"]["examples"]
    assert [e["input"] for e in examples] == [{"q": 1.5}, {"q": None}]
    assert client.get(f"/v1/datasets/{dataset_id}").json()["data"]["description"] == "frame"
    broken = client.post(
        "/v1/datasets/upload?sync=true",
        data={"name": "broken", "input_keys[]": ["q"], "output_keys[]": ["a"]},
        files={"file": ("frame", b"nope", "application/x-pandas-pyarrow")},
    )
    assert (broken.status_code, broken.text) == (422, "File is not valid pyarrow")


def test_exports(client: TestClient) -> None:
    body = {
        "name": "chat",
        "inputs": [{"messages": [{"role": "user", "content": "hi"}], "tools": [{"type": "function"}]}, {"q": 1}],
        "outputs": [{"messages": [{"role": "assistant", "content": "hello"}]}, {"a": {"deep": 2}}],
        "splits": ["train", None],
        "example_ids": ["ex-1", None],
    }
    dataset_id = client.post("/v1/datasets/upload?sync=true", json=body).json()["data"]["dataset_id"]
    jsonl = [json.loads(line) for line in client.get(f"/v1/datasets/{dataset_id}/jsonl").text.splitlines()]
    assert jsonl[0]["id"] == "ex-1" and jsonl[0]["splits"] == ["train"] and jsonl[1]["splits"] == []
    ft = [json.loads(line) for line in client.get(f"/v1/datasets/{dataset_id}/jsonl/openai_ft").text.splitlines()]
    assert ft[0] == {
        "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
        "tools": [{"type": "function"}],
    }
    assert ft[1] == {"messages": []}
    evals = client.get(f"/v1/datasets/{dataset_id}/jsonl/openai_evals").text.splitlines()
    assert json.loads(evals[0]) == {"messages": [{"role": "user", "content": "hi"}], "ideal": "hello"}
    assert json.loads(evals[1]) == {"messages": [], "ideal": ""}
    csv_response = client.get(f"/v1/datasets/{dataset_id}/csv")
    assert csv_response.headers["content-type"].startswith("text/csv")
    header = csv_response.text.splitlines()[0].split(",")
    assert header[:2] == ["id", "node_id"] and "output.a.deep" in header and header[-1] == "splits"


def test_splits_and_labels(client: TestClient) -> None:
    upload = client.post("/v1/datasets/upload?sync=true", json={"name": "s", "inputs": [{"q": 1}, {"q": 2}]})
    dataset_id = upload.json()["data"]["dataset_id"]
    examples = client.get(f"/v1/datasets/{dataset_id}/examples").json()["data"]["examples"]
    created = client.post(
        f"/v1/datasets/{dataset_id}/splits", json={"name": "hard", "example_ids": [examples[1]["node_id"]]}
    )
    assert created.status_code == 201, created.text
    split = created.json()["data"]
    assert split["example_count"] == 1
    hard = client.get(f"/v1/datasets/{dataset_id}/examples", params={"split": "hard"}).json()["data"]
    assert hard["filtered_splits"] == ["hard"] and [e["input"] for e in hard["examples"]] == [{"q": 2}]
    assert client.post(f"/v1/datasets/{dataset_id}/splits", json={"name": "hard"}).status_code == 409
    patched = client.patch(
        f"/v1/datasets/{dataset_id}/splits/{split['id']}",
        json={"name": "harder", "add_example_ids": [examples[0]["node_id"]]},
    )
    assert patched.json()["data"]["name"] == "harder" and patched.json()["data"]["example_count"] == 2
    assert client.get(f"/v1/datasets/{dataset_id}/examples", params={"split": "nope"}).status_code == 404
    assert client.delete(f"/v1/datasets/{dataset_id}/splits/{split['id']}").status_code == 204

    label = client.post("/v1/dataset_labels", json={"name": "gold", "color": "#ffaa00"})
    assert label.status_code == 201, label.text
    label_id = label.json()["data"]["id"]
    assert client.post("/v1/dataset_labels", json={"name": "gold", "color": "#ffaa00"}).status_code == 409
    assert client.put(f"/v1/datasets/{dataset_id}/labels/{label_id}").json()["data"]["name"] == "gold"
    assert [x["name"] for x in client.get(f"/v1/datasets/{dataset_id}/labels").json()["data"]] == ["gold"]
    assert client.put(f"/v1/datasets/{dataset_id}/labels", json={"dataset_label_ids": []}).json()["data"] == []
    assert (
        client.patch(f"/v1/dataset_labels/{label_id}", json={"color": "#000000"}).json()["data"]["color"] == "#000000"
    )
    assert client.get(f"/v1/dataset_labels/{label_id}").json()["data"]["name"] == "gold"
    assert [x["name"] for x in client.get("/v1/dataset_labels").json()["data"]] == ["gold"]
    assert client.delete(f"/v1/dataset_labels/{label_id}").status_code == 204
    assert client.get(f"/v1/dataset_labels/{label_id}").status_code == 404


def test_examples_from_spans_link_back_to_them(client: TestClient, database_env: dict[str, str]) -> None:
    async def seed(session: Session) -> Span:
        trace = await make_trace(session, await make_project(session, "app"))
        return await make_span(session, trace, name="llm", span_kind="LLM")

    span = Database(database_env).run(seed)
    body = {"name": "from-spans", "inputs": [{"q": 1}, {"q": 2}], "span_ids": [span.span_id, "0" * 16]}
    dataset_id = client.post("/v1/datasets/upload?sync=true", json=body).json()["data"]["dataset_id"]
    examples = client.get(f"/v1/datasets/{dataset_id}/examples").json()["data"]["examples"]
    assert examples[0]["source"] == {"span_id": span.span_id, "span_node_id": encode_global_id("Span", span.id)}
    assert examples[1]["source"] is None  # an unknown span id leaves the link empty


def test_splits_of_many_examples(client: TestClient) -> None:
    """More example ids than one SQL IN list holds (they are sent in chunks)."""
    inputs = [{"i": i} for i in range(6001)]
    dataset_id = client.post("/v1/datasets/upload?sync=true", json={"name": "many", "inputs": inputs}).json()["data"][
        "dataset_id"
    ]
    examples = client.get(f"/v1/datasets/{dataset_id}/examples").json()["data"]["examples"]
    ids = [e["node_id"] for e in examples]
    split = client.post(f"/v1/datasets/{dataset_id}/splits", json={"name": "all", "example_ids": ids})
    assert split.json()["data"]["example_count"] == 6001
    removed = client.patch(
        f"/v1/datasets/{dataset_id}/splits/{split.json()['data']['id']}", json={"remove_example_ids": ids[1:]}
    )
    assert removed.json()["data"]["example_count"] == 1
    experiment = client.post(f"/v1/datasets/{dataset_id}/experiments", json={}).json()["data"]
    assert experiment["example_count"] == 6001


def test_csv_export_uploads_back_with_nested_columns(client: TestClient) -> None:
    body = {"name": "orig", "inputs": [{"q": "a", "ctx": {"lang": "en"}}], "outputs": [{"a": "b"}]}
    dataset_id = client.post("/v1/datasets/upload?sync=true", json=body).json()["data"]["dataset_id"]
    exported = client.get(f"/v1/datasets/{dataset_id}/csv").content
    header = exported.decode().splitlines()[0].split(",")
    form = {
        "name": "copy",
        "input_keys[]": [h for h in header if h.startswith("input.")],
        "output_keys[]": [h for h in header if h.startswith("output.")],
    }
    copy = client.post(
        "/v1/datasets/upload?sync=true", data=form, files={"file": ("orig.csv", exported, "text/csv")}
    ).json()["data"]
    examples = client.get(f"/v1/datasets/{copy['dataset_id']}/examples").json()["data"]["examples"]
    assert [(e["input"], e["output"]) for e in examples] == [({"q": "a", "ctx": {"lang": "en"}}, {"a": "b"})]
