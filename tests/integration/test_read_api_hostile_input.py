"""No client input makes the read API fail with a server error."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.testclient import TestClient

from pyrewatch.ids import encode_global_id
from tests.factories import Database, make_project, make_span, make_trace

NASTY = [
    "",
    "%00",
    quote("\x00"),
    quote("é😀"),
    "x" * 3000,
    "-1",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "null",
    "[]",
    "{}",
    "'; DROP TABLE spans; --",
    encode_global_id("Project", 2**31),
    encode_global_id("Span", 2**62),
    encode_global_id("Trace", 0),
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    quote("%_\\"),
]
QUERY_NAMES = [
    "cursor",
    "limit",
    "start_time",
    "end_time",
    "trace_id",
    "span_id",
    "parent_id",
    "name",
    "span_kind",
    "status_code",
    "attribute",
    "sort",
    "order",
    "span_ids",
    "identifier",
    "include_annotation_names",
    "name_contains",
    "include_spans",
    "session_identifier",
    "min_latency_ms",
    "error",
]


def test_hostile_paths_and_parameters_never_cause_a_server_error(
    client: TestClient, database_env: dict[str, str]
) -> None:
    async def seed(session: object) -> str:
        trace = await make_trace(session, await make_project(session, "p"))  # type: ignore[arg-type]
        span = await make_span(session, trace)  # type: ignore[arg-type]
        return span.span_id

    span_id = Database(database_env).run(seed)
    failures: list[tuple[object, ...]] = []
    for value in NASTY:
        for path in ["/v1/projects/{v}", "/v1/projects/{v}/spans", "/v1/projects/{v}/traces"]:
            for method in ("GET", "DELETE", "PUT"):
                response = client.request(method, path.format(v=value), json={"description": value})
                if response.status_code >= 500:
                    failures.append((method, path, value, response.status_code))
        for path in ["/v1/spans/{v}", "/v1/traces/{v}"]:
            if client.delete(path.format(v=value)).status_code >= 500:
                failures.append(("DELETE", path, value))
        for name in QUERY_NAMES:
            for path in [
                "/v1/projects",
                "/v1/projects/p/spans",
                "/v1/projects/p/traces",
                "/v1/projects/p/span_annotations",
            ]:
                response = client.get(f"{path}?{name}={value}&span_ids={span_id}")
                if response.status_code >= 500:
                    failures.append(("GET", path, name, value, response.status_code))
    bodies = [
        {"data": [{"span_id": span_id, "name": "n", "annotator_kind": "LLM", "metadata": {"a": [[[[]]]]}}]},
        {"data": [{"span_id": "\x00", "name": "n", "annotator_kind": "LLM"}]},
        {"data": "x"},
        [],
    ]
    for body in bodies:
        for url in [
            "/v1/span_annotations?sync=true",
            "/v1/span_annotations",
            "/v1/span_notes",
            "/v1/spans",
            "/v1/projects",
        ]:
            response = client.post(url, json=body)
            if response.status_code >= 500:
                failures.append(("POST", url, body, response.status_code))
    for raw in [
        b"{",
        b"\xff\xfe",
        b'{"queries": [{}], "limit": 1e400}',
        b'{"queries": [{}], "start_time": "9999-12-31T23:59:59-05:00"}',
    ]:
        response = client.post("/v1/spans", content=raw, headers={"content-type": "application/json"})
        if response.status_code >= 500:
            failures.append(("POST", "/v1/spans", raw, response.status_code))
    assert failures == []
