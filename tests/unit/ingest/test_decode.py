"""The decoder on payloads made by the OpenTelemetry SDK's own OTLP encoder."""

from __future__ import annotations

from typing import Any

import pytest

from pyrewatch.errors import BadRequest, InvalidInput
from pyrewatch.ingest.attributes import interpret, unflatten
from pyrewatch.ingest.decode import decode_export, parse_json, parse_protobuf
from pyrewatch.services.projects import check_project_name
from tests.support.otlp import json_body, llm_trace, protobuf_body, recording, span_id_hex


def _decode_one(attributes: dict[str, Any]) -> Any:
    with recording("unit") as (tracer, exporter):
        with tracer.start_as_current_span("s", attributes=attributes):
            pass
        spans = exporter.get_finished_spans()
    (record,) = decode_export(parse_protobuf(protobuf_body(spans))).spans
    return record


@pytest.mark.parametrize(
    ("attributes", "kind"),
    [
        ({"openinference.span.kind": "LLM"}, "LLM"),
        ({"openinference.span.kind": "retriever"}, "RETRIEVER"),
        ({"openinference.span.kind": "nonsense"}, "UNKNOWN"),
        ({}, "UNKNOWN"),
        ({"gen_ai.operation.name": "chat"}, "LLM"),
        ({"gen_ai.operation.name": "chat", "openinference.span.kind": "AGENT"}, "AGENT"),
    ],
)
def test_span_kind_comes_from_openinference_kind(attributes: dict[str, Any], kind: str) -> None:
    assert _decode_one(attributes).span_kind == kind


@pytest.mark.parametrize(
    ("attributes", "prompt", "completion"),
    [
        ({"openinference.span.kind": "LLM", "llm.token_count.prompt": "7", "llm.token_count.completion": 3.0}, 7, 3),
        ({"openinference.span.kind": "LLM"}, 0, 0),
        ({"openinference.span.kind": "LLM", "llm.token_count.prompt": "many"}, 0, 0),
        ({"openinference.span.kind": "CHAIN", "llm.token_count.prompt": 5}, None, None),
        ({"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 4, "gen_ai.usage.output_tokens": 2}, 4, 2),
    ],
)
def test_token_counts_are_taken_for_llm_spans_only(
    attributes: dict[str, Any], prompt: int | None, completion: int | None
) -> None:
    record = _decode_one(attributes)
    assert (record.llm_token_count_prompt, record.llm_token_count_completion) == (prompt, completion)


def test_gen_ai_attributes_never_overwrite_openinference_ones() -> None:
    record = _decode_one({"gen_ai.request.model": "g", "llm.model_name": "oi"})
    assert record.attributes["llm"]["model_name"] == "oi"


def test_json_metadata_strings_become_objects_and_other_strings_stay() -> None:
    record = _decode_one(
        {"metadata": '{"a": 1}', "tool.parameters": '{"x": [1]}', "session.metadata": "not json", "x.metadata": "[1]"}
    )
    assert record.attributes["metadata"] == {"a": 1}
    assert record.attributes["tool"]["parameters"] == {"x": [1]}
    assert record.attributes["session"]["metadata"] == "not json"
    assert record.attributes["x"]["metadata"] == "[1]"


def test_non_string_input_value_is_json_encoded() -> None:
    interpreted = interpret({"input.value": {"q": 1}})
    assert interpreted.attributes["input"] == {"value": '{"q": 1}', "mime_type": "application/json"}


@pytest.mark.parametrize(
    ("flat", "nested"),
    [
        ({"a.b": 1, "a.c": 2}, {"a": {"b": 1, "c": 2}}),
        ({"m.1.role": "b", "m.0.role": "a"}, {"m": [{"role": "a"}, {"role": "b"}]}),
        ({"m.0": "x", "m.5": "y"}, {"m": ["x", "y"]}),
        ({"a": 1, "a.b": 2}, {"a": 1, "a.b": 2}),
        ({"a.0": 1, "a.k": 2}, {"a": {"0": 1, "k": 2}}),
        ({"plain": [1, 2]}, {"plain": [1, 2]}),
    ],
)
def test_unflatten(flat: dict[str, Any], nested: dict[str, Any]) -> None:
    assert unflatten(flat) == nested


def test_json_and_protobuf_encodings_decode_to_the_same_records() -> None:
    spans = llm_trace("same", error=True)
    from_protobuf = decode_export(parse_protobuf(protobuf_body(spans))).spans
    from_json = decode_export(parse_json(json_body(spans))).spans
    assert from_protobuf == from_json
    assert {r.span_id for r in from_json} == {span_id_hex(s) for s in spans}


def test_exception_event_keeps_its_attributes() -> None:
    with recording() as (tracer, exporter):
        with tracer.start_as_current_span("s") as span:
            span.record_exception(ValueError("bad"))
        spans = exporter.get_finished_spans()
    (record,) = decode_export(parse_protobuf(protobuf_body(spans))).spans
    (event,) = record.events
    assert event["name"] == "exception"
    assert event["attributes"]["exception.type"] == "ValueError"
    assert event["attributes"]["exception.message"] == "bad"
    assert "exception.stacktrace" in event["attributes"]


def test_header_project_wins_over_the_resource() -> None:
    request = parse_protobuf(protobuf_body(llm_trace("resource")))
    assert {r.project_name for r in decode_export(request, "header").spans} == {"header"}
    assert {r.project_name for r in decode_export(request).spans} == {"resource"}


def test_overlong_project_name_rejects_its_spans() -> None:
    decoded = decode_export(parse_protobuf(protobuf_body(llm_trace("p" * 256))), None, check_project_name)
    assert (decoded.spans, decoded.rejected) == ([], 2)
    assert decoded.reasons == ["project name refused: Project name must be at most 255 characters"]


def test_garbage_is_refused_with_domain_errors() -> None:
    with pytest.raises(InvalidInput):
        parse_protobuf(b"\x0a\xff")
    with pytest.raises(BadRequest):
        parse_json(b'{"resourceSpans": 3}')
