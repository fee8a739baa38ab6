"""Property: any OTLP export is answered without a 5xx, and each of its spans is either stored and
readable through ``GET /v1/projects/{p}/spans`` and ``POST /v1/spans``, or counted in
``partial_success``. Generated exports carry NUL, lone surrogates (inside JSON text and, over
OTLP/JSON, in the message's own strings), very deep keys, extreme numbers, odd ids, events and
links. Bounded: a fixed number of derandomized examples per dialect."""

from __future__ import annotations

import base64
import itertools
import json
import re
from typing import Any

from fastapi.testclient import TestClient
from google.protobuf import json_format
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from pyrewatch.ids import encode_global_id

# Valid names are read back after every example; the others must be refused.
VALID_PROJECTS = ("prop", "ünïcødé 名前", "%2F", " padded ")
INVALID_PROJECTS = ("a/b", "q?", "h#", encode_global_id("Project", 1), "x\x00y", "  ", "p" * 256)
# Stands for a lone surrogate: OTLP/JSON bodies carry it as "\ud800" (protobuf strings cannot).
SURROGATE_MARK = "\ue000"
IGNORED = re.compile(r"(\d+) span\(s\) with an already stored span_id were ignored")
JSON_KEYS = ("metadata", "tool.parameters", "llm.prompt_template.variables", "x.metadata")

odd_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "\x00", "a\x00b", SURROGATE_MARK, "\ufffd", "0", ".", "..", "a.", ".a", "\u202e"]),
)
keys = st.one_of(
    odd_text,
    st.sampled_from(["a", "a.b", "a.0", "a.0.b", "a.1", "a.b.c", "llm.input_messages.0.message.role", "0.1"]),
    st.integers(0, 1600).map(lambda n: "a." * n + "b"),
    st.sampled_from(JSON_KEYS),
)
numbers = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([0, 2**31 - 1, 2**31, -(2**31) - 1, 2**63 - 1, -(2**63)]),
    st.floats(allow_nan=True, allow_infinity=True),
)
json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(["\x00", "\ud800", "\udfff", "a\ud83d", "\U0001f600"]),
)
json_values = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4) | json_leaf.map(str), inner, max_size=3)
    ),
    max_leaves=8,
)


def _json_text(value: Any, depth: int) -> str:
    """A JSON object as text (``ensure_ascii``: surrogates and NUL become escapes), nested ``depth`` deep."""
    text = json.dumps({"v": value}, allow_nan=True)
    return '{"d":' * depth + text + "}" * depth


json_strings = st.builds(_json_text, json_values, st.one_of(st.just(0), st.integers(0, 200)))


@st.composite
def any_values(draw: st.DrawFn, depth: int = 0) -> AnyValue:
    value = AnyValue()
    kind = draw(st.sampled_from(["s", "b", "i", "d", "y", "a", "k", "none"] if depth < 40 else ["s", "i"]))
    if kind == "s":
        value.string_value = draw(odd_text | json_strings)
    elif kind == "b":
        value.bool_value = draw(st.booleans())
    elif kind == "i":
        value.int_value = draw(st.integers(-(2**63), 2**63 - 1) | st.sampled_from([2**31 - 1, 2**31]))
    elif kind == "d":
        value.double_value = draw(numbers.map(float))
    elif kind == "y":
        value.bytes_value = draw(st.binary(max_size=8))
    elif kind == "a":
        value.array_value.values.extend(draw(st.lists(any_values(depth + 1), max_size=2)))
    elif kind == "k":
        nested = draw(st.lists(st.tuples(keys, any_values(depth + 1)), max_size=2))
        value.kvlist_value.values.extend(KeyValue(key=k, value=v) for k, v in nested)
        if draw(st.booleans()) and depth < 40:
            # Occasionally a chain of kvlists deeper than any bound.
            value.kvlist_value.values.add(key="deep", value=draw(any_values(depth + 1)))
    return value


@st.composite
def attribute_lists(draw: st.DrawFn) -> list[KeyValue]:
    pairs = draw(st.lists(st.tuples(keys, any_values()), max_size=5))
    attributes = [KeyValue(key=k, value=v) for k, v in pairs]
    if draw(st.booleans()):
        attributes.append(KeyValue(key="openinference.span.kind", value=AnyValue(string_value="LLM")))
        for key in ("llm.token_count.prompt", "llm.token_count.completion"):
            attributes.append(KeyValue(key=key, value=draw(any_values())))
    for key in draw(st.lists(st.sampled_from(JSON_KEYS), max_size=2)):
        attributes.append(KeyValue(key=key, value=AnyValue(string_value=draw(json_strings))))
    return attributes


times = st.one_of(st.integers(0, 2**64 - 1), st.integers(1_700_000_000 * 10**9, 1_800_000_000 * 10**9))
# Most ids are fresh (derandomized generation repeats itself, so fresh ids come from a counter);
# some are odd (wrong length, all zero), some repeat earlier ones.
_FRESH = itertools.count(1)
odd_ids = st.one_of(st.binary(max_size=17), st.sampled_from([b"\x00" * 8, b"\x00" * 16]))


def _fresh(size: int) -> bytes:
    return next(_FRESH).to_bytes(size, "big")


@st.composite
def ids(draw: st.DrawFn, size: int, earlier: list[bytes]) -> bytes:
    choice = draw(st.integers(0, 9))  # small values are drawn most: they are the usual case
    if choice == 9:
        return draw(odd_ids)
    if choice == 8 and earlier:
        return draw(st.sampled_from(earlier))
    return _fresh(size)


@st.composite
def projects(draw: st.DrawFn) -> str | None:
    choice = draw(st.integers(0, 9))
    if choice < 6:
        return draw(st.sampled_from(VALID_PROJECTS))
    if choice < 8:
        return None
    return draw(st.sampled_from(INVALID_PROJECTS))


@st.composite
def exports(draw: st.DrawFn) -> ExportTraceServiceRequest:
    request = ExportTraceServiceRequest()
    traces: list[bytes] = []
    spans: list[bytes] = []
    for _ in range(draw(st.integers(1, 2))):
        resource_spans = request.resource_spans.add()
        project = draw(projects())
        if project is not None:
            resource_spans.resource.attributes.add(key="openinference.project.name").value.string_value = project
        scope = resource_spans.scope_spans.add()
        for _ in range(draw(st.integers(1, 3))):
            span = scope.spans.add(trace_id=draw(ids(16, traces)), span_id=draw(ids(8, spans)))
            if draw(st.booleans()):
                span.parent_span_id = draw(ids(8, spans))
            traces.append(span.trace_id)
            spans.append(span.span_id)
            _fill(draw, span)
    return request


def _fill(draw: st.DrawFn, span: Span) -> None:
    span.name = draw(odd_text)
    span.kind = Span.SpanKind.ValueType(draw(st.integers(0, 9)))  # open enums take unknown values
    span.start_time_unix_nano, span.end_time_unix_nano = draw(times), draw(times)
    span.attributes.extend(draw(attribute_lists()))
    span.status.code = Status.StatusCode.ValueType(draw(st.integers(0, 5)))
    span.status.message = draw(odd_text)
    for _ in range(draw(st.integers(0, 2))):
        event = span.events.add(name=draw(odd_text), time_unix_nano=draw(times))
        event.attributes.extend(draw(attribute_lists()))
    for _ in range(draw(st.integers(0, 1))):
        link = span.links.add(trace_id=draw(ids(16, [])), span_id=draw(ids(8, [])))
        link.attributes.extend(draw(attribute_lists()))


def _otlp_json(request: ExportTraceServiceRequest) -> bytes:
    document = json_format.MessageToDict(request)
    for resource_spans in document.get("resourceSpans", []):
        for scope_spans in resource_spans.get("scopeSpans", []):
            for span in scope_spans.get("spans", []):
                for node in [span, *span.get("links", [])]:
                    for key in ("traceId", "spanId", "parentSpanId"):
                        if key in node:
                            node[key] = base64.b64decode(node[key]).hex()
    return json.dumps(document).replace("\\ue000", "\\ud800").encode()


def _readable_spans(client: TestClient) -> int:
    """How many spans the valid projects hold, read through both REST reads (never a 5xx)."""
    listed = client.get("/v1/projects", params={"limit": 1000})
    assert listed.status_code == 200, listed.text[:300]
    total = 0
    for project in listed.json()["data"]:
        spans = client.get(f"/v1/projects/{project['id']}/spans", params={"limit": 1000})
        assert spans.status_code == 200, spans.text[:300]
        assert len(spans.json()["data"]) < 1000
        total += len(spans.json()["data"])
        table = client.post("/v1/spans", json={"queries": [{}], "project_name": project["name"], "limit": 1000})
        assert table.status_code == 200, table.text[:300]
    return total


@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(request=exports(), as_json=st.booleans())
def test_every_span_is_stored_and_readable_or_reported(
    client: TestClient, request: ExportTraceServiceRequest, as_json: bool
) -> None:
    sent = sum(len(scope.spans) for rs in request.resource_spans for scope in rs.scope_spans)
    before = _readable_spans(client)
    if as_json:
        response = client.post("/v1/traces", content=_otlp_json(request), headers={"content-type": "application/json"})
    else:
        body = request.SerializeToString()
        response = client.post("/v1/traces", content=body, headers={"content-type": "application/x-protobuf"})
    assert response.status_code == 200, response.text[:300]
    if as_json:
        answer = json_format.Parse(response.content or b"{}", ExportTraceServiceResponse())
    else:
        answer = ExportTraceServiceResponse.FromString(response.content)
    rejected = answer.partial_success.rejected_spans
    found = IGNORED.search(answer.partial_success.error_message)
    ignored = int(found.group(1)) if found else 0
    assert _readable_spans(client) - before + rejected + ignored == sent
