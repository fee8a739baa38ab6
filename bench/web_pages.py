"""Web UI benchmark: first byte and total time of the main pages over 200,000 SQLite spans.

Fills a fresh SQLite database (through ``pyrewatch serve``'s own migrations, then bulk inserts)
with one project of 19,800 ten-span traces spread over the last 24 hours plus one trace of
2,000 spans, starts ``pyrewatch serve`` on it (auth off) and times each page ``--runs`` times
after one warm-up request. Usage: ``python bench/web_pages.py [--runs 10]``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import servers

SPANS_PER_TRACE = 10
BIG_TRACE_SPANS = 2_000
FORMAT = "%Y-%m-%d %H:%M:%S.%f"
RESULTS = Path(__file__).resolve().parent / "results"


def _hex(bits: int) -> str:
    return f"{random.getrandbits(bits):0{bits // 4}x}"


def _trace(trace_rowid: int, start: datetime, width: int, failed: bool) -> list[tuple[object, ...]]:
    root_id = _hex(64)
    end = start + timedelta(milliseconds=random.randint(200, 4000))
    rows: list[tuple[object, ...]] = []
    children = []
    for index in range(width - 1):
        is_llm = index % 2 == 0
        child_start = start + (end - start) * index / width
        child_end = child_start + (end - start) / width
        prompt, completion = (random.randint(50, 900), random.randint(10, 300)) if is_llm else (None, None)
        status = "ERROR" if failed and index == width - 2 else "OK"
        attributes = {"llm": {"model_name": "gpt-4o"}} if is_llm else {"tool": {"name": "search"}}
        attributes["input"] = {"value": f"step {index} of a benchmark trace", "mime_type": "text/plain"}
        children.append((prompt or 0, completion or 0, status))
        rows.append(
            (trace_rowid, _hex(64), root_id, "llm" if is_llm else "tool", "LLM" if is_llm else "TOOL",
             child_start.strftime(FORMAT), child_end.strftime(FORMAT), json.dumps(attributes), "[]", status,
             "boom" if status == "ERROR" else "", prompt, completion, int(status == "ERROR"), prompt or 0,
             completion or 0)
        )  # fmt: skip
    errors = sum(1 for _, _, status in children if status == "ERROR")
    root = (
        trace_rowid, root_id, None, "agent", "AGENT", start.strftime(FORMAT), end.strftime(FORMAT),
        json.dumps({"input": {"value": "a question", "mime_type": "text/plain"}}), "[]", "OK", "", None, None,
        errors, sum(p for p, _, _ in children), sum(c for _, c, _ in children),
    )  # fmt: skip
    return [root, *rows]


def fill(database: Path, total_spans: int) -> tuple[int, str]:
    """Insert the data; return the project id and the id of the 2,000-span trace."""
    connection = sqlite3.connect(database)
    now = datetime.now(UTC).replace(tzinfo=None)
    stamp = now.strftime(FORMAT)
    project_id = connection.execute(
        "INSERT INTO projects (name, description, created_at, updated_at) VALUES ('bench', NULL, ?, ?)", (stamp, stamp)
    ).lastrowid
    assert project_id is not None
    traces = (total_spans - BIG_TRACE_SPANS) // SPANS_PER_TRACE
    widths = [SPANS_PER_TRACE] * traces + [BIG_TRACE_SPANS]
    big_trace_id = ""
    for first in range(0, len(widths), 2_000):
        trace_rows, span_rows = [], []
        next_rowid = (connection.execute("SELECT COALESCE(MAX(id), 0) FROM traces").fetchone()[0]) + 1
        for offset, width in enumerate(widths[first : first + 2_000]):
            rowid = next_rowid + offset
            start = now - timedelta(seconds=random.uniform(60, 86_000))
            spans = _trace(rowid, start, width, failed=random.random() < 0.05)
            trace_id = _hex(128)
            if width == BIG_TRACE_SPANS:
                big_trace_id = trace_id
            trace_rows.append((rowid, project_id, trace_id, spans[0][5], spans[0][6]))
            span_rows += [(span[0], project_id, *span[1:]) for span in spans]
        connection.executemany("INSERT INTO traces VALUES (?, ?, ?, ?, ?)", trace_rows)
        connection.executemany(
            "INSERT INTO spans (trace_rowid, project_id, span_id, parent_id, name, span_kind, start_time, end_time,"
            " attributes, events, status_code, status_message, llm_token_count_prompt, llm_token_count_completion,"
            " cumulative_error_count, cumulative_llm_token_count_prompt, cumulative_llm_token_count_completion)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            span_rows,
        )
        connection.commit()
    connection.execute("ANALYZE")
    connection.commit()
    connection.close()
    return project_id, big_trace_id


def start(workdir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PHOENIX_", "PYREWATCH_"))}
    env |= {"PHOENIX_WORKING_DIR": str(workdir), "PHOENIX_PORT": str(port), "PHOENIX_HOST": "127.0.0.1"}
    env["PHOENIX_GRPC_PORT"] = str(servers.free_port())
    log = (workdir / "server.log").open("ab")
    process = subprocess.Popen([sys.executable, "-m", "pyrewatch", "serve"], env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def measure(client: httpx.Client, path: str, runs: int) -> dict[str, float]:
    client.get(path).raise_for_status()  # warm-up
    first_bytes, totals, size = [], [], 0
    for _ in range(runs):
        started = time.perf_counter()
        with client.stream("GET", path) as response:
            response.raise_for_status()
            chunks = response.iter_bytes()
            size = len(next(chunks, b""))
            first_bytes.append(time.perf_counter() - started)
            size += sum(len(chunk) for chunk in chunks)
        totals.append(time.perf_counter() - started)
    return {
        "first_byte_ms_median": statistics.median(first_bytes) * 1000,
        "first_byte_ms_max": max(first_bytes) * 1000,
        "total_ms_median": statistics.median(totals) * 1000,
        "bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spans", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    random.seed(7)
    with tempfile.TemporaryDirectory(prefix="pyrewatch-web-bench-") as tmp:
        workdir, port = Path(tmp), servers.free_port()
        start(workdir, port).terminate()  # migrations create the schema
        time.sleep(2)
        began = time.perf_counter()
        project_id, big_trace = fill(workdir / "pyrewatch.db", args.spans)
        print(f"filled {args.spans:,} spans in {time.perf_counter() - began:.1f} s")
        gid = base64.b64encode(f"Project:{project_id}".encode()).decode()
        pages = {
            "projects (24 h)": "/projects",
            "traces, no filter": f"/projects/{gid}/traces",
            "traces, with errors": f"/projects/{gid}/traces?status=ERROR",
            "traces, slowest first": f"/projects/{gid}/traces?sort=slowest",
            "spans, kind=LLM + attribute": f"/projects/{gid}/spans?kind=LLM&attr=llm.model_name=gpt-4o",
            "spans, oldest first": f"/projects/{gid}/spans?sort=asc",
            "trace of 2,000 spans": f"/projects/{gid}/traces/{big_trace}",
            "metrics (7 d, hourly)": f"/projects/{gid}/metrics",
            "metrics (24 h, hourly)": f"/projects/{gid}/metrics?range=24h",
        }
        server = start(workdir, port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
                results = {name: measure(client, path, args.runs) for name, path in pages.items()}
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"{'page':32} {'first byte p50':>15} {'max':>9} {'total p50':>10} {'KiB':>7}")
    for name, r in results.items():
        print(
            f"{name:32} {r['first_byte_ms_median']:12.1f} ms {r['first_byte_ms_max']:6.1f} ms"
            f" {r['total_ms_median']:7.1f} ms {r['bytes'] / 1024:7.1f}"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"web-pages-{int(time.time())}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
