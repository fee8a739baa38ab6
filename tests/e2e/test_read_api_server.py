"""The read API of a real ``pyrewatch serve`` process with auth on, used by the real Phoenix
client and by plain HTTP with keys of every role. One server per dialect for the module."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from phoenix.client import Client

from pyrewatch.db.models import Span
from pyrewatch.db.session import Session
from tests.factories import Database, make_llm_trace, make_project
from tests.support.actors import make_actor
from tests.support.constants import AUTH_ENV
from tests.support.databases import drop_schema
from tests.support.http_auth import mint_system_key
from tests.support.server import ServerProcess

pytestmark = pytest.mark.e2e


@dataclass
class Served:
    url: str
    db: Database
    system_key: str
    keys: dict[str, str]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp: Path = tmp_path_factory.mktemp("readapi")
    env = {**AUTH_ENV, "PHOENIX_WORKING_DIR": str(tmp / "work")}
    schema = None
    if request.param == "sqlite":
        env["PHOENIX_SQL_DATABASE_URL"] = f"sqlite:///{tmp / 'server.db'}"
    else:
        url: str = request.getfixturevalue("postgres_url")
        schema = f"t_{secrets.token_hex(6)}"
        env.update({"PHOENIX_SQL_DATABASE_URL": url, "PHOENIX_SQL_DATABASE_SCHEMA": schema})
    server = ServerProcess(env=env, log_path=tmp / "server.log").start()
    try:
        with httpx.Client(base_url=server.url) as http:
            system_key = mint_system_key(http, name="e2e").token
        db = Database(env)
        keys = {role: make_actor(db, role, via="key").token for role in ("VIEWER", "MEMBER", "ADMIN")}
        yield Served(url=server.url, db=db, system_key=system_key, keys=keys)
    finally:
        server.stop()
        if schema is not None:
            drop_schema(env["PHOENIX_SQL_DATABASE_URL"], schema)


def _seed_trace(db: Database, project: str) -> tuple[str, list[Span]]:
    async def seed(session: Session) -> tuple[str, list[Span]]:
        seeded = await make_llm_trace(session, await make_project(session, project), delay=timedelta(milliseconds=3))
        return seeded.trace.trace_id, [seeded.root, seeded.llm]

    return db.run(seed)


def test_the_phoenix_client_reads_seeded_traces_with_a_system_key(served: Served) -> None:
    trace_id, (root, llm) = _seed_trace(served.db, f"e2e-{secrets.token_hex(3)}")
    client = Client(base_url=served.url, api_key=served.system_key)
    project = next(p for p in client.projects.list() if p["name"].startswith("e2e-"))
    assert client.projects.get(project_id=project["id"])["name"] == project["name"]
    spans = client.spans.get_spans(project_identifier=project["name"], trace_ids=[trace_id])
    assert {s["context"]["span_id"] for s in spans} == {root.span_id, llm.span_id}
    df = client.spans.get_spans_dataframe(project_identifier=project["id"])
    assert df.loc[llm.span_id, "attributes.llm.token_count.prompt"] == 12
    [trace] = client.traces.get_traces(project_identifier=project["name"])
    assert trace["token_count_prompt"] == 12
    inserted = client.spans.add_span_annotation(
        span_id=llm.span_id, annotation_name="ok", label="yes", score=1, sync=True
    )
    assert inserted is not None
    [annotation] = client.spans.get_span_annotations(span_ids=[llm.span_id], project_identifier=project["name"])
    assert (annotation["name"], annotation["result"]["label"]) == ("ok", "yes")
    # Deleting a project is for admins (as in Phoenix), not system keys.
    Client(base_url=served.url, api_key=served.keys["ADMIN"]).projects.delete(project_id=project["id"])
    assert project["name"] not in {p["name"] for p in client.projects.list()}


def test_a_wrong_key_is_refused_by_every_read_route(served: Served) -> None:
    for key in (None, "wrong", served.system_key[:-1] + ("A" if served.system_key[-1] != "A" else "B")):
        headers = {} if key is None else {"Authorization": f"Bearer {key}"}
        for method, path in [
            ("GET", "/v1/projects"),
            ("GET", "/v1/projects/default/spans"),
            ("GET", "/v1/projects/default/traces"),
            ("POST", "/v1/spans"),
            ("POST", "/v1/span_annotations"),
            ("DELETE", "/v1/traces/0"),
        ]:
            response = httpx.request(method, served.url + path, headers=headers, json={})
            assert (response.status_code, response.text) == (401, "Invalid token"), (method, path, key)


@pytest.mark.parametrize(
    ("role", "read", "write", "admin"),
    [("VIEWER", 200, 403, 403), ("MEMBER", 200, 200, 403), ("ADMIN", 200, 200, 200)],
)
def test_roles_decide_reads_writes_and_project_administration(
    served: Served, role: str, read: int, write: int, admin: int
) -> None:
    headers = {"Authorization": f"Bearer {served.keys[role]}"}
    name = f"{role.lower()}-{secrets.token_hex(3)}"
    _seed_trace(served.db, name)
    assert httpx.get(f"{served.url}/v1/projects/{name}/spans", headers=headers).status_code == read
    created = httpx.post(f"{served.url}/v1/projects", json={"name": name + "-new"}, headers=headers)
    assert created.status_code == write
    note = httpx.post(f"{served.url}/v1/span_notes", json={"data": {"span_id": "0" * 16, "note": "n"}}, headers=headers)
    assert note.status_code == (404 if write == 200 else 403)
    if write == 403:
        assert note.text == "Viewers cannot perform this action."
    updated = httpx.put(f"{served.url}/v1/projects/{name}", json={"description": "d"}, headers=headers)
    assert updated.status_code == admin
    deleted = httpx.delete(f"{served.url}/v1/projects/{name}", headers=headers)
    assert deleted.status_code == (204 if admin == 200 else 403)
    if role == "MEMBER":
        assert deleted.text == "Only admin or system users can perform this action."
    if admin != 200:
        # Refused writes changed nothing.
        assert httpx.get(f"{served.url}/v1/projects/{name}", headers=headers).json()["data"]["description"] is None


def test_an_acknowledged_write_is_visible_to_the_next_request(served: Served) -> None:
    headers = {"Authorization": f"Bearer {served.keys['ADMIN']}"}
    prefix = f"ack-{secrets.token_hex(3)}"
    with (
        httpx.Client(base_url=served.url, headers=headers) as writer,
        httpx.Client(base_url=served.url, headers=headers) as reader,
    ):
        for i in range(30):
            assert writer.post("/v1/projects", json={"name": f"{prefix}-{i}"}).status_code == 200
            assert reader.get(f"/v1/projects/{prefix}-{i}").status_code == 200
            assert writer.delete(f"/v1/projects/{prefix}-{i}").status_code == 204
            assert reader.get(f"/v1/projects/{prefix}-{i}").status_code == 404


def test_non_admins_delete_only_their_own_annotations(served: Served) -> None:
    name = f"own-{secrets.token_hex(3)}"
    _, (root, llm) = _seed_trace(served.db, name)
    member = {"Authorization": f"Bearer {served.keys['MEMBER']}"}
    system = {"Authorization": f"Bearer {served.system_key}"}
    for headers, label in ((member, "mine"), (system, "theirs")):
        body = {"data": [{"span_id": llm.span_id, "name": label, "annotator_kind": "HUMAN", "result": {"label": "x"}}]}
        assert httpx.post(f"{served.url}/v1/span_annotations?sync=true", json=body, headers=headers).status_code == 200
    url = f"{served.url}/v1/projects/{name}/span_annotations"
    viewer = {"Authorization": f"Bearer {served.keys['VIEWER']}"}
    assert httpx.delete(url, params={"delete_all": "true"}, headers=viewer).status_code == 403
    assert httpx.delete(url, params={"delete_all": "true"}, headers=member).status_code == 204
    left = httpx.get(url, params={"span_ids": llm.span_id}, headers=member).json()["data"]
    assert [a["name"] for a in left] == ["theirs"]
    assert httpx.delete(url, params={"delete_all": "true"}, headers=system).status_code == 204
    assert httpx.get(url, params={"span_ids": llm.span_id}, headers=member).json()["data"] == []
