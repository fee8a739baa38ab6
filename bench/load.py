"""Load generators: a lean keep-alive HTTP/1.1 GET loop and the OTLP ingest workload."""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest


@dataclass
class Throughput:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def _get_loop(
    url: str, headers: dict[str, str], stop_at: float, latencies: list[float], errors: list[int]
) -> None:
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    head = f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    request = head.encode()
    try:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if b" 200 " not in status_line:
                errors.append(1)
    finally:
        writer.close()


def get_throughput(url: str, headers: dict[str, str], concurrency: int, seconds: float) -> Throughput:
    """Requests/s of GET ``url`` from ``concurrency`` keep-alive connections for ``seconds``."""

    async def run() -> tuple[list[float], list[int], float]:
        latencies: list[float] = []
        errors: list[int] = []
        started = time.perf_counter()
        stop_at = started + seconds
        await asyncio.gather(*(_get_loop(url, headers, stop_at, latencies, errors) for _ in range(concurrency)))
        return latencies, errors, time.perf_counter() - started

    latencies, errors, elapsed = asyncio.run(run())
    ordered = sorted(latencies) or [0.0]
    return Throughput(
        requests=len(latencies),
        errors=len(errors),
        seconds=elapsed,
        p50_ms=statistics.median(ordered) * 1000,
        p99_ms=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    )


def _attribute(request: ExportTraceServiceRequest, span: object, key: str, value: object) -> None:
    kv = span.attributes.add()  # type: ignore[attr-defined]
    kv.key = key
    if isinstance(value, int):
        kv.value.int_value = value
    else:
        kv.value.string_value = str(value)


def ingest_bodies(total: int, batch: int, project: str) -> list[bytes]:
    """Protobuf exports of ``batch`` spans each (~1 KB of OpenInference attributes per span)."""
    rng = random.Random(7)
    bodies = []
    now = time.time_ns()
    for start in range(0, total, batch):
        request = ExportTraceServiceRequest()
        resource_spans = request.resource_spans.add()
        attr = resource_spans.resource.attributes.add()
        attr.key, attr.value.string_value = "openinference.project.name", project
        scope = resource_spans.scope_spans.add()
        trace_id = os.urandom(16)
        root = b""
        for index in range(start, min(start + batch, total)):
            span = scope.spans.add()
            span.trace_id, span.span_id = trace_id, os.urandom(8)
            span.parent_span_id = root
            root = root or span.span_id
            span.name = f"llm-{index}"
            span.start_time_unix_nano = now + index * 1000
            span.end_time_unix_nano = now + index * 1000 + 500_000
            text = "".join(rng.choice("abcdefghij klmnop") for _ in range(300))
            for key, value in (
                ("openinference.span.kind", "LLM"),
                ("llm.model_name", "gpt-4o-mini"),
                ("llm.input_messages.0.message.role", "system"),
                ("llm.input_messages.0.message.content", text[:150]),
                ("llm.input_messages.1.message.role", "user"),
                ("llm.input_messages.1.message.content", text[150:]),
                ("llm.output_messages.0.message.role", "assistant"),
                ("llm.output_messages.0.message.content", text),
                ("input.value", text[:200]),
                ("output.value", text[100:]),
                ("metadata", '{"user": "bench", "attempt": 1}'),
                ("llm.token_count.prompt", 120),
                ("llm.token_count.completion", 80),
                ("llm.token_count.total", 200),
            ):
                _attribute(request, span, key, value)
        bodies.append(request.SerializeToString())
    return bodies


@dataclass
class IngestResult:
    spans: int
    accept_seconds: float
    queryable_seconds: float | None
    retries: int
    query_method: str


async def _export_all(url: str, key: str, bodies: list[bytes], exporters: int) -> int:
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    retries = 0
    headers = {"content-type": "application/x-protobuf", "authorization": f"Bearer {key}"}

    async def exporter(client: httpx.AsyncClient) -> None:
        nonlocal retries
        while not queue.empty():
            body = queue.get_nowait()
            while True:
                response = await client.post(url + "/v1/traces", content=body, headers=headers)
                if response.status_code == 200:
                    break
                if response.status_code not in (429, 502, 503, 504):
                    raise RuntimeError(f"export failed: {response.status_code} {response.text[:200]}")
                retries += 1
                await asyncio.sleep(float(response.headers.get("retry-after", "1")))

    async with httpx.AsyncClient(timeout=120) as client:
        await asyncio.gather(*(exporter(client) for _ in range(exporters)))
    return retries


def count_spans_rest(url: str, key: str, project: str) -> int | None:
    """Spans of ``project`` through ``GET /v1/projects/{name}/spans``; ``None`` when not served."""
    count, cursor = 0, None
    with httpx.Client(base_url=url, headers={"authorization": f"Bearer {key}"}, timeout=60) as client:
        while True:
            params: dict[str, str | int] = {"limit": 1000}
            if cursor:
                params["cursor"] = cursor
            response = client.get(f"/v1/projects/{project}/spans", params=params)
            if response.status_code == 404 and count == 0 and "project" not in response.text.lower():
                return None
            if response.status_code != 200:
                return count
            body = response.json()
            count += len(body["data"])
            cursor = body.get("next_cursor")
            if not cursor:
                return count


def run_ingest(
    url: str, key: str, bodies: list[bytes], exporters: int, project: str, count_fallback: object, timeout: float
) -> IngestResult:
    total = sum(len(ExportTraceServiceRequest.FromString(b).resource_spans[0].scope_spans[0].spans) for b in bodies)
    started = time.perf_counter()
    retries = asyncio.run(_export_all(url, key, bodies, exporters))
    accepted = time.perf_counter() - started
    method = "REST GET /v1/projects/{name}/spans"
    while True:
        count = count_spans_rest(url, key, project)
        if count is None:
            method = "database count (the REST spans route is not served)"
            assert callable(count_fallback)
            count = count_fallback()
        if count >= total:
            return IngestResult(total, accepted, time.perf_counter() - started, retries, method)
        if time.perf_counter() - started > timeout:
            return IngestResult(total, accepted, None, retries, method)
        time.sleep(0.5)
