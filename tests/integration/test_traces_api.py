from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pyrewatch.db.models import Trace
from pyrewatch.db.session import Session
from pyrewatch.ids import encode_global_id
from tests.factories import BASE_TIME, Database, llm_attributes, make_project, make_span, make_trace


def _seed(database_env: dict[str, str]) -> list[Trace]:
    """Five traces a minute apart; trace i lasts (5 - i) seconds and has two LLM spans."""

    async def seed(session: Session) -> list[Trace]:
        project = await make_project(session, "app")
        traces = []
        for i in range(5):
            start = BASE_TIME + timedelta(minutes=i)
            trace = await make_trace(session, project, start_time=start, end_time=start + timedelta(seconds=5 - i))
            root = await make_span(session, trace, name=f"root{i}", span_kind="CHAIN")
            await make_span(
                session,
                trace,
                name="llm",
                span_kind="LLM",
                parent=root,
                attributes=llm_attributes(),
                start_time=start + timedelta(milliseconds=5),
                prompt_tokens=10 + i,
                completion_tokens=1,
            )
            await make_span(
                session, trace, name="llm2", span_kind="LLM", parent=root, prompt_tokens=1, completion_tokens=2
            )
            traces.append(trace)
        return traces

    return Database(database_env).run(seed)


def _all_pages(client: TestClient, **params: Any) -> list[str]:
    seen: list[str] = []
    params = {"limit": 2, **params}
    while True:
        response = client.get("/v1/projects/app/traces", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        seen.extend(t["trace_id"] for t in body["data"])
        if body["next_cursor"] is None:
            return seen
        params["cursor"] = body["next_cursor"]


def test_traces_are_listed_with_token_totals(client: TestClient, database_env: dict[str, str]) -> None:
    traces = _seed(database_env)
    body = client.get("/v1/projects/app/traces", params={"limit": 1}).json()
    newest = traces[-1]
    assert body["data"] == [
        {
            "id": encode_global_id("Trace", newest.id),
            "trace_id": newest.trace_id,
            "project_id": encode_global_id("Project", newest.project_id),
            "start_time": newest.start_time.isoformat(),
            "end_time": newest.end_time.isoformat(),
            "token_count_prompt": 15,
            "token_count_completion": 3,
            "token_count_total": 18,
            "spans": None,
        }
    ]
    assert body["next_cursor"] is not None


def test_include_spans_lists_each_traces_spans_in_start_order(client: TestClient, database_env: dict[str, str]) -> None:
    traces = _seed(database_env)
    body = client.get("/v1/projects/app/traces", params={"include_spans": "true", "limit": 1}).json()
    spans = body["data"][0]["spans"]
    # By start time, then by row id for equal starts.
    assert [s["name"] for s in spans] == ["root4", "llm2", "llm"]
    assert set(spans[0]) == {"id", "span_id", "parent_id", "name", "span_kind", "status_code", "start_time", "end_time"}
    assert all(s["parent_id"] == spans[0]["span_id"] for s in spans[1:])
    assert spans[0]["span_kind"] == "CHAIN" and spans[0]["parent_id"] is None
    assert body["data"][0]["trace_id"] == traces[-1].trace_id


@pytest.mark.parametrize(
    ("params", "order"),
    [
        ({}, [4, 3, 2, 1, 0]),
        ({"order": "asc"}, [0, 1, 2, 3, 4]),
        ({"sort": "latency_ms"}, [0, 1, 2, 3, 4]),
        ({"sort": "latency_ms", "order": "asc"}, [4, 3, 2, 1, 0]),
    ],
)
def test_trace_pages_follow_the_cursor_in_every_sort(
    client: TestClient, database_env: dict[str, str], params: dict[str, str], order: list[int]
) -> None:
    traces = _seed(database_env)
    assert _all_pages(client, **params) == [traces[i].trace_id for i in order]


def test_trace_time_bounds_apply_to_the_start(client: TestClient, database_env: dict[str, str]) -> None:
    traces = _seed(database_env)
    start = (BASE_TIME + timedelta(minutes=1)).isoformat()
    end = (BASE_TIME + timedelta(minutes=3)).isoformat()
    assert _all_pages(client, start_time=start, end_time=end) == [traces[2].trace_id, traces[1].trace_id]


def test_session_filters_match_nothing_without_sessions(client: TestClient, database_env: dict[str, str]) -> None:
    _seed(database_env)
    assert client.get("/v1/projects/app/traces", params={"session_identifier": "s1"}).json() == {
        "data": [],
        "next_cursor": None,
    }


@pytest.mark.parametrize(
    "params",
    [{"cursor": "nope"}, {"cursor": encode_global_id("Trace", 1)}, {"limit": "0"}, {"limit": "1001"}, {"sort": "name"}],
)
def test_bad_trace_queries_are_422(client: TestClient, params: dict[str, str]) -> None:
    assert client.get("/v1/projects/default/traces", params=params).status_code == 422


def test_a_latency_cursor_is_refused_for_a_start_time_listing(client: TestClient, database_env: dict[str, str]) -> None:
    _seed(database_env)
    cursor = client.get("/v1/projects/app/traces", params={"limit": 1, "sort": "latency_ms"}).json()["next_cursor"]
    assert client.get("/v1/projects/app/traces", params={"cursor": cursor}).status_code == 422


def test_traces_of_a_missing_project_are_404(client: TestClient) -> None:
    response = client.get("/v1/projects/ghost/traces")
    assert (response.status_code, response.text) == (404, "Project with name ghost not found")


def test_delete_trace_removes_it_with_its_spans(client: TestClient, database_env: dict[str, str]) -> None:
    traces = _seed(database_env)
    assert client.delete(f"/v1/traces/{traces[0].trace_id}").status_code == 204
    assert client.delete(f"/v1/traces/{encode_global_id('Trace', traces[1].id)}").status_code == 204
    remaining = _all_pages(client)
    assert remaining == [t.trace_id for t in reversed(traces[2:])]
    spans = client.get("/v1/projects/app/spans", params={"trace_id": traces[0].trace_id}).json()["data"]
    assert spans == []
    response = client.delete(f"/v1/traces/{traces[0].trace_id}")
    assert (response.status_code, response.text) == (404, f"Trace with ID {traces[0].trace_id} not found")


def test_traces_filter_on_latency_and_errors(client: TestClient, database_env: dict[str, str]) -> None:
    traces = _seed(database_env)

    async def fail(session: Session) -> None:
        await make_span(session, traces[1], name="broken", status_code="ERROR")

    Database(database_env).run(fail)
    # Trace i lasts (5 - i) seconds.
    assert _all_pages(client, min_latency_ms=2000, max_latency_ms=3000) == [traces[3].trace_id, traces[2].trace_id]
    assert _all_pages(client, error="true") == [traces[1].trace_id]
    assert traces[1].trace_id not in _all_pages(client, error="false")
    assert client.get("/v1/projects/app/traces", params={"filter": "span_kind == 'LLM'"}).status_code == 422
    assert client.get("/v1/projects/app/traces", params={"min_latency_ms": "nan"}).status_code == 422
