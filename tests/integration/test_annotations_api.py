from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from pyrewatch.db.models import Span
from pyrewatch.db.session import Session
from pyrewatch.ids import encode_global_id
from tests.factories import Database, make_annotation, make_project, make_span, make_trace


def _seed(database_env: dict[str, str]) -> tuple[Span, Span, Span]:
    async def seed(session: Session) -> tuple[Span, Span, Span]:
        project = await make_project(session, "app")
        trace = await make_trace(session, project)
        first = await make_span(session, trace, name="first")
        second = await make_span(session, trace, name="second")
        other = await make_span(session, await make_trace(session, await make_project(session, "other")))
        return first, second, other

    return Database(database_env).run(seed)


def _annotation(span_id: str | None, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "quality",
        "annotator_kind": "HUMAN",
        "result": {"label": "good", "score": 0.9, "explanation": "fine"},
        "metadata": {"by": "test"},
        "span_id": span_id,
        **overrides,
    }


def _list(client: TestClient, **params: Any) -> Any:
    response = client.get("/v1/projects/app/span_annotations", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_sync_annotation_is_stored_and_read_back(client: TestClient, database_env: dict[str, str]) -> None:
    first, _, _ = _seed(database_env)
    response = client.post("/v1/span_annotations?sync=true", json={"data": [_annotation(first.span_id)]})
    assert response.status_code == 200
    [inserted] = response.json()["data"]
    body = _list(client, span_ids=first.span_id)
    [annotation] = body["data"]
    assert body["next_cursor"] is None
    assert annotation["id"] == inserted["id"]
    assert {k: annotation[k] for k in ("span_id", "name", "annotator_kind", "result", "metadata", "identifier")} == {
        "span_id": first.span_id,
        "name": "quality",
        "annotator_kind": "HUMAN",
        "result": {"label": "good", "score": 0.9, "explanation": "fine"},
        "metadata": {"by": "test"},
        "identifier": "",
    }
    assert annotation["source"] == "API" and annotation["user_id"] is None
    assert annotation["created_at"].endswith("+00:00")


def test_annotations_upsert_on_name_span_and_identifier(client: TestClient, database_env: dict[str, str]) -> None:
    first, _, _ = _seed(database_env)
    url = "/v1/span_annotations?sync=true"
    a = client.post(url, json={"data": [_annotation(first.span_id)]}).json()["data"][0]["id"]
    b = client.post(url, json={"data": [_annotation(first.span_id, result={"label": "bad"})]}).json()["data"][0]["id"]
    c = client.post(url, json={"data": [_annotation(first.span_id, identifier="run-2")]}).json()["data"][0]["id"]
    assert a == b != c
    labels = {(x["identifier"], x["result"]["label"]) for x in _list(client, span_ids=first.span_id)["data"]}
    assert labels == {("", "bad"), ("run-2", "good")}
    assert [x["id"] for x in _list(client, identifier="run-2")["data"]] == [c]


def test_async_annotation_answers_empty_data_and_is_stored(client: TestClient, database_env: dict[str, str]) -> None:
    first, _, _ = _seed(database_env)
    response = client.post("/v1/span_annotations", json={"data": [_annotation(first.span_id), _annotation("f" * 16)]})
    assert (response.status_code, response.json()) == (200, {"data": []})
    assert len(_list(client, span_ids=first.span_id)["data"]) == 1


def test_sync_annotation_of_unknown_spans_is_404_and_stores_nothing(
    client: TestClient, database_env: dict[str, str]
) -> None:
    first, _, _ = _seed(database_env)
    body = {"data": [_annotation(first.span_id), _annotation("0" * 16)]}
    response = client.post("/v1/span_annotations?sync=true", json=body)
    assert (response.status_code, response.text) == (404, f"Spans with IDs {'0' * 16} do not exist.")
    assert _list(client, span_ids=first.span_id)["data"] == []


def test_the_note_name_is_reserved(client: TestClient, database_env: dict[str, str]) -> None:
    first, _, _ = _seed(database_env)
    response = client.post("/v1/span_annotations?sync=true", json={"data": [_annotation(first.span_id, name="note")]})
    assert response.status_code == 400
    assert response.text.startswith("The name 'note' is reserved")


@pytest.mark.parametrize(
    "item",
    [
        {"annotator_kind": "ROBOT"},
        {"result": {"score": "high"}},
        {"metadata": [1]},
        {"name": None},
        {"span_id": 5},
    ],
)
def test_malformed_annotations_are_json_422(client: TestClient, item: dict[str, Any]) -> None:
    response = client.post("/v1/span_annotations", json={"data": [{**_annotation("a" * 16), **item}]})
    assert response.status_code == 422
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "item",
    [
        {"name": "x" * 256},
        {"name": ""},
        {"identifier": "i" * 256},
        {"result": {"label": "a\x00b"}},
        {"metadata": {"k": "\x00"}},
    ],
)
def test_unstorable_annotations_are_plain_422(
    client: TestClient, database_env: dict[str, str], item: dict[str, Any]
) -> None:
    first, _, _ = _seed(database_env)
    response = client.post("/v1/span_annotations?sync=true", json={"data": [_annotation(first.span_id, **item)]})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/plain")


def test_non_finite_scores_are_refused(client: TestClient) -> None:
    body = '{"data":[{"span_id":"aaaaaaaaaaaaaaaa","name":"q","annotator_kind":"LLM","result":{"score":NaN}}]}'
    response = client.post("/v1/span_annotations", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_span_notes_append_unless_an_identifier_is_given(client: TestClient, database_env: dict[str, str]) -> None:
    first, _, _ = _seed(database_env)
    for _ in range(2):
        response = client.post("/v1/span_notes", json={"data": {"span_id": first.span_id, "note": "look"}})
        assert response.status_code == 200
        assert response.json()["data"]["id"]
    keyed = [
        client.post("/v1/span_notes", json={"data": {"span_id": first.span_id, "note": n, "identifier": "k"}}).json()
        for n in ("v1", "v2")
    ]
    assert keyed[0] == keyed[1]
    notes = _list(client, span_ids=first.span_id, include_annotation_names="note")["data"]
    assert len(notes) == 3
    assert {n["result"]["explanation"] for n in notes} == {"look", "v2"}
    assert all(n["annotator_kind"] == "HUMAN" for n in notes)
    assert sum(n["identifier"].startswith("px-span-note:") for n in notes) == 2
    assert _list(client, span_ids=first.span_id, exclude_annotation_names="note")["data"] == []


def test_a_note_on_an_unknown_span_is_404(client: TestClient) -> None:
    response = client.post("/v1/span_notes", json={"data": {"span_id": "0" * 16, "note": "x"}})
    assert (response.status_code, response.text) == (404, f"Span with ID {'0' * 16} not found")
    assert client.post("/v1/span_notes", json={"data": {"span_id": "", "note": "x"}}).status_code == 422


def test_annotation_listing_pages_and_filters(client: TestClient, database_env: dict[str, str]) -> None:
    first, second, other = _seed(database_env)

    async def seed(session: Session) -> list[int]:
        rows = [await make_annotation(session, span, name=f"n{i}") for i, span in enumerate([first, second] * 4)]
        await make_annotation(session, other, name="foreign")
        return [row.id for row in rows]

    ids = Database(database_env).run(seed)
    seen: list[str] = []
    params: dict[str, Any] = {"span_ids": [first.span_id, second.span_id], "limit": 3}
    while True:
        body = _list(client, **params)
        seen.extend(a["id"] for a in body["data"])
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert seen == [encode_global_id("SpanAnnotation", i) for i in reversed(ids)]
    named = _list(client, span_ids=[first.span_id], include_annotation_names=["n0", "n1", "n2"])["data"]
    assert [a["name"] for a in named] == ["n2", "n0"]


def test_annotation_listing_refuses_bad_requests(client: TestClient, database_env: dict[str, str]) -> None:
    _, _, other = _seed(database_env)
    response = client.get("/v1/projects/app/span_annotations")
    assert (response.status_code, response.text) == (422, "At least one of span_ids or identifier must be supplied")
    response = client.get("/v1/projects/app/span_annotations", params={"span_ids": other.span_id})
    assert (response.status_code, response.text) == (404, "None of the supplied span_ids exist in this project")
    response = client.get("/v1/projects/app/span_annotations", params={"span_ids": ["x"] * 1001})
    assert response.status_code == 422
    response = client.get("/v1/projects/app/span_annotations", params={"span_ids": "x", "cursor": "bad"})
    assert response.status_code == 422
    assert client.get("/v1/projects/app/span_annotations", params={"span_ids": "x", "limit": 10_001}).status_code == 422
    assert client.get("/v1/projects/ghost/span_annotations", params={"span_ids": "x"}).status_code == 404


def test_deleting_annotations_needs_a_window_or_delete_all(client: TestClient, database_env: dict[str, str]) -> None:
    first, second, other = _seed(database_env)

    async def seed(session: Session) -> None:
        for span in (first, second):
            await make_annotation(session, span, name="keep", identifier="a")
            await make_annotation(session, span, name="drop", annotator_kind="LLM")
        await make_annotation(session, other, name="drop")

    Database(database_env).run(seed)
    url = "/v1/projects/app/span_annotations"
    response = client.delete(url, params={"name": "drop"})
    assert (response.status_code, response.text) == (422, "Supply both start_time and end_time, or set delete_all=true")
    window = {"start_time": "2030-01-01T00:00:00", "end_time": "2020-01-01T00:00:00"}
    assert client.delete(url, params=window).status_code == 422
    assert client.delete(url, params={"name": ""}).status_code == 422
    # A window that holds nothing deletes nothing and still answers 204.
    empty = {"start_time": "2000-01-01T00:00:00", "end_time": "2000-01-02T00:00:00"}
    assert client.delete(url, params=empty).status_code == 204
    assert len(_list(client, span_ids=[first.span_id, second.span_id])["data"]) == 4
    response = client.delete(url, params={"delete_all": "true", "name": "drop", "annotator_kind": "LLM"})
    assert (response.status_code, response.content) == (204, b"")
    assert {a["name"] for a in _list(client, span_ids=[first.span_id, second.span_id])["data"]} == {"keep"}
    # Another project's annotations are untouched.
    assert [
        a["name"]
        for a in client.get("/v1/projects/other/span_annotations", params={"span_ids": other.span_id}).json()["data"]
    ] == ["drop"]
    assert (
        client.delete(url, params={"start_time": "2000-01-01T00:00:00", "end_time": "2100-01-01T00:00:00"}).status_code
        == 204
    )
    assert _list(client, span_ids=[first.span_id, second.span_id])["data"] == []
