"""Scoped and project-bound keys on every surface: REST, GraphQL, OTLP over HTTP and gRPC."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from fastapi.testclient import TestClient

from tests.conftest import ClientFactory
from tests.support.apps import app_state
from tests.support.http_auth import ADMIN_HEADERS, bearer, gql
from tests.support.logins import IDENTITY_ENV, access_token, member_session
from tests.support.otlp import many_spans, protobuf_body
from tests.support.sessions import export, turns

EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
PROTOBUF = {"content-type": "application/x-protobuf"}
SCOPE_DENIED = (403, "This API key's scopes do not allow this action.")
PROJECT_DENIED = (403, "This API key is not bound to this project.")


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client(IDENTITY_ENV)


@pytest.fixture
def channel(client: TestClient) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{app_state(client).grpc_port}") as chan:
        yield chan


def _system_key(client: TestClient, **data: Any) -> dict[str, Any]:
    response = client.post("/v1/system/api_keys", json={"data": {"name": "scoped", **data}}, headers=ADMIN_HEADERS)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()["data"]
    return created


def _auth(key: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {key['key']}"}


def _ingest(client: TestClient, key: dict[str, Any], project: str) -> tuple[int, str]:
    body = protobuf_body(many_spans(1, project))
    response = client.post("/v1/traces", content=body, headers={**PROTOBUF, **_auth(key)})
    return response.status_code, response.text


def _grpc(channel: grpc.Channel, key: dict[str, Any], project: str) -> grpc.StatusCode | None:
    call = channel.unary_unary(EXPORT, request_serializer=None, response_deserializer=None)
    try:
        call(protobuf_body(many_spans(1, project)), metadata=(("authorization", f"Bearer {key['key']}"),), timeout=10)
    except grpc.RpcError as exc:
        code: grpc.StatusCode = exc.code()
        return code
    return None


def _status(response: Any) -> tuple[int, str]:
    return response.status_code, response.text


def test_scopes_and_projects_are_stored_and_listed_everywhere(client: TestClient) -> None:
    bound = _system_key(client, scopes=["read", "ingest", "read"], projects=["beta", "alpha"])
    assert (bound["scopes"], bound["projects"]) == (["ingest", "read"], ["alpha", "beta"])
    full = _system_key(client)
    assert "scopes" not in full and "projects" not in full
    listed = {k["id"]: k for k in client.get("/v1/system/api_keys", headers=ADMIN_HEADERS).json()["data"]}
    assert (listed[bound["id"]]["scopes"], listed[bound["id"]]["projects"]) == (["ingest", "read"], ["alpha", "beta"])
    assert "scopes" not in listed[full["id"]]
    graphql = gql(client, "{systemApiKeys{id scopes projects}}", headers=ADMIN_HEADERS)["data"]["systemApiKeys"]
    by_id = {k["id"]: k for k in graphql}
    assert by_id[bound["id"]] == {"id": bound["id"], "scopes": ["ingest", "read"], "projects": ["alpha", "beta"]}
    assert by_id[full["id"]]["scopes"] is None and by_id[full["id"]]["projects"] is None


def test_user_keys_carry_scopes_on_rest_and_graphql(client: TestClient) -> None:
    session = member_session(client, "scoped-owner@example.com", "MEMBER")
    rest = client.post(
        "/v1/user/api_keys",
        json={"data": {"name": "r", "scopes": ["read"], "projects": ["default"]}},
        headers=bearer(access_token(session)),
    )
    assert rest.status_code == 201, rest.text
    minted = gql(
        client,
        'mutation{createUserApiKey(input:{name:"i",scopes:["ingest"]}){apiKey{id scopes projects}}}',
        headers=bearer(access_token(session)),
    )
    assert minted["data"]["createUserApiKey"]["apiKey"]["scopes"] == ["ingest"]
    own = {k["name"]: k for k in client.get("/v1/user/api_keys", headers=bearer(access_token(session))).json()["data"]}
    assert (own["r"]["scopes"], own["r"]["projects"], own["i"]["scopes"]) == (["read"], ["default"], ["ingest"])
    everyone = client.get("/v1/users/api_keys", headers=ADMIN_HEADERS).json()["data"]
    assert {k["name"]: k.get("scopes") for k in everyone} == {"r": ["read"], "i": ["ingest"]}
    viewer = gql(client, "{viewer{apiKeys{name scopes projects}}}", token=access_token(session))["data"]["viewer"][
        "apiKeys"
    ]
    assert {k["name"]: (k["scopes"], k["projects"]) for k in viewer} == {
        "r": (["read"], ["default"]),
        "i": (["ingest"], None),
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"scopes": ["write"]}, "Unknown scope 'write'"),
        ({"scopes": []}, "scopes must not be empty"),
        ({"projects": []}, "projects must not be empty"),
        ({"projects": ["a/b"]}, "Invalid project 'a/b'"),
        ({"projects": ["UHJvamVjdDo5OTk5"]}, "Project with ID UHJvamVjdDo5OTk5 not found"),
    ],
)
def test_bad_scopes_or_projects_are_refused(client: TestClient, data: dict[str, Any], message: str) -> None:
    response = client.post("/v1/system/api_keys", json={"data": {"name": "bad", **data}}, headers=ADMIN_HEADERS)
    assert response.status_code == 422 and message in response.text, response.text
    scopes = data.get("scopes", ["read"])
    projects = data.get("projects", ["default"])
    query = 'mutation($s:[String!],$p:[String!]){createSystemApiKey(input:{name:"b",scopes:$s,projects:$p}){jwt}}'
    result = gql(client, query, {"s": scopes, "p": projects}, headers=ADMIN_HEADERS)
    assert message in result["errors"][0]["message"]


def test_a_project_id_binds_the_project_by_name(client: TestClient) -> None:
    project = client.post("/v1/projects", json={"name": "by-id"}, headers=ADMIN_HEADERS).json()["data"]
    key = _system_key(client, projects=[project["id"]])
    assert key["projects"] == ["by-id"]


def test_ingest_scope_on_every_surface(client: TestClient, channel: grpc.Channel) -> None:
    key = _system_key(client, scopes=["ingest"], projects=["mine"])
    assert _ingest(client, key, "mine")[0] == 200
    assert _ingest(client, key, "theirs") == PROJECT_DENIED
    assert _grpc(channel, key, "mine") is None
    assert _grpc(channel, key, "theirs") is grpc.StatusCode.PERMISSION_DENIED
    for path in ("/v1/projects", "/v1/projects/mine/spans", "/v1/system/api_keys"):
        assert _status(client.get(path, headers=_auth(key))) == SCOPE_DENIED
    spans = client.post("/v1/spans", json={"queries": [{}], "project_name": "mine"}, headers=_auth(key))
    assert _status(spans) == SCOPE_DENIED
    assert _status(client.post("/v1/projects", json={"name": "new"}, headers=_auth(key))) == SCOPE_DENIED
    query = client.post("/graphql", json={"query": "{projects{edges{node{name}}}}"}, headers=_auth(key))
    assert query.json()["errors"][0]["message"] == "This API key's scopes do not allow this action"
    mutation = client.post(
        "/graphql", json={"query": 'mutation{createSystemApiKey(input:{name:"x"}){jwt}}'}, headers=_auth(key)
    )
    assert mutation.json()["errors"][0]["message"] == "This API key's scopes do not allow this action"


def test_an_unbound_ingest_key_may_ingest_anywhere_but_not_read(client: TestClient, channel: grpc.Channel) -> None:
    key = _system_key(client, scopes=["ingest"])
    assert _ingest(client, key, "anywhere")[0] == 200
    assert _grpc(channel, key, "elsewhere") is None
    assert _status(client.get("/v1/projects", headers=_auth(key))) == SCOPE_DENIED


def test_read_scope_on_every_surface(client: TestClient, channel: grpc.Channel) -> None:
    writer = _system_key(client)
    for project in ("seen", "hidden"):
        assert _ingest(client, writer, project)[0] == 200
    key = _system_key(client, scopes=["read"], projects=["seen"])
    listed = client.get("/v1/projects", headers=_auth(key))
    assert [p["name"] for p in listed.json()["data"]] == ["seen"]
    assert len(client.get("/v1/projects/seen/spans", headers=_auth(key)).json()["data"]) == 1
    assert _status(client.get("/v1/projects/hidden/spans", headers=_auth(key))) == PROJECT_DENIED
    assert _status(client.get("/v1/projects/hidden/traces", headers=_auth(key))) == PROJECT_DENIED
    assert _status(client.get("/v1/projects/hidden", headers=_auth(key))) == PROJECT_DENIED
    table = client.post("/v1/spans", json={"queries": [{}], "project_name": "seen"}, headers=_auth(key))
    assert table.status_code == 200, table.text
    hidden = client.post("/v1/spans", json={"queries": [{}], "project_name": "hidden"}, headers=_auth(key))
    assert _status(hidden) == PROJECT_DENIED
    assert _ingest(client, key, "seen") == SCOPE_DENIED
    assert _grpc(channel, key, "seen") is grpc.StatusCode.PERMISSION_DENIED
    assert _status(client.post("/v1/projects", json={"name": "seen2"}, headers=_auth(key))) == SCOPE_DENIED
    projects = gql(client, "{projects{edges{node{name}}}}", headers=_auth(key))["data"]["projects"]["edges"]
    assert [edge["node"]["name"] for edge in projects] == ["seen"]
    denied = gql(client, 'mutation{createSystemApiKey(input:{name:"x"}){jwt}}', headers=_auth(key))
    assert denied["errors"][0]["message"] == "This API key's scopes do not allow this action"


def test_a_project_bound_full_role_key_writes_only_its_projects(client: TestClient) -> None:
    writer = _system_key(client)
    assert _ingest(client, writer, "other")[0] == 200
    span_id = client.get("/v1/projects/other/spans", headers=_auth(writer)).json()["data"][0]["context"]["span_id"]
    key = _system_key(client, projects=["own"])
    assert _ingest(client, key, "own")[0] == 200
    assert _status(client.delete(f"/v1/spans/{span_id}", headers=_auth(key))) == PROJECT_DENIED
    note = client.post("/v1/span_notes", json={"data": {"span_id": span_id, "note": "x"}}, headers=_auth(key))
    assert _status(note) == PROJECT_DENIED
    assert _status(client.post("/v1/projects", json={"name": "not-own"}, headers=_auth(key))) == PROJECT_DENIED
    assert client.delete(f"/v1/spans/{span_id}", headers=_auth(writer)).status_code == 204


def test_scopes_only_narrow_the_owners_role(client: TestClient) -> None:
    session = member_session(client, "scoped-viewer@example.com", "VIEWER")
    minted = gql(
        client, 'mutation{createUserApiKey(input:{name:"v",scopes:["ingest"]}){jwt}}', token=access_token(session)
    )
    key = {"key": minted["data"]["createUserApiKey"]["jwt"]}
    assert _ingest(client, key, "default") == (403, "Viewers cannot perform this action.")


def test_a_bound_key_cannot_tell_other_projects_from_missing_ones(client: TestClient) -> None:
    writer = _system_key(client)
    assert _ingest(client, writer, "exists")[0] == 200
    key = _system_key(client, scopes=["read"], projects=["mine"])
    for name in ("exists", "missing"):
        assert _status(client.get(f"/v1/projects/{name}/spans", headers=_auth(key))) == PROJECT_DENIED
        table = client.post("/v1/spans", json={"queries": [{}], "project_name": name}, headers=_auth(key))
        assert _status(table) == PROJECT_DENIED


def test_a_bound_key_reaches_no_session_trace_or_span_of_other_projects(client: TestClient) -> None:
    """Rows found by their own id (sessions, traces, spans) are checked against the key's projects too."""
    export(client, turns("conv-other", ["q"], project="other"), ADMIN_HEADERS)
    trace_id = client.get("/v1/projects/other/traces", headers=ADMIN_HEADERS).json()["data"][0]["trace_id"]
    bound = _system_key(client, projects=["own"])
    assert _ingest(client, bound, "own")[0] == 200
    key = _auth(bound)
    refused = [
        client.get("/v1/projects/other/sessions", headers=key),
        client.get("/v1/sessions/conv-other", headers=key),
        client.delete("/v1/sessions/conv-other", headers=key),
        client.post("/v1/sessions/delete", json={"session_identifiers": ["conv-other"]}, headers=key),
        client.post(
            "/v1/trace_annotations?sync=true",
            json={"data": [{"trace_id": trace_id, "name": "q", "annotator_kind": "HUMAN", "result": {"label": "x"}}]},
            headers=key,
        ),
        client.post("/v1/trace_notes", json={"data": {"trace_id": trace_id, "note": "x"}}, headers=key),
        client.get("/v1/projects/other/trace_annotations", params={"trace_ids": trace_id}, headers=key),
        client.post(
            "/v1/traces/transfer",
            json={"trace_identifiers": [trace_id], "destination_project_identifier": "own"},
            headers=key,
        ),
        client.get("/v1/projects/other/spans/otlpv1", headers=key),
        client.get("/v1/projects/other/annotation_configs", headers=key),
    ]
    assert [_status(response) for response in refused] == [PROJECT_DENIED] * len(refused)
    # Nothing moved or went away.
    assert client.get("/v1/sessions/conv-other", headers=ADMIN_HEADERS).status_code == 200
    assert client.get("/v1/projects/other/traces", headers=ADMIN_HEADERS).json()["data"][0]["trace_id"] == trace_id
