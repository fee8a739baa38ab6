from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from pyrewatch.db.models import Span, Trace
from pyrewatch.db.session import Session
from pyrewatch.ids import encode_global_id
from pyrewatch.store.spans import SpanFilter, listing_statement
from tests.conftest import ClientFactory
from tests.factories import BASE_TIME, Database, make_llm_trace, make_project, make_span, make_trace
from tests.support.constants import AUTH_ENV


@dataclass
class Seeded:
    trace: Trace
    root: Span
    llm: Span
    tool: Span
    other_trace: Trace


def _seed(database_env: dict[str, str]) -> Seeded:
    async def seed(session: Session) -> Seeded:
        project = await make_project(session, "app")
        seeded = await make_llm_trace(
            session,
            project,
            root_name="root",
            delay=timedelta(milliseconds=10),
            extra_attributes={"metadata": {"k": "v"}, "tag": {"tags": ["a", "b"]}},
            events=[
                {
                    "name": "exception",
                    "timestamp": "2026-01-02T03:04:05.2+00:00",
                    "attributes": {"exception": {"message": "boom"}},
                }
            ],
        )
        trace, root, llm = seeded.trace, seeded.root, seeded.llm
        tool = await make_span(
            session,
            trace,
            name="tool",
            span_kind="TOOL",
            parent=root,
            start_time=BASE_TIME + timedelta(milliseconds=20),
            status_code="ERROR",
            status_message="failed",
            attributes={"openinference": {"span": {"kind": "tool"}}, "tool": {"name": "search"}, "count": 3},
        )
        other_project = await make_project(session, "elsewhere")
        other_trace = await make_trace(session, other_project)
        await make_span(session, other_trace, name="foreign")
        return Seeded(trace, root, llm, tool, other_trace)

    return Database(database_env).run(seed)


def _names(client: TestClient, **params: Any) -> list[str]:
    response = client.get("/v1/projects/app/spans", params=params)
    assert response.status_code == 200, response.text
    return [s["name"] for s in response.json()["data"]]


def test_spans_are_listed_with_phoenix_shape(client: TestClient, database_env: dict[str, str]) -> None:
    seeded = _seed(database_env)
    body = client.get("/v1/projects/app/spans").json()
    assert body["next_cursor"] is None
    assert [s["name"] for s in body["data"]] == ["tool", "llm", "root"]
    llm = body["data"][1]
    assert llm == {
        "id": encode_global_id("Span", seeded.llm.id),
        "name": "llm",
        "context": {"trace_id": seeded.trace.trace_id, "span_id": seeded.llm.span_id},
        "span_kind": "LLM",
        "parent_id": seeded.root.span_id,
        "start_time": (BASE_TIME + timedelta(milliseconds=10)).isoformat(),
        "end_time": (BASE_TIME + timedelta(milliseconds=260)).isoformat(),
        "status_code": "OK",
        "status_message": "",
        "attributes": {
            "llm.model_name": "gpt-test",
            "llm.token_count.prompt": 12,
            "llm.token_count.completion": 8,
            "llm.token_count.total": 20,
            "llm.input_messages.0.message.role": "user",
            "llm.input_messages.0.message.content": "hi",
            "input.value": "hello",
            "output.value": "world",
            "metadata.k": "v",
            "tag.tags": ["a", "b"],
        },
        "events": [
            {
                "name": "exception",
                "timestamp": "2026-01-02T03:04:05.2+00:00",
                "attributes": {"exception.message": "boom"},
            }
        ],
    }
    # The raw kind attribute is echoed (as Phoenix does) while filters use the normalized kind.
    assert body["data"][0]["span_kind"] == "tool"
    assert _names(client, span_kind="TOOL") == ["tool"]


def test_span_filters_narrow_the_listing(client: TestClient, database_env: dict[str, str]) -> None:
    seeded = _seed(database_env)
    assert _names(client, trace_id=seeded.trace.trace_id) == ["tool", "llm", "root"]
    assert _names(client, trace_id=seeded.other_trace.trace_id) == []
    assert _names(client, span_id=[seeded.llm.span_id, seeded.root.span_id]) == ["llm", "root"]
    assert _names(client, name=["root", "tool"]) == ["tool", "root"]
    assert _names(client, span_kind="llm") == ["llm"]
    assert _names(client, status_code="ERROR") == ["tool"]
    assert _names(client, parent_id="null") == ["root"]
    assert _names(client, parent_id=seeded.root.span_id) == ["tool", "llm"]
    assert _names(client, attribute="llm.model_name:gpt-test") == ["llm"]
    assert _names(client, attribute="llm.token_count.prompt:12") == ["llm"]
    assert _names(client, attribute='llm.token_count.prompt:"12"') == []
    assert _names(client, attribute="count:3") == ["tool"]
    assert _names(client, attribute="metadata.k:v") == ["llm"]
    start = BASE_TIME + timedelta(milliseconds=10)
    assert _names(client, start_time=start.isoformat()) == ["tool", "llm"]
    assert _names(client, end_time=start.isoformat()) == ["root"]
    # Naive times are UTC.
    assert _names(client, start_time=start.replace(tzinfo=None).isoformat()) == ["tool", "llm"]
    assert _names(client, order="asc") == ["root", "llm", "tool"]
    assert _names(client, sort="id") == ["tool", "llm", "root"]


@pytest.mark.parametrize(("sort", "order"), [("start_time", "desc"), ("start_time", "asc"), ("id", "desc")])
def test_span_pages_follow_the_cursor_without_gaps_or_repeats(
    client: TestClient, database_env: dict[str, str], sort: str, order: str
) -> None:
    async def seed(session: Session) -> list[str]:
        project = await make_project(session, "many")
        trace = await make_trace(session, project)
        ids = []
        for i in range(23):
            # Groups of equal start times test the tie-break on the row id.
            span = await make_span(session, trace, name=f"s{i}", start_time=BASE_TIME + timedelta(seconds=i // 3))
            ids.append(span.span_id)
        return ids

    ids = Database(database_env).run(seed)
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 4, "sort": sort, "order": order}
    while True:
        body = client.get("/v1/projects/many/spans", params=params).json()
        seen.extend(s["context"]["span_id"] for s in body["data"])
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert sorted(seen) == sorted(ids) and len(seen) == len(ids)
    assert seen == (ids if order == "asc" else list(reversed(ids)))


@pytest.mark.parametrize(
    ("params", "text"),
    [
        ({"cursor": "garbage"}, "Invalid cursor: garbage"),
        ({"cursor": encode_global_id("Span", 1)}, None),
        ({"span_kind": "FOO"}, "Invalid span_kind values: ['FOO']"),
        ({"status_code": "MAYBE"}, "Invalid status_code values: ['MAYBE']"),
        ({"attribute": "no-colon"}, None),
        ({"attribute": ".:1"}, None),
        ({"attribute": 'k:{"a":1}'}, None),
        ({"trace_id": "a\x00b"}, None),
        ({"start_time": "9999-12-31T23:00:00-05:00"}, "Invalid start_time: 9999-12-31T23:00:00-05:00"),
    ],
)
def test_bad_span_queries_are_plain_422(
    client: TestClient, database_env: dict[str, str], params: dict[str, str], text: str | None
) -> None:
    _seed(database_env)
    response = client.get("/v1/projects/app/spans", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/plain")
    if text is not None:
        assert response.text == text


def test_a_cursor_from_another_sort_is_refused(client: TestClient, database_env: dict[str, str]) -> None:
    _seed(database_env)
    cursor = client.get("/v1/projects/app/spans", params={"limit": 1}).json()["next_cursor"]
    assert client.get("/v1/projects/app/spans", params={"cursor": cursor, "sort": "id"}).status_code == 422


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "1001"}, {"start_time": "yesterday"}, {"order": "up"}])
def test_invalid_span_parameters_are_json_422(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/v1/projects/default/spans", params=params)
    assert response.status_code == 422
    assert "detail" in response.json()


def test_spans_of_a_missing_project_are_404(client: TestClient) -> None:
    response = client.get("/v1/projects/ghost/spans")
    assert (response.status_code, response.text) == (404, "Project with name ghost not found")


def test_span_listing_uses_the_project_start_time_index(client: TestClient, database_env: dict[str, str]) -> None:
    async def plan(session: Session) -> str:
        dialect = session.get_bind().dialect.name
        stmt = listing_statement(SpanFilter(project_id=1), dialect, limit=100)
        sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        if dialect == "sqlite":
            rows = (await session.execute(text("EXPLAIN QUERY PLAN " + sql))).all()
        else:
            # The tables are tiny here: forbid sequential scans so the planner shows its index choice.
            await session.execute(text("SET LOCAL enable_seqscan = off"))
            rows = (await session.execute(text("EXPLAIN " + sql))).all()
        return json.dumps([[str(c) for c in r] for r in rows])

    assert client.get("/v1/projects").status_code == 200
    assert "ix_spans_project_id_start_time" in Database(database_env).run(plan)


def test_delete_span_by_global_id_or_span_id(client: TestClient, database_env: dict[str, str]) -> None:
    seeded = _seed(database_env)
    response = client.delete(f"/v1/spans/{encode_global_id('Span', seeded.tool.id)}")
    assert (response.status_code, response.content) == (204, b"")
    assert client.delete(f"/v1/spans/{seeded.llm.span_id}").status_code == 204
    assert _names(client) == ["root"]
    response = client.delete(f"/v1/spans/{seeded.llm.span_id}")
    assert (response.status_code, response.text) == (404, f"Span with ID {seeded.llm.span_id} not found")
    assert client.delete(f"/v1/spans/{encode_global_id('Span', 2**40)}").status_code == 404


def test_a_viewer_like_missing_credential_cannot_read_or_delete_spans(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    assert client.get("/v1/projects/default/spans").status_code == 401
    assert client.delete("/v1/spans/0123456789abcdef").status_code == 401
    assert client.post("/v1/spans", json={"queries": [{}]}).status_code == 401
