"""The real ``phoenix.client.Client`` over the app (its httpx client is the test client)."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from phoenix.client import Client

from pyrewatch.db.models import Span, Trace
from pyrewatch.db.session import Session
from tests.factories import BASE_TIME, Database, make_llm_trace, make_project, make_span

# The client passes per-request timeouts, which the in-process transport ignores.
pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout' argument")


def _seed(database_env: dict[str, str]) -> tuple[Trace, list[Span]]:
    async def seed(session: Session) -> tuple[Trace, list[Span]]:
        project = await make_project(session, "smoke")
        root_attributes = {
            "openinference": {"span": {"kind": "CHAIN"}},
            "smoke": {"run_id": "r1"},
            "input": {"value": "q"},
        }
        seeded = await make_llm_trace(session, project, root_attributes=root_attributes)
        trace, root = seeded.trace, seeded.root
        tool = await make_span(
            session,
            trace,
            name="tool",
            span_kind="TOOL",
            parent=root,
            start_time=BASE_TIME + timedelta(milliseconds=2),
            attributes={"openinference": {"span": {"kind": "TOOL"}}, "tool": {"name": "search"}},
        )
        return trace, [root, seeded.llm, tool]

    return Database(database_env).run(seed)


@pytest.fixture
def phoenix(client: TestClient) -> Client:
    return Client(http_client=client)


def test_client_projects_round_trip(phoenix: Client) -> None:
    created = phoenix.projects.create(name="made", description="by client")
    assert created["name"] == "made"
    assert {p["name"] for p in phoenix.projects.list()} == {"made", "default"}
    assert phoenix.projects.get(project_name="made")["id"] == created["id"]
    assert phoenix.projects.get(project_id=created["id"])["name"] == "made"
    updated = phoenix.projects.update(project_name="made", description="changed")
    assert updated["description"] == "changed"
    phoenix.projects.delete(project_name="made")
    assert [p["name"] for p in phoenix.projects.list()] == ["default"]


def test_client_get_spans_with_filters_and_pagination(phoenix: Client, database_env: dict[str, str]) -> None:
    trace, (root, llm, tool) = _seed(database_env)
    spans = phoenix.spans.get_spans(project_identifier="smoke", trace_ids=[trace.trace_id])
    assert {s["name"] for s in spans} == {"chain", "llm", "tool"}
    by_name = {s["name"]: s for s in spans}
    assert by_name["llm"]["span_kind"] == "LLM"
    assert by_name["llm"]["parent_id"] == root.span_id
    assert by_name["llm"]["attributes"]["llm.token_count.prompt"] == 12
    assert [s["name"] for s in phoenix.spans.get_spans(project_identifier="smoke", span_ids=[tool.span_id])] == ["tool"]
    assert len(phoenix.spans.get_spans(project_identifier="smoke", limit=2)) == 2


def test_client_spans_dataframe_has_phoenix_columns(phoenix: Client, database_env: dict[str, str]) -> None:
    trace, (root, llm, tool) = _seed(database_env)
    df = phoenix.spans.get_spans_dataframe(project_identifier="smoke", start_time=BASE_TIME - timedelta(hours=1))
    assert len(df) == 3
    assert df.index.name == "context.span_id"
    assert list(df.index) == [tool.span_id, llm.span_id, root.span_id]
    for column in [
        "name",
        "span_kind",
        "parent_id",
        "start_time",
        "end_time",
        "status_code",
        "status_message",
        "events",
        "context.span_id",
        "context.trace_id",
    ]:
        assert column in df.columns
    assert df.loc[llm.span_id, "attributes.llm.token_count.prompt"] == 12
    assert df.loc[llm.span_id, "span_kind"] == "LLM"
    assert df.loc[root.span_id, "attributes.smoke"] == {"run_id": "r1"}
    assert isinstance(df.loc[llm.span_id, "attributes.llm.input_messages"], list)
    assert df["start_time"].dt.tz is not None
    assert df.loc[llm.span_id, "start_time"] == pd.Timestamp(BASE_TIME + timedelta(milliseconds=1))
    assert set(df["context.trace_id"]) == {trace.trace_id}
    limited = phoenix.spans.get_spans_dataframe(project_name="smoke", limit=1)
    assert list(limited.index) == [tool.span_id]
    roots = phoenix.spans.get_spans_dataframe(project_name="smoke", root_spans_only=True)
    assert list(roots.index) == [root.span_id]


def test_client_dataframe_of_an_unknown_or_empty_project_is_empty(phoenix: Client) -> None:
    assert phoenix.spans.get_spans_dataframe(project_name="nothing-here").empty
    assert phoenix.spans.get_spans_dataframe(project_name="default").empty


def test_client_get_traces(phoenix: Client, database_env: dict[str, str]) -> None:
    trace, _ = _seed(database_env)
    [found] = phoenix.traces.get_traces(project_identifier="smoke", include_spans=True)
    assert found["trace_id"] == trace.trace_id
    assert found["token_count_total"] == 20
    assert len(found["spans"] or []) == 3


def test_client_annotations_and_notes(phoenix: Client, database_env: dict[str, str]) -> None:
    _, (root, llm, tool) = _seed(database_env)
    inserted = phoenix.spans.add_span_annotation(
        span_id=llm.span_id, annotation_name="correctness", label="correct", score=1.0, sync=True
    )
    assert inserted is not None and inserted["id"]
    phoenix.spans.add_span_note(span_id=llm.span_id, note="checked by hand")
    annotations = phoenix.spans.get_span_annotations(span_ids=[llm.span_id], project_identifier="smoke")
    assert [(a["name"], a["result"]["label"], a["result"]["score"]) for a in annotations] == [
        ("correctness", "correct", 1.0)
    ]
    notes = phoenix.spans.get_span_annotations(
        span_ids=[llm.span_id],
        project_identifier="smoke",
        include_annotation_names=["note"],
        exclude_annotation_names=[],
    )
    assert [n["result"]["explanation"] for n in notes] == ["checked by hand"]
