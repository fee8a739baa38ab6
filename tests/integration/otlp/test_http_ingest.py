"""``POST /v1/traces`` through the app, on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient
from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from tests.conftest import ClientFactory
from tests.support.actors import make_actor
from tests.support.apps import app_state
from tests.support.constants import AUTH_ENV
from tests.support.http_auth import mint_system_key
from tests.support.locks import write_lock_held
from tests.support.otlp import (
    json_body,
    llm_trace,
    many_spans,
    protobuf_body,
    span_id_hex,
    stored_spans,
    trace_id_hex,
)

PROTOBUF = {"content-type": "application/x-protobuf"}
JSON = {"content-type": "application/json"}


def _post(client: TestClient, body: bytes, **headers: str) -> httpx.Response:
    response: httpx.Response = client.post("/v1/traces", content=body, headers={**PROTOBUF, **headers})
    return response


def test_protobuf_export_stores_spans_with_openinference_interpretation(
    client: TestClient, database_env: dict[str, str]
) -> None:
    spans = llm_trace("p-proto", error=True, prompt=7, completion=5)
    response = client.post("/v1/traces", content=protobuf_body(spans), headers=PROTOBUF)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-protobuf"
    assert response.content == b""
    stored = stored_spans(database_env)
    llm, chain = stored[span_id_hex(spans[0])], stored[span_id_hex(spans[1])]
    assert llm["project_name"] == chain["project_name"] == "p-proto"
    assert llm["trace_id"] == trace_id_hex(spans[0])
    assert llm["parent_id"] == chain["span_id"] and chain["parent_id"] is None
    assert (llm["span_kind"], chain["span_kind"]) == ("LLM", "CHAIN")
    assert (llm["status_code"], llm["status_message"]) == ("ERROR", "boom")
    assert (llm["llm_token_count_prompt"], llm["llm_token_count_completion"]) == (7, 5)
    assert llm["attributes"]["llm"]["input_messages"] == [{"message": {"role": "user", "content": "hello"}}]
    assert llm["attributes"]["llm"]["token_count"] == {"prompt": 7, "completion": 5}
    assert llm["attributes"]["metadata"] == {"k": "v"}
    assert chain["cumulative_error_count"] == 1
    assert (chain["cumulative_llm_token_count_prompt"], chain["cumulative_llm_token_count_completion"]) == (7, 5)


def test_json_export_is_accepted_and_answered_in_json(client: TestClient, database_env: dict[str, str]) -> None:
    spans = llm_trace("p-json")
    response = client.post(
        "/v1/traces", content=json_body(spans), headers={"content-type": "application/json; charset=utf-8"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {}
    stored = stored_spans(database_env)
    assert {span_id_hex(s) for s in spans} == set(stored)
    assert stored[span_id_hex(spans[0])]["attributes"]["llm"]["token_count"]["completion"] == 5


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("deflate", lambda b: zlib.compress(b)[2:-4])],
    ids=["gzip", "deflate-zlib", "deflate-raw"],
)
def test_compressed_exports_are_accepted(
    client: TestClient, database_env: dict[str, str], encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    spans = many_spans(3)
    response = _post(client, compress(protobuf_body(spans)), **{"content-encoding": encoding})
    assert response.status_code == 200
    assert set(stored_spans(database_env)) == {span_id_hex(s) for s in spans}


def test_body_claiming_gzip_that_is_not_gzip_is_a_400(client: TestClient) -> None:
    response = client.post("/v1/traces", content=b"not gzip at all", headers={**PROTOBUF, "content-encoding": "gzip"})
    assert (response.status_code, response.text) == (400, "Request body is not valid gzip data")


def test_truncated_gzip_is_a_400(client: TestClient) -> None:
    body = gzip.compress(protobuf_body(many_spans(2)))[:-10]
    response = client.post("/v1/traces", content=body, headers={**PROTOBUF, "content-encoding": "gzip"})
    assert response.status_code == 400


def test_undecodable_protobuf_is_a_422_with_phoenix_text(client: TestClient) -> None:
    response = client.post("/v1/traces", content=b"\xff\xff\xff\xff", headers=PROTOBUF)
    assert (response.status_code, response.text) == (422, "Request body is invalid ExportTraceServiceRequest")
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "zz"}]}]}]}', b"\xff\xfe"],
    ids=["syntax", "not-object", "bad-hex", "not-utf8"],
)
def test_undecodable_json_is_a_400(client: TestClient, body: bytes) -> None:
    response = client.post("/v1/traces", content=body, headers=JSON)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")


def test_empty_protobuf_body_is_an_empty_success(client: TestClient) -> None:
    response = client.post("/v1/traces", content=b"", headers=PROTOBUF)
    assert (response.status_code, response.content) == (200, b"")


@pytest.mark.parametrize("content_type", ["text/plain", "", "application/x-protobufx", "application/grpc"])
def test_other_content_types_are_a_415(client: TestClient, content_type: str) -> None:
    response = client.post("/v1/traces", content=b"", headers={"content-type": content_type})
    assert (response.status_code, response.text) == (415, f"Unsupported content type: {content_type}")


def test_unsupported_content_encoding_is_a_415(client: TestClient) -> None:
    response = client.post("/v1/traces", content=b"x", headers={**PROTOBUF, "content-encoding": "br"})
    assert (response.status_code, response.text) == (415, "Unsupported content encoding: br")


def test_body_over_the_limit_is_a_413_before_and_after_decompression(
    make_client: ClientFactory, database_env: dict[str, str]
) -> None:
    client = make_client({"PYREWATCH_MAX_REQUEST_BODY_BYTES": "4096"})
    big = protobuf_body(many_spans(2, attribute_bytes=5000))
    assert client.post("/v1/traces", content=big, headers=PROTOBUF).status_code == 413

    def chunks() -> Iterator[bytes]:
        yield big[:3000]
        yield big[3000:]

    # Without a Content-Length the limit holds while streaming.
    assert client.post("/v1/traces", content=chunks(), headers=PROTOBUF).status_code == 413
    # A small gzip body that inflates past the limit (a "zip bomb") is refused too.
    bomb = gzip.compress(b"\x00" * 2_000_000)
    assert len(bomb) < 4096
    response = client.post("/v1/traces", content=bomb, headers={**PROTOBUF, "content-encoding": "gzip"})
    assert response.status_code == 413
    assert stored_spans(database_env) == {}


def test_project_comes_from_header_then_resource_then_default(client: TestClient, database_env: dict[str, str]) -> None:
    from_header, from_resource, fallback = many_spans(1, "ignored"), many_spans(1, "from-resource"), many_spans(1)
    assert _post(client, protobuf_body(from_header), **{"x-project-name": "from-header"}).status_code == 200
    assert _post(client, protobuf_body(from_resource)).status_code == 200
    assert _post(client, protobuf_body(fallback)).status_code == 200
    stored = stored_spans(database_env)
    assert stored[span_id_hex(from_header[0])]["project_name"] == "from-header"
    assert stored[span_id_hex(from_resource[0])]["project_name"] == "from-resource"
    assert stored[span_id_hex(fallback[0])]["project_name"] == "default"


def test_spans_of_an_existing_trace_join_its_project_and_widen_it(
    client: TestClient, database_env: dict[str, str]
) -> None:
    spans = llm_trace("first")  # [llm child, chain root]
    child, root = spans
    assert _post(client, protobuf_body([child])).status_code == 200
    assert _post(client, protobuf_body([root]), **{"x-project-name": "second"}).status_code == 200
    stored = stored_spans(database_env)
    assert stored[span_id_hex(root)]["project_name"] == "first"
    times = {stored[span_id_hex(root)]["trace_start"], stored[span_id_hex(child)]["trace_start"]}
    assert times == {stored[span_id_hex(root)]["start_time"]}  # the root starts first
    assert stored[span_id_hex(root)]["trace_end"] == stored[span_id_hex(root)]["end_time"]


def test_child_arriving_after_its_parent_adds_to_every_ancestor(
    client: TestClient, database_env: dict[str, str]
) -> None:
    spans = llm_trace("late", error=True, prompt=11, completion=13)
    child, root = spans
    assert _post(client, protobuf_body([root])).status_code == 200
    assert stored_spans(database_env)[span_id_hex(root)]["cumulative_error_count"] == 0
    assert _post(client, protobuf_body([child])).status_code == 200
    stored = stored_spans(database_env)[span_id_hex(root)]
    assert stored["cumulative_error_count"] == 1
    assert (stored["cumulative_llm_token_count_prompt"], stored["cumulative_llm_token_count_completion"]) == (11, 13)


def test_retried_export_is_idempotent_and_reported(client: TestClient, database_env: dict[str, str]) -> None:
    spans = llm_trace("retry", error=True)
    body = protobuf_body(spans)
    assert _post(client, body).status_code == 200
    before = stored_spans(database_env)
    response = client.post("/v1/traces", content=body, headers=PROTOBUF)
    assert response.status_code == 200
    parsed = ExportTraceServiceResponse.FromString(response.content)
    assert parsed.partial_success.rejected_spans == 0
    assert "2 span(s) with an already stored span_id were ignored" in parsed.partial_success.error_message
    assert stored_spans(database_env) == before  # nothing duplicated, counts not added twice


def test_duplicate_span_id_in_another_project_keeps_the_stored_span(
    client: TestClient, database_env: dict[str, str]
) -> None:
    spans = many_spans(1, "original")
    assert _post(client, protobuf_body(spans)).status_code == 200
    assert _post(client, protobuf_body(spans), **{"x-project-name": "other"}).status_code == 200
    (row,) = stored_spans(database_env).values()
    assert row["project_name"] == "original"


def test_spans_with_invalid_ids_are_rejected_through_partial_success(
    client: TestClient, database_env: dict[str, str]
) -> None:
    good = many_spans(2)
    request = ExportTraceServiceRequest.FromString(protobuf_body(good))
    bad = request.resource_spans[0].scope_spans[0].spans.add()
    bad.CopyFrom(request.resource_spans[0].scope_spans[0].spans[0])
    bad.span_id = b"\x00" * 8
    short = request.resource_spans[0].scope_spans[0].spans.add()
    short.CopyFrom(request.resource_spans[0].scope_spans[0].spans[0])
    short.trace_id = b"\x01\x02"
    response = client.post("/v1/traces", content=request.SerializeToString(), headers=PROTOBUF)
    assert response.status_code == 200
    parsed = ExportTraceServiceResponse.FromString(response.content)
    assert parsed.partial_success.rejected_spans == 2
    assert "span_id" in parsed.partial_success.error_message
    assert set(stored_spans(database_env)) == {span_id_hex(s) for s in good}


def test_json_partial_success_is_reported_in_json(client: TestClient) -> None:
    request = ExportTraceServiceRequest.FromString(protobuf_body(many_spans(1)))
    request.resource_spans[0].scope_spans[0].spans[0].span_id = b"\x00" * 8
    document = json_format.MessageToDict(request)
    document["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["spanId"] = "00" * 8
    document["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"] = "ab" * 16
    response = client.post("/v1/traces", json=document)
    assert response.status_code == 200
    assert response.json()["partialSuccess"]["rejectedSpans"] in ("1", 1)


def test_text_that_postgresql_cannot_hold_is_stored_not_failed(
    client: TestClient, database_env: dict[str, str]
) -> None:
    request = ExportTraceServiceRequest.FromString(protobuf_body(many_spans(1)))
    span = request.resource_spans[0].scope_spans[0].spans[0]
    span.name = "nul\x00name"
    attribute = span.attributes.add()
    attribute.key = "weird"
    attribute.value.double_value = float("nan")
    assert client.post("/v1/traces", content=request.SerializeToString(), headers=PROTOBUF).status_code == 200
    (row,) = stored_spans(database_env).values()
    assert row["name"] == "nul\ufffdname"
    assert row["attributes"]["weird"] == "nan"


# -- authentication and authorization ---------------------------------------------------------


@pytest.fixture
def auth_client(make_client: ClientFactory) -> TestClient:
    return make_client(AUTH_ENV)


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer nope", "Basic abc", "Bearer pwsk_" + "a" * 40],
    ids=["none", "bad", "basic", "fake-key"],
)
def test_export_without_a_valid_key_is_a_401(
    auth_client: TestClient, database_env: dict[str, str], authorization: str | None
) -> None:
    headers = {**PROTOBUF, **({"authorization": authorization} if authorization else {})}
    response = auth_client.post("/v1/traces", content=protobuf_body(many_spans(1)), headers=headers)
    assert (response.status_code, response.text) == (401, "Invalid token")
    assert "www-authenticate" in response.headers
    assert stored_spans(database_env) == {}


def test_viewer_key_cannot_export(auth_client: TestClient, database_env: dict[str, str]) -> None:
    key = make_actor(auth_client, "VIEWER", via="key").token
    response = auth_client.post(
        "/v1/traces", content=protobuf_body(many_spans(1)), headers={**PROTOBUF, "authorization": f"Bearer {key}"}
    )
    assert (response.status_code, response.text) == (403, "Viewers cannot perform this action.")
    assert stored_spans(database_env) == {}


def test_member_and_system_keys_can_export(auth_client: TestClient, database_env: dict[str, str]) -> None:
    member = make_actor(auth_client, "MEMBER", via="key").token
    system = mint_system_key(auth_client).token
    first, second = many_spans(1), many_spans(1)
    for key, spans in ((member, first), (system, second)):
        response = auth_client.post(
            "/v1/traces", content=protobuf_body(spans), headers={**PROTOBUF, "Authorization": f"bearer {key}"}
        )
        assert response.status_code == 200
    assert set(stored_spans(database_env)) == {span_id_hex(first[0]), span_id_hex(second[0])}


# -- group commit and overload -----------------------------------------------------------------


def _wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_concurrent_exports_share_one_transaction_and_are_all_stored(
    client: TestClient, database_env: dict[str, str]
) -> None:
    writer = app_state(client).ingest_writer
    batches = [many_spans(10, f"c{i % 3}") for i in range(12)]
    before = writer.transactions
    with ThreadPoolExecutor(len(batches)) as pool, write_lock_held(database_env):
        futures = [pool.submit(_post, client, protobuf_body(b)) for b in batches]
        _wait_for(lambda: writer.pending_spans == 120)
    statuses = [f.result().status_code for f in futures]
    assert statuses == [200] * len(batches)
    # The first request's transaction was waiting on the lock; all the others shared the next.
    assert writer.transactions - before == 2
    assert len(stored_spans(database_env)) == 120


def test_full_queue_answers_503_with_retry_after_and_loses_nothing(
    make_client: ClientFactory, database_env: dict[str, str]
) -> None:
    client = make_client({"PHOENIX_MAX_SPANS_QUEUE_SIZE": "5"})
    writer = app_state(client).ingest_writer
    first, refused = many_spans(5), many_spans(1)
    with ThreadPoolExecutor(1) as pool, write_lock_held(database_env):
        pending = pool.submit(_post, client, protobuf_body(first))
        _wait_for(lambda: writer.pending_spans == 5)
        response = client.post("/v1/traces", content=protobuf_body(refused), headers=PROTOBUF)
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
        assert response.text == "Server is at capacity and cannot process more requests"
    assert pending.result().status_code == 200
    assert set(stored_spans(database_env)) == {span_id_hex(s) for s in first}
    # Once the queue drains, the refused export is accepted on retry.
    assert _post(client, protobuf_body(refused)).status_code == 200
