"""The project list is served from memory; every change made through this server shows at once."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.apps import app_state
from tests.support.otlp import many_spans, protobuf_body


def _names(client: TestClient) -> list[str]:
    return [p["name"] for p in client.get("/v1/projects").json()["data"]]


def test_project_changes_show_in_the_very_next_listing(client: TestClient) -> None:
    assert _names(client) == ["default"]
    assert client.post("/v1/projects", json={"name": "made"}).status_code == 200
    assert _names(client) == ["made", "default"]
    assert client.put("/v1/projects/made", json={"description": "changed"}).status_code == 200
    listed = client.get("/v1/projects").json()["data"][0]
    assert (listed["name"], listed["description"]) == ("made", "changed")
    assert client.delete("/v1/projects/made").status_code == 204
    assert _names(client) == ["default"]


def test_a_project_created_by_ingest_shows_in_the_very_next_listing(client: TestClient) -> None:
    assert _names(client) == ["default"]
    exported = client.post(
        "/v1/traces",
        content=protobuf_body(many_spans(2, project="from-ingest")),
        headers={"Content-Type": "application/x-protobuf"},
    )
    assert exported.status_code == 200
    assert _names(client) == ["from-ingest", "default"]
    # A second export to a known project keeps the list as it is.
    client.post(
        "/v1/traces",
        content=protobuf_body(many_spans(1, project="from-ingest")),
        headers={"Content-Type": "application/x-protobuf"},
    )
    assert _names(client) == ["from-ingest", "default"]


def test_name_filters_and_pages_are_served_from_the_same_list(client: TestClient) -> None:
    for name in ("alpha", "Beta", "gamma"):
        client.post("/v1/projects", json={"name": name})
    assert [p["name"] for p in client.get("/v1/projects?name_contains=bET").json()["data"]] == ["Beta"]
    first = client.get("/v1/projects?limit=2").json()
    assert [p["name"] for p in first["data"]] == ["gamma", "Beta"]
    rest = client.get(f"/v1/projects?limit=2&cursor={first['next_cursor']}").json()
    assert [p["name"] for p in rest["data"]] == ["alpha", "default"]
    assert rest["next_cursor"] is None


def test_more_projects_than_the_directory_keeps_are_listed_from_the_database(client: TestClient) -> None:
    directory = app_state(client).projects
    directory._max = 2
    for name in ("p1", "p2", "p3"):
        assert client.post("/v1/projects", json={"name": name}).status_code == 200
    assert _names(client) == ["p3", "p2", "p1", "default"]
    assert client.post("/v1/projects", json={"name": "p4"}).status_code == 200
    assert _names(client)[0] == "p4"
