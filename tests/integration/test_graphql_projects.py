from __future__ import annotations

from fastapi.testclient import TestClient

from pyrewatch.ids import encode_global_id
from tests.conftest import ClientFactory
from tests.support.constants import AUTH_ENV
from tests.support.http_auth import gql

PROJECTS = """query ($first: Int, $after: String) {
  projects(first: $first, after: $after) {
    edges { cursor node { id name description createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def test_projects_connection_pages_newest_first(client: TestClient) -> None:
    for i in range(4):
        client.post("/v1/projects", json={"name": f"g{i}"})
    names: list[str] = []
    after = None
    while True:
        data = gql(client, PROJECTS, {"first": 2, "after": after})["data"]["projects"]
        names.extend(edge["node"]["name"] for edge in data["edges"])
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert names == ["g3", "g2", "g1", "g0", "default"]
    first = gql(client, PROJECTS, {"first": 1})["data"]["projects"]["edges"][0]["node"]
    assert first["id"] == encode_global_id("Project", 5)
    assert first["createdAt"]


def test_node_resolves_a_project_and_rejects_other_ids(client: TestClient) -> None:
    query = "query ($id: ID!) { node(id: $id) { id ... on Project { name } } }"
    data = gql(client, query, {"id": encode_global_id("Project", 1)})["data"]
    assert data == {"node": {"id": encode_global_id("Project", 1), "name": "default"}}
    for bad, message in [
        (encode_global_id("Project", 99), f"Unknown Project: {encode_global_id('Project', 99)}"),
        (encode_global_id("Project", 2**40), None),
        (encode_global_id("Nope", 1), "Unknown node type: Nope"),
        ("%%%", "Invalid GlobalID: %%%"),
    ]:
        body = gql(client, query, {"id": bad})
        assert body["data"] is None
        if message:
            assert body["errors"][0]["message"] == message


def test_bad_connection_cursor_is_an_error_not_a_crash(client: TestClient) -> None:
    body = gql(client, PROJECTS, {"first": 1, "after": "bogus"})
    assert body["errors"][0]["message"] == "Invalid cursor: bogus"


def test_graphql_projects_need_a_credential_when_auth_is_on(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    response = client.post("/graphql", json={"query": "{ projects { edges { node { name } } } }"})
    assert (response.status_code, response.text) == (401, "Invalid token")
