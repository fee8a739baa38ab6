"""The span query DSL of ``POST /v1/spans``: a table of conditions with the spans each selects,
projections read by the real client and its RAG helpers, and refused (hostile) expressions."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from phoenix.client import Client
from phoenix.client.helpers.spans import get_input_output_context, get_retrieved_documents
from phoenix.client.types.spans import SpanQuery

from tests.support import span_query_fixture
from tests.support.span_query_fixture import PROJECT

pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout' argument")

ALL = {"A_chain", "A_retr", "A_llm", "B_chain", "B_llm"}
CONDITIONS: list[tuple[str, set[str]]] = [
    ("span_kind == 'LLM'", {"A_llm", "B_llm"}),
    ("span_kind == 'llm'", {"A_llm", "B_llm"}),
    ("status_code == 'ERROR'", {"B_llm"}),
    ("status_code == 'OK'", set()),
    ("name == 'llm-call' and status_code != 'ERROR'", {"A_llm"}),
    ("parent_id is None", {"A_chain", "B_chain"}),
    ("parent_span is None", {"A_chain", "B_chain"}),
    ("parent_span is not None", {"A_retr", "A_llm", "B_llm"}),
    ("llm.token_count.prompt > 15", {"B_llm"}),
    ("llm.token_count.completion is None", {"A_chain", "A_retr", "B_chain", "B_llm"}),
    ("attributes['llm.token_count.completion'] is None", ALL),
    ("cumulative_llm_token_count_total == 20", {"B_chain", "B_llm"}),
    ("cumulative_token_count.total > 30", set()),
    ("'GPT-4O' in llm.model_name", {"A_llm", "B_llm"}),
    ("llm.model_name in ['gpt-4o', 'x']", {"A_llm"}),
    ("llm.model_name not in ('gpt-4o',)", {"B_llm"}),
    ("'phoenix' in input.value", {"A_chain", "A_retr"}),
    ("metadata['user'] == 'alice'", {"A_chain"}),
    ("metadata['tier'] > 1", {"A_chain"}),
    ("metadata['tier'] == '2'", {"A_chain"}),
    ("metadata['tier'] == 2", {"A_chain"}),
    ("evals['correctness'].label == 'incorrect'", {"A_llm"}),
    ("annotations['correctness'].score < 0.5", {"A_llm"}),
    ("annotations['correctness'].label is None", {"A_chain", "A_retr", "B_llm"}),
    ("evals['correctness']", {"A_llm", "B_chain"}),
    ("not evals['correctness']", {"A_chain", "A_retr", "B_llm"}),
    ("evals['nope'].label == 'x'", set()),
    ("span_kind in ['llm', 'retriever']", {"A_llm", "A_retr", "B_llm"}),
    ("start_time > '2000-01-01T00:00:00Z'", ALL),
    ("start_time >= '2026-05-06T07:09:00+00:00'", {"B_chain", "B_llm"}),
    ("llm.token_count.prompt + llm.token_count.completion > 14", {"A_llm"}),
    ("llm.token_count.total / 0 > 1", set()),
    ("llm.token_count.total % 7 == 1", {"A_llm"}),
    ("0 < llm.token_count.prompt < 15", {"A_llm"}),
    ("-llm.token_count.prompt < -15", {"B_llm"}),
    ("not (span_kind == 'CHAIN')", {"A_llm", "A_retr", "B_llm"}),
    ("retrieval.documents is not None", {"A_retr"}),
    ("attributes['retrieval']['documents'][0]['document']['id'] == 'd1'", {"A_retr"}),
    ("attributes[['retrieval', 'documents', 1, 'document', 'id']] == 'd2'", {"A_retr"}),
    ("total_cost == 0", ALL),
    ("'boom' in status_message", {"B_llm"}),
    ("x == 1", set()),
    ("name.__class__ == 'x'", set()),
    ("1 == 1", ALL),
    ("latency_ms > 1500", {"A_chain"}),
    ("float(metadata['tier']) >= 2", {"A_chain"}),
    ("str(name) == 'retrieve'", {"A_retr"}),
    ("name + '!' == 'retrieve!'", {"A_retr"}),
    ("trace_annotations['nope'].label is None", ALL),
    ("span_kind == 'LLM' or evals['correctness'].score == 1", {"A_llm", "B_llm", "B_chain"}),
    # Names, keys and literals are bound parameters: SQL in them is only data.
    ("evals[\"x' OR '1'='1\"].label is not None", set()),
    ('attributes["a\'); DROP TABLE spans; --"] == 1', set()),
    ('name == "\' OR 1=1 --"', set()),
    ("llm.model_name in [\"gpt-4o' OR '1'='1\"]", set()),
]


def test_condition_table_selects_the_expected_spans(client: TestClient) -> None:
    ids = span_query_fixture.seed(client)
    names = {span_id: name for name, span_id in ids.items()}
    phoenix = Client(http_client=client)
    failures = []
    for condition, expected in CONDITIONS:
        frame = phoenix.spans.get_spans_dataframe(query=SpanQuery().where(condition), project_identifier=PROJECT)
        got = {names[span_id] for span_id in frame.index} if not frame.empty else set()
        if got != expected:
            failures.append(f"{condition}: expected {sorted(expected)}, got {sorted(got)}")
    assert failures == []
    context_ids = f"context.span_id in ['{ids['A_llm']}', '{ids['B_chain']}']"
    frame = phoenix.spans.get_spans_dataframe(query=SpanQuery().where(context_ids), project_identifier=PROJECT)
    assert set(frame.index) == {ids["A_llm"], ids["B_chain"]}
    assert len(phoenix.spans.get_spans_dataframe(project_identifier=PROJECT)) == 5  # nothing was dropped


REFUSED: list[tuple[str, str]] = [
    ("__import__('os')", "invalid expression: __import__('os')"),
    ("foo(1) == 2", "invalid expression: foo(1)"),
    ("(lambda: 1)() == 1", "invalid expression: (lambda: 1)()"),
    ("[x for x in name] == []", "a comprehension may appear only as the argument"),
    ("{x for x in name} == 1", "invalid expression"),
    ("name.upper() == 'X'", "invalid expression: name.upper()"),
    ("().__class__.__bases__[0] == 1", "invalid expression"),
    ("getattr(name, '__class__') == 1", "invalid expression"),
    ("str(name, 'x') == 'y'", "invalid expression"),
    ("str(*name) == 'y'", "invalid expression"),
    ("float(x=1) == 1", "invalid expression"),
    ("name if name else 'x' == 'y'", "invalid expression"),
    ("(name := 'x') == 'x'", "invalid expression"),
    ("name[0:1] == 'x'", "invalid expression"),
    ("f'{name}' == 'x'", "invalid expression"),
    ("len(cost_details) == 0", "cost_details"),
    ("any(d.cost > 0 for d in cost_details)", "cost_details"),
    ("name", "`name` is not a condition"),
    ("True", "`True` is not a condition on its own"),
    ("latency_ms ** 2 > 1", "invalid arithmetic operator: **"),
    ("latency_ms // 2 > 1", "invalid arithmetic operator: //"),
    ("~latency_ms == 1", "unsupported operator: ~latency_ms"),
    ("name == b'x'", "unsupported literal: b'x'"),
    ("name == 1j", "unsupported literal: 1j"),
    ("name == ...", "unsupported literal: ..."),
    ("latency_ms > 1e999", "invalid numeric literal"),
    ("latency_ms > " + "9" * 400, "invalid numeric literal"),
    ("'x' in latency_ms", "cannot compare string and number"),
    ("latency_ms == 'x'", "cannot compare string and number"),
    ("str(latency_ms) == '1'", "cannot cast number to text"),
    ("parent_span.name == 'x'", "`parent_span.name` is not supported"),
    ("parent_span == 'x'", "`parent_span` can only be compared to None"),
    ("evals['c'].foo == 1", "invalid eval attribute `.foo`"),
    ("evals['c'].lable == 'x'", "did you mean `.label`?"),
    ("evals[''].label == 'x'", "missing eval name"),
    ("start_time > '2000-01-01T00:00:00'", "has no timezone"),
    ("name =", "invalid syntax at character 6"),
    ("name == 'a\\x00'", "NUL character"),
    ("ｎａｍｅ == 'x'", "use unaccented ASCII"),
    ("(" * 250 + "name == 'x'" + ")" * 250, "too many nested parentheses"),
    ("not " * 600 + "name == 'x'", "condition is too large"),
    ("[" * 150 + "]" * 150 + " == 1", "invalid expression"),
    (" or ".join(f"name == '{i}'" for i in range(3000)), "condition is too long"),
    (" or ".join(f"name == '{i}'" for i in range(400)), "condition is too large"),
    ("retrieval.documents[0] == 1", "only `attributes[...]` and `metadata[...]` can be indexed"),
    ("attributes[name] == 1", "keys are strings or integers"),
]


@pytest.mark.parametrize("dialect", ["sqlite"], indirect=True)
def test_expressions_outside_the_grammar_are_refused_with_the_offending_part(client: TestClient) -> None:
    failures = []
    for condition, fragment in REFUSED:
        body = {"queries": [{"filter": {"condition": condition}}]}
        response = client.post("/v1/spans", json=body, params={"project_name": "default"})
        if (
            response.status_code != 422
            or fragment not in response.text
            or not response.text.startswith("Invalid query: ")
        ):
            failures.append(f"{condition[:60]!r}: {response.status_code} {response.text[:200]}")
        elif len(response.text) > 320:
            failures.append(f"{condition[:60]!r}: message not bounded ({len(response.text)} characters)")
    assert failures == [], "\n".join(failures)


def test_one_bad_query_refuses_the_whole_request(client: TestClient) -> None:
    body = {"queries": [{}, {"filter": {"condition": "foo()"}}]}
    response = client.post("/v1/spans", json=body)
    assert response.status_code == 422
    projection = {"queries": [{"select": {"x": {"key": "len(name)"}}}]}
    assert client.post("/v1/spans", json=projection).text.startswith("Invalid query: invalid")
    assert client.post("/v1/spans", json={"queries": [{"filter": {"condition": "  "}}]}).status_code == 200


def test_select_rename_and_index_frames_match_the_clients_tables(client: TestClient) -> None:
    ids = span_query_fixture.seed(client)
    phoenix = Client(http_client=client)
    query = (
        SpanQuery()
        .where("span_kind == 'LLM'")
        .select("name", "span_id", "llm.token_count.prompt", "start_time", "metadata", "llm.model_name")
        .rename(name="span_name", **{"llm.model_name": "model"})
        .with_index("trace_id")
    )
    frame = phoenix.spans.get_spans_dataframe(query=query, project_identifier=PROJECT)
    assert frame.index.name == "context.trace_id"
    assert list(frame.columns) == [
        "span_name",
        "context.span_id",
        "llm.token_count.prompt",
        "start_time",
        "metadata",
        "model",
    ]
    assert set(frame["context.span_id"]) == {ids["A_llm"], ids["B_llm"]}
    assert frame["llm.token_count.prompt"].dtype == "int64"
    assert str(frame["start_time"].dtype).startswith("datetime64")
    assert set(frame["model"]) == {"gpt-4o", "gpt-4o-mini"}
    assert not pd.api.types.is_numeric_dtype(frame["span_name"])


def test_explode_and_concat_of_retrieved_documents(client: TestClient) -> None:
    ids = span_query_fixture.seed(client)
    phoenix = Client(http_client=client)
    exploded = phoenix.spans.get_spans_dataframe(
        query=SpanQuery().explode("retrieval.documents", content="document.content", score="document.score"),
        project_identifier=PROJECT,
    )
    assert list(exploded.index.names) == ["context.span_id", "document_position"]
    assert exploded.index.tolist() == [(ids["A_retr"], 0), (ids["A_retr"], 1)]
    assert exploded["content"].tolist() == ["Phoenix is open source", "It traces LLM apps"]
    assert exploded["score"].dtype == "float64"
    flat = phoenix.spans.get_spans_dataframe(
        query=SpanQuery().explode("retrieval.documents"), project_identifier=PROJECT
    )
    assert {"document.id", "document.content", "document.score"} <= set(flat.columns)
    concat = phoenix.spans.get_spans_dataframe(
        query=SpanQuery().concat("retrieval.documents", text="document.content"), project_identifier=PROJECT
    )
    assert concat["text"].tolist() == ["Phoenix is open source\n\nIt traces LLM apps"]


def test_rag_helpers_build_their_frames(client: TestClient) -> None:
    ids = span_query_fixture.seed(client)
    phoenix = Client(http_client=client)
    documents = get_retrieved_documents(phoenix, project_name=PROJECT)
    assert list(documents.columns) == ["context.trace_id", "input", "document", "document_score", "document_metadata"]
    assert documents.index.tolist() == [(ids["A_retr"], 0), (ids["A_retr"], 1)]
    assert documents["input"].tolist() == ["What is Phoenix?"] * 2
    context = get_input_output_context(phoenix, project_name=PROJECT)
    assert isinstance(context, pd.DataFrame)
    assert context.index.tolist() == [ids["A_chain"]]
    row = context.iloc[0]
    assert (row["input"], row["output"]) == ("What is Phoenix?", "An observability tool")
    assert row["context"] == "Phoenix is open source\n\nIt traces LLM apps"
    assert row["metadata"] == {"user": "alice", "tier": 2}


def test_unknown_project_and_empty_results_keep_their_columns(client: TestClient) -> None:
    body = {"queries": [{"select": {"n": {"key": "name"}}, "filter": {"condition": "name == 'x'"}}]}
    response = client.post("/v1/spans", json=body, params={"project_name": "absent"})
    assert response.status_code == 200
    assert '"1_n"' in response.text
