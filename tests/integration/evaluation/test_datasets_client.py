"""Datasets through the real ``phoenix.client.Client``, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from phoenix.client import Client

pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout' argument")


@pytest.fixture
def phoenix(client: TestClient) -> Client:
    return Client(http_client=client)


def test_create_append_and_read_every_version(phoenix: Client) -> None:
    created = phoenix.datasets.create_dataset(
        name="qa",
        examples=[
            {"input": {"q": "2+2"}, "output": {"a": "4"}, "metadata": {"src": "m"}},
            {"input": {"q": "3+3"}, "output": {"a": "6"}},
        ],
        dataset_description="arithmetic",
    )
    assert len(created) == 2
    assert created.description == "arithmetic"
    first_version = created.version_id
    grown = phoenix.datasets.add_examples_to_dataset(
        dataset="qa", examples=[{"input": {"q": "4+4"}, "output": {"a": "8"}}]
    )
    assert len(grown) == 3
    assert grown.version_id != first_version
    latest = phoenix.datasets.get_dataset(dataset="qa")
    assert [e["input"]["q"] for e in latest.examples] == ["2+2", "3+3", "4+4"]
    old = phoenix.datasets.get_dataset(dataset=created.id, version_id=first_version)
    assert [e["input"]["q"] for e in old.examples] == ["2+2", "3+3"]
    assert old.examples[0]["metadata"] == {"src": "m"}
    versions = phoenix.datasets.get_dataset_versions(dataset="qa")
    assert [v["version_id"] for v in versions] == [grown.version_id, first_version]
    assert [d["name"] for d in phoenix.datasets.list()] == ["qa"]
    frame = latest.to_dataframe()
    assert len(frame) == 3


def test_create_twice_replaces_content_and_identical_upload_makes_no_version(phoenix: Client) -> None:
    examples = [{"input": {"q": "a"}, "output": {"r": "1"}}, {"input": {"q": "b"}, "output": {"r": "2"}}]
    first = phoenix.datasets.create_dataset(name="d", examples=examples)
    again = phoenix.datasets.create_dataset(name="d", examples=examples)
    assert again.version_id == first.version_id
    changed = phoenix.datasets.create_dataset(name="d", examples=[examples[0]])
    assert len(changed) == 1
    assert changed.version_id != first.version_id
    assert len(phoenix.datasets.get_dataset(dataset="d", version_id=first.version_id)) == 2
    # Listings count the latest version: the deleted example is gone there.
    phoenix.datasets.add_examples_to_dataset(dataset="d", examples=[{"input": {"q": "c"}, "output": {}}])
    assert [(d["name"], d["example_count"]) for d in phoenix.datasets.list()] == [("d", 2)]


def test_create_from_dataframe_and_csv_file(phoenix: Client, tmp_path: Path) -> None:
    frame = pd.DataFrame({"question": ["q1", "q2"], "answer": ["a1", "a2"], "src": ["x", "y"]})
    from_frame = phoenix.datasets.create_dataset(name="frame", dataframe=frame)
    assert [e["input"] for e in from_frame.examples] == [{"question": "q1"}, {"question": "q2"}]
    assert [e["output"] for e in from_frame.examples] == [{"answer": "a1"}, {"answer": "a2"}]
    assert from_frame.examples[0]["metadata"] == {"src": "x"}
    assert from_frame.description == "dataframe.csv"
    path = tmp_path / "cases.csv"
    path.write_text("prompt,expected,split\nhello,world,train\nbye,moon,test\n")
    from_csv = phoenix.datasets.create_dataset(
        name="csv", csv_file_path=path, input_keys=["prompt"], output_keys=["expected"], split_key="split"
    )
    assert [e["output"]["expected"] for e in from_csv.examples] == ["world", "moon"]
    train = phoenix.datasets.get_dataset(dataset="csv", splits=["train"])
    assert [e["input"]["prompt"] for e in train.examples] == ["hello"]


def test_external_ids_patch_in_place(phoenix: Client) -> None:
    first = phoenix.datasets.create_dataset(
        name="ids", examples=[{"id": "e1", "input": {"q": "a"}, "output": {"r": "1"}}]
    )
    node_id = first.examples[0]["node_id"]
    assert first.examples[0]["id"] == "e1"
    second = phoenix.datasets.create_dataset(
        name="ids", examples=[{"id": "e1", "input": {"q": "a"}, "output": {"r": "2"}}]
    )
    assert second.examples[0]["node_id"] == node_id
    assert second.examples[0]["output"] == {"r": "2"}


def test_dataframe_with_id_column_updates_by_external_id(phoenix: Client) -> None:
    frame = pd.DataFrame({"key": ["k1", "k2"], "question": ["q1", "q2"], "answer": ["a1", "a2"]})
    first = phoenix.datasets.create_dataset(
        name="keyed", dataframe=frame, input_keys=["question"], output_keys=["answer"], example_id_key="key"
    )
    assert [e["id"] for e in first.examples] == ["k1", "k2"]
    changed = frame.assign(answer=["a1", "changed"])
    second = phoenix.datasets.create_dataset(
        name="keyed", dataframe=changed, input_keys=["question"], output_keys=["answer"], example_id_key="key"
    )
    assert [e["node_id"] for e in second.examples] == [e["node_id"] for e in first.examples]
    assert second.examples[1]["output"] == {"answer": "changed"}
    versions = phoenix.datasets.get_dataset_versions(dataset="keyed")
    assert len(versions) == 2
