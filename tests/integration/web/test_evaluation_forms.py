"""Forms of the evaluation pages: annotation configs under settings, spans added to a dataset
from the spans table, and trace and session annotations on the trace page; the same policy and
validation as the APIs."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import ReadableSpan

from tests.conftest import ClientFactory
from tests.integration.web.evaluation_data import send_session_traces
from tests.integration.web.support import post_form
from tests.integration.web.test_data_pages import _counts, _gid, _ingest
from tests.support.actors import make_actor
from tests.support.constants import AUTH_ENV
from tests.support.otlp import llm_trace, protobuf_body, span_id_hex

CONFIGS = "/settings/annotations"


def test_annotation_configs_are_listed_created_and_deleted(make_client: ClientFactory) -> None:
    client = make_client({**AUTH_ENV, "PHOENIX_DISABLE_RATE_LIMIT": "true"})
    viewer = make_actor(client, "VIEWER")
    client.cookies.set("phoenix-access-token", viewer.token)
    assert "New annotation config" not in client.get(CONFIGS).text
    refused = post_form(client, CONFIGS, {"name": "x", "type": "FREEFORM"}, token_from=CONFIGS)
    assert refused.status_code == 403 and "Viewers cannot perform this action." in refused.text
    member = make_actor(client, "MEMBER")
    client.cookies.set("phoenix-access-token", member.token)
    form = {
        "name": "correctness",
        "type": "CATEGORICAL",
        "values": "correct = 1\nincorrect = 0",
        "optimization_direction": "MAXIMIZE",
    }
    created = post_form(client, CONFIGS, form, token_from=CONFIGS)
    assert created.status_code == 303 and created.headers["location"] == f"{CONFIGS}?notice=config-created"
    page = client.get(CONFIGS).text
    assert 'data-config="correctness"' in page and "incorrect = 0.0" in page
    duplicate = post_form(client, CONFIGS, form, token_from=CONFIGS)
    assert duplicate.status_code == 422 and 'value="correctness"' in duplicate.text
    bad = post_form(client, CONFIGS, {"name": "r", "type": "CONTINUOUS", "lower_bound": "high"}, token_from=CONFIGS)
    assert bad.status_code == 422 and "The lower bound must be a number." in bad.text
    # The API sees it, and annotations are checked against it.
    configs = client.get("/v1/annotation_configs", headers=member.headers).json()["data"]
    assert [c["name"] for c in configs] == ["correctness"]
    delete_link = re.search(r'href="(/settings/annotations/[^"]+/delete)"', page)
    assert delete_link is not None
    confirm = client.get(delete_link.group(1))
    assert "Delete the annotation config “correctness”?" in confirm.text
    assert client.post(delete_link.group(1), data={}).status_code == 403  # no CSRF token
    deleted = post_form(client, delete_link.group(1), {}, token_from=CONFIGS)
    assert deleted.status_code == 303
    assert client.get("/v1/annotation_configs", headers=member.headers).json()["data"] == []


def test_spans_are_added_to_a_new_and_an_existing_dataset(client: TestClient) -> None:
    spans = _ingest(client, 2)
    gid = _gid(client, "demo")
    table = client.get(f"/projects/{gid}/spans").text
    assert table.count('name="span_id"') == 4 and 'id="add-to-dataset"' in table
    chains = [span_id_hex(s) for s in spans if s.name == "chain"]
    llms = [span_id_hex(s) for s in spans if s.name == "llm"]
    chooser = f"/projects/{gid}/spans/add-to-dataset?" + "&".join(f"span_id={s}" for s in chains)
    page = client.get(chooser).text
    assert "Add 2 spans to a dataset" in page and page.count('type="hidden" name="span_id"') == 2
    path = f"/projects/{gid}/spans/add-to-dataset"
    created = post_form(client, path + "?x", {"span_id": chains[0], "new_name": "from spans"}, token_from=chooser)
    assert created.status_code == 303, created.text
    examples_page = created.headers["location"]
    assert examples_page.endswith("/examples?notice=spans-added")
    dataset_id = examples_page.split("/")[2]
    data = client.get(f"/v1/datasets/{dataset_id}/examples").json()["data"]["examples"]
    assert [(e["input"], e["output"], e["metadata"]["span_kind"]) for e in data] == [({"input": "hi"}, {}, "CHAIN")]
    fields = {"span_id": llms[0], "dataset": dataset_id}
    added = client.post(path, data={**fields, "csrf_token": _token(client, chooser)}, follow_redirects=False)
    assert added.status_code == 303
    data = client.get(f"/v1/datasets/{dataset_id}/examples").json()["data"]["examples"]
    assert data[1]["input"] == {"messages": [{"role": "user", "content": "hello"}]}
    assert data[1]["source"]["span_id"] == llms[0]
    versions = client.get(f"/v1/datasets/{dataset_id}/versions").json()["data"]
    assert len(versions) == 2
    shown = client.get(examples_page).text
    assert "The spans are added to the dataset" in shown and shown.count("from span</a>") == 2
    both = post_form(client, path, {"span_id": chains[1], "new_name": "x", "dataset": dataset_id}, token_from=chooser)
    assert both.status_code == 422 and "not both" in both.text
    unknown = post_form(client, path, {"span_id": "0" * 16, "dataset": dataset_id}, token_from=chooser)
    assert unknown.status_code == 422 and "Spans not found" in unknown.text
    assert len(client.get(f"/v1/datasets/{dataset_id}/versions").json()["data"]) == 2  # nothing written


def _token(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match is not None
    return match.group(1)


def test_viewers_get_no_span_selection(make_client: ClientFactory) -> None:
    client = make_client({**AUTH_ENV, "PHOENIX_DISABLE_RATE_LIMIT": "true"})
    admin = make_actor(client, "ADMIN")
    spans = _ingest_as(client, admin.headers)
    viewer = make_actor(client, "VIEWER")
    client.cookies.set("phoenix-access-token", viewer.token)
    gid = _gid(client, "demo")
    assert 'name="span_id"' not in client.get(f"/projects/{gid}/spans").text
    path = f"/projects/{gid}/spans/add-to-dataset"
    chooser = f"{path}?span_id={span_id_hex(spans[0])}"
    refused = post_form(client, path, {"span_id": span_id_hex(spans[0]), "new_name": "n"}, token_from=chooser)
    assert refused.status_code == 403


def _ingest_as(client: TestClient, headers: dict[str, str]) -> list[ReadableSpan]:
    spans = llm_trace("demo")
    response = client.post(
        "/v1/traces",
        content=protobuf_body(spans),
        headers={**headers, "content-type": "application/x-protobuf"},
    )
    assert response.status_code == 200
    return list(spans)


def test_trace_page_shows_trace_and_session_annotations(client: TestClient) -> None:
    send_session_traces(client, "chat", "conv-9", 2)
    gid = _gid(client, "chat")
    traces = client.get("/v1/projects/chat/traces").json()["data"]
    trace_id = traces[0]["trace_id"]
    trace_path = f"/projects/{gid}/traces/{trace_id}"
    before = client.get(trace_path).text
    assert "Trace annotations" not in before and "/sessions/" in before
    body = {
        "data": [
            {"trace_id": trace_id, "name": "helpful", "annotator_kind": "HUMAN", "result": {"label": "yes", "score": 1}}
        ]
    }
    assert client.post("/v1/trace_annotations?sync=true", json=body).status_code == 200
    session_body = {
        "data": [{"session_id": "conv-9", "name": "resolved", "annotator_kind": "LLM", "result": {"label": "no"}}]
    }
    assert client.post("/v1/session_annotations?sync=true", json=session_body).status_code == 200
    after = client.get(trace_path).text
    assert "Trace annotations (1)" in after and "helpful" in after
    assert "Session annotations (1)" in after and "resolved" in after
    counts = _counts(client, [trace_path])
    assert counts[0] <= 8, counts
    session_link = re.search(rf'href="(/projects/{re.escape(gid)}/sessions/[^"]+)">session<', after)
    assert session_link is not None
    session_page = client.get(session_link.group(1)).text
    assert "conv-9" in session_page and quote(trace_id) in session_page
    assert "Annotations (1)" in session_page and "resolved" in session_page
