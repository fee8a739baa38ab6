from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pyrewatch.ids import encode_global_id
from tests.conftest import ClientFactory
from tests.factories import Database, make_project
from tests.support.constants import AUTH_ENV
from tests.support.http_auth import bearer, mint_system_key

DEFAULT_ID = encode_global_id("Project", 1)


def test_the_default_project_is_listed(client: TestClient) -> None:
    response = client.get("/v1/projects")
    assert response.status_code == 200
    assert response.json() == {
        "data": [{"id": DEFAULT_ID, "name": "default", "description": "Default project"}],
        "next_cursor": None,
    }


def test_created_projects_are_listed_newest_first_and_fetched_by_name_or_id(client: TestClient) -> None:
    created = client.post("/v1/projects", json={"name": "alpha", "description": "first"})
    assert created.status_code == 200
    project = created.json()["data"]
    assert project["name"] == "alpha" and project["description"] == "first"
    names = [p["name"] for p in client.get("/v1/projects").json()["data"]]
    assert names == ["alpha", "default"]
    assert client.get("/v1/projects/alpha").json() == {"data": project}
    assert client.get(f"/v1/projects/{project['id']}").json() == {"data": project}


def test_project_pages_follow_the_cursor_without_gaps_or_repeats(client: TestClient) -> None:
    for i in range(7):
        assert client.post("/v1/projects", json={"name": f"p{i}"}).status_code == 200
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/v1/projects", params=params).json()
        assert len(body["data"]) <= 3
        seen.extend(p["name"] for p in body["data"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"p{i}" for i in reversed(range(7))] + ["default"]


def test_name_contains_filters_case_insensitively_and_treats_wildcards_literally(client: TestClient) -> None:
    for name in ("Chat-Bot", "chatter", "other", "100%_done"):
        client.post("/v1/projects", json={"name": name})
    names = {p["name"] for p in client.get("/v1/projects", params={"name_contains": "CHAT"}).json()["data"]}
    assert names == {"Chat-Bot", "chatter"}
    names = {p["name"] for p in client.get("/v1/projects", params={"name_contains": "%_"}).json()["data"]}
    assert names == {"100%_done"}


def test_missing_projects_are_404_with_phoenix_texts(client: TestClient) -> None:
    response = client.get("/v1/projects/nope")
    assert (response.status_code, response.text) == (404, "Project with name nope not found")
    missing_id = encode_global_id("Project", 999)
    response = client.get(f"/v1/projects/{missing_id}")
    assert (response.status_code, response.text) == (404, f"Project with ID {missing_id} not found")


@pytest.mark.parametrize(
    "identifier",
    [encode_global_id("Project", 2**40), encode_global_id("Project", 2**63 - 1), "a%00b", "x" * 5000, "%F0%9F%92%A9"],
)
def test_odd_project_identifiers_are_404_not_server_errors(client: TestClient, identifier: str) -> None:
    assert client.get(f"/v1/projects/{identifier}").status_code == 404


@pytest.mark.parametrize("cursor", ["garbage", encode_global_id("Span", 1), encode_global_id("Project", 2**40), "%00"])
def test_bad_project_cursors_are_422(client: TestClient, cursor: str) -> None:
    response = client.get(f"/v1/projects?cursor={cursor}")
    assert response.status_code == 422
    assert response.text.startswith("Invalid cursor format:")


@pytest.mark.parametrize("limit", ["0", "-1", "abc"])
def test_bad_limits_are_json_422(client: TestClient, limit: str) -> None:
    response = client.get(f"/v1/projects?limit={limit}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]


def test_huge_limits_are_served_in_capped_pages(client: TestClient) -> None:
    response = client.get("/v1/projects", params={"limit": 10**12})
    assert response.status_code == 200
    assert len(response.json()["data"]) == 1


def test_duplicate_project_name_is_409(client: TestClient) -> None:
    assert client.post("/v1/projects", json={"name": "dup"}).status_code == 200
    response = client.post("/v1/projects", json={"name": "dup"})
    assert (response.status_code, response.text) == (409, "Project with name dup already exists")


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": 5}, {"name": "a", "description": 3}],
)
def test_malformed_create_bodies_are_json_422(client: TestClient, body: dict[str, object]) -> None:
    response = client.post("/v1/projects", json=body)
    assert response.status_code == 422
    assert "detail" in response.json()


@pytest.mark.parametrize("name", ["   ", "a/b", "a?b", "a#b", "x" * 256, "nul\x00byte", encode_global_id("Project", 7)])
def test_unusable_project_names_are_refused(client: TestClient, name: str) -> None:
    response = client.post("/v1/projects", json={"name": name})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/plain")


def test_update_changes_only_the_description(client: TestClient) -> None:
    client.post("/v1/projects", json={"name": "upd", "description": "old"})
    response = client.put("/v1/projects/upd", json={"description": "new", "name": "renamed"})
    assert response.status_code == 200
    assert response.json()["data"]["name"] == "upd"
    assert client.get("/v1/projects/upd").json()["data"]["description"] == "new"
    assert client.put("/v1/projects/upd", json={"description": None}).json()["data"]["description"] is None


def test_delete_removes_the_project_and_its_data(client: TestClient, database_env: dict[str, str]) -> None:
    project_id = client.post("/v1/projects", json={"name": "gone"}).json()["data"]["id"]
    response = client.delete(f"/v1/projects/{project_id}")
    assert (response.status_code, response.content) == (204, b"")
    assert client.get("/v1/projects/gone").status_code == 404
    assert client.delete("/v1/projects/gone").status_code == 404


def test_the_default_project_cannot_be_deleted(client: TestClient) -> None:
    response = client.delete("/v1/projects/default")
    assert (response.status_code, response.text) == (403, "The default project cannot be deleted")
    assert client.get("/v1/projects/default").status_code == 200


def test_projects_need_a_credential_when_auth_is_on(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    for method, path in [("GET", "/v1/projects"), ("POST", "/v1/projects"), ("DELETE", "/v1/projects/default")]:
        response = client.request(method, path, json={"name": "x"})
        assert (response.status_code, response.text) == (401, "Invalid token")
    response = client.get("/v1/projects", headers={"Authorization": "Bearer not-a-key"})
    assert response.status_code == 401


def test_a_system_key_reads_and_creates_but_does_not_administer_projects(make_client: ClientFactory) -> None:
    """As in Phoenix's permission matrix, updating and deleting projects is for admins only."""
    client = make_client(AUTH_ENV)
    headers = bearer(mint_system_key(client).token)
    assert client.get("/v1/projects", headers=headers).status_code == 200
    assert client.post("/v1/projects", json={"name": "k"}, headers=headers).status_code == 200
    for response in (
        client.put("/v1/projects/k", json={"description": "d"}, headers=headers),
        client.delete("/v1/projects/k", headers=headers),
    ):
        assert (response.status_code, response.text) == (403, "Only admin or system users can perform this action.")
    assert client.get("/v1/projects/k", headers=headers).status_code == 200


def test_projects_seeded_in_the_database_are_served(client: TestClient, database_env: dict[str, str]) -> None:
    project = Database(database_env).run(lambda s: make_project(s, "seeded", "from factory"))
    body = client.get("/v1/projects/seeded").json()
    assert body == {
        "data": {"id": encode_global_id("Project", project.id), "name": "seeded", "description": "from factory"}
    }
