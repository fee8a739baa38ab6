"""Hostile span content over ``POST /v1/traces`` and gRPC, on SQLite and PostgreSQL: every span is
either stored and readable back, or reported in ``partial_success``; never a 5xx."""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import replace

import grpc
import pytest
from fastapi.testclient import TestClient
from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.sdk.trace import ReadableSpan

from pyrewatch.ingest.decode import decode_export
from pyrewatch.ingest.writer import IngestWriter, WriteOutcome
from tests.integration.otlp.helpers import export_of, post_protobuf, read_back, set_string, spans_of
from tests.support.apps import app_state, in_app
from tests.support.otlp import llm_trace, protobuf_body, span_id_hex, stored_spans

EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
DEEP_KEY = "a." * 1500 + "b"


@pytest.mark.parametrize(
    ("key", "value", "path", "expected"),
    [
        ("metadata", '{"a":"\\u0000"}', ("metadata", "a"), "\ufffd"),
        ("metadata", '{"a":"\\ud800"}', ("metadata", "a"), "\ufffd"),
        ("tool.parameters", '{"q":"x\\u0000y"}', ("tool", "parameters", "q"), "x\ufffdy"),
        ("llm.prompt_template.variables", '{"\\u0000k":"\\udfff"}', ("llm", "prompt_template", "variables"), None),
        ("k\x00ey", "v\x00", ("k\ufffdey",), "v\ufffd"),
    ],
    ids=["metadata-nul", "metadata-surrogate", "tool-parameters-nul", "variables-key", "nul-in-key"],
)
def test_text_found_only_after_json_parsing_is_cleaned_and_the_batch_is_kept(
    client: TestClient,
    database_env: dict[str, str],
    key: str,
    value: str,
    path: tuple[str, ...],
    expected: object,
) -> None:
    request = export_of(3, "hostile")
    bad = spans_of(request)[1]
    set_string(bad, key, value)
    response = post_protobuf(client, request)
    assert response.status_code == 200, response.text
    assert response.content == b""
    stored = stored_spans(database_env)
    assert set(stored) == {span.span_id.hex() for span in spans_of(request)}
    node = stored[bad.span_id.hex()]["attributes"]
    node = json.loads(node) if isinstance(node, str) else node
    for part in path:
        node = node[part]
    assert node == (expected if expected is not None else {"\ufffdk": "\ufffd"})
    assert set(read_back(client, "hostile")) == set(stored)


def test_lone_surrogate_escapes_in_otlp_json_are_replaced_not_refused(
    client: TestClient, database_env: dict[str, str]
) -> None:
    document = json_format.MessageToDict(export_of(2, "json-surrogates"))
    for span in document["resourceSpans"][0]["scopeSpans"][0]["spans"]:
        for field in ("traceId", "spanId"):
            span[field] = base64.b64decode(span[field]).hex()
    spans = document["resourceSpans"][0]["scopeSpans"][0]["spans"]
    spans[0]["name"] = "name\ud800"
    spans[0]["attributes"].append({"key": "k\udc00", "value": {"stringValue": "v\ud8ff"}})
    spans[1]["name"] = "\ue000"  # sent below as the UTF-8 bytes of a lone surrogate
    body = json.dumps(document).replace("\\ue000", "\udfff 한").encode("utf-8", "surrogatepass")
    response = client.post("/v1/traces", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json() == {}
    read = read_back(client, "json-surrogates")
    stored = read[spans[0]["spanId"]]
    assert stored["name"] == "name\ufffd"
    assert stored["attributes"]["k\ufffd"] == "v\ufffd"
    assert read[spans[1]["spanId"]]["name"] == "\ufffd 한"
    assert len(read) == 2


@pytest.mark.parametrize("as_json", [False, True], ids=["protobuf", "json"])
def test_a_key_of_1500_dotted_levels_is_stored_nested_to_a_bound(
    client: TestClient, database_env: dict[str, str], as_json: bool
) -> None:
    request = export_of(2, "deep")
    set_string(spans_of(request)[0], DEEP_KEY, "deep")
    if as_json:
        body = json_format.MessageToDict(request)
        for span in body["resourceSpans"][0]["scopeSpans"][0]["spans"]:
            for field in ("traceId", "spanId"):
                span[field] = base64.b64decode(span[field]).hex()
        response = client.post("/v1/traces", json=body)
    else:
        response = post_protobuf(client, request)
    assert response.status_code == 200, response.text
    read = read_back(client, "deep")
    assert len(read) == 2
    # 32 levels of nesting, then the rest of the key stays flat.
    flat = read[spans_of(request)[0].span_id.hex()]["attributes"]
    (key,) = [k for k in flat if k.startswith("a.")]
    assert key == DEEP_KEY and flat[key] == "deep"


@pytest.fixture
def channel(client: TestClient) -> Iterator[grpc.Channel]:
    port = app_state(client).grpc_port
    with grpc.insecure_channel(f"127.0.0.1:{port}") as chan:
        yield chan


def test_grpc_stores_a_deeply_dotted_key_and_cleaned_json_text(
    client: TestClient, channel: grpc.Channel, database_env: dict[str, str]
) -> None:
    request = export_of(3, "grpc-hostile")
    set_string(spans_of(request)[0], DEEP_KEY, "deep")
    set_string(spans_of(request)[1], "metadata", '{"a":"\\u0000\\ud800"}')
    call = channel.unary_unary(EXPORT, request_serializer=None, response_deserializer=None)
    answer = ExportTraceServiceResponse.FromString(call(request.SerializeToString(), timeout=30))
    assert answer.partial_success.rejected_spans == 0
    read = read_back(client, "grpc-hostile")
    assert len(read) == 3
    assert read[spans_of(request)[1].span_id.hex()]["attributes"]["metadata.a"] == "\ufffd\ufffd"


def test_cumulative_token_counts_stop_at_the_column_bound(client: TestClient, database_env: dict[str, str]) -> None:
    big = 2**31 - 1
    parent = llm_trace("tokens", prompt=big, completion=1)
    assert post_protobuf(client, _request(parent)).status_code == 200
    # A second LLM child of the stored chain span pushes its cumulative count past 32 bits.
    sibling = _request(parent)
    chain_id = span_id_hex(parent[1])
    del sibling.resource_spans[0].scope_spans[0].spans[1]
    child = spans_of(sibling)[0]
    child.span_id = b"\x0f" * 8
    response = post_protobuf(client, sibling)
    assert response.status_code == 200, response.text
    assert response.content == b""
    stored = stored_spans(database_env)
    assert stored[chain_id]["cumulative_llm_token_count_prompt"] == big
    assert stored["0f" * 8]["llm_token_count_prompt"] == big
    assert len(read_back(client, "tokens")) == 3


def _request(spans: Sequence[ReadableSpan]) -> ExportTraceServiceRequest:
    request: ExportTraceServiceRequest = ExportTraceServiceRequest.FromString(protobuf_body(spans))
    return request


def test_spans_the_database_refuses_are_reported_and_the_others_stored(
    client: TestClient, database_env: dict[str, str]
) -> None:
    writer: IngestWriter = app_state(client).ingest_writer
    records = decode_export(export_of(5, "refused")).spans
    # Values the decoder never produces, as a store might see them: the driver cannot encode them.
    records[2] = replace(records[2], name="bad\ud800")
    assert client.portal is not None
    outcome: WriteOutcome = in_app(client, writer.submit, records)
    assert (outcome.stored, outcome.already_stored, outcome.refused) == (4, 0, 1)
    assert outcome.refusal == "span refused: the database cannot store one of its values"
    assert set(stored_spans(database_env)) == {r.span_id for i, r in enumerate(records) if i != 2}


@pytest.mark.parametrize("dialect", ["sqlite"], indirect=True)
def test_reads_survive_lone_surrogates_stored_by_older_versions(
    client: TestClient, database_env: dict[str, str]
) -> None:
    spans = llm_trace("old-data")
    assert post_protobuf(client, _request(spans)).status_code == 200
    path = database_env["PHOENIX_SQL_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE spans SET attributes = ?, name = ? WHERE span_id = ?",
            ('{"metadata": {"a": "\\ud800"}}', "n", span_id_hex(spans[0])),
        )
    read = read_back(client, "old-data")
    assert read[span_id_hex(spans[0])]["attributes"]["metadata.a"] == "\ufffd"
