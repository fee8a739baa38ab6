"""Pyrewatch benchmark: OTLP ingest, authenticated reads, key minting, memory and start-up.

Starts its own servers on loopback ports with auth on, in a fresh temporary working directory,
prints a table and writes JSON to bench/results/. With PHOENIX_BENCH_PYTHON pointing at a Python
that has arize-phoenix installed, Phoenix runs the same workload and the ratios are printed.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import load
import servers

RESULTS = Path(__file__).resolve().parent / "results"
MINT = 'mutation { createSystemApiKey(input: {name: "bench-%d"}) { jwt } }'


def mint_keys(server: servers.Server, count: int) -> tuple[str, float]:
    """Mint ``count`` system keys; return one and the median latency in ms."""
    latencies, key = [], ""
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for index in range(count):
            started = time.perf_counter()
            response = client.post(
                "/graphql",
                json={"query": MINT % index},
                headers={"authorization": f"Bearer {server.admin_secret}"},
            )
            latencies.append(time.perf_counter() - started)
            response.raise_for_status()
            key = response.json()["data"]["createSystemApiKey"]["jwt"]
    return key, statistics.median(latencies) * 1000


def _db_counter(server: servers.Server, database_url: str | None, project: str) -> Any:
    def count() -> int:
        sql = (
            "SELECT count(*) FROM spans s JOIN projects p ON p.id = s.project_id WHERE p.name = $1"
            if database_url
            else "SELECT count(*) FROM spans s JOIN projects p ON p.id = s.project_id WHERE p.name = ?"
        )
        if not database_url:
            with sqlite3.connect(server.workdir / "pyrewatch.db") as conn:
                return int(conn.execute(sql, (project,)).fetchone()[0])
        import asyncpg  # type: ignore[import-untyped]

        async def run() -> int:
            conn = await asyncpg.connect(
                database_url, server_settings={"search_path": server.env["PHOENIX_SQL_DATABASE_SCHEMA"]}
            )
            try:
                return int(await conn.fetchval(sql, project))
            finally:
                await conn.close()

        return asyncio.run(run())

    return count


def measure(server: servers.Server, args: argparse.Namespace, database_url: str | None) -> dict[str, Any]:
    print(f"[{server.name}] starting...", flush=True)
    server.start()
    try:
        time.sleep(1.0)
        result: dict[str, Any] = {"startup_seconds": server.startup_seconds, "rss_idle_mib": server.rss()}
        key, result["mint_key_ms"] = mint_keys(server, args.mint)
        headers = {"authorization": f"Bearer {key}"}
        for concurrency in (1, 16):
            t = load.get_throughput(server.url + "/v1/projects", headers, concurrency, args.seconds)
            result[f"projects_c{concurrency}"] = t.__dict__ | {"per_second": t.per_second}
            print(f"[{server.name}] GET /v1/projects c={concurrency}: {t.per_second:.0f}/s ({t.errors} non-200)")
        project = f"bench-{int(time.time())}"
        bodies = load.ingest_bodies(args.spans, args.batch, project)
        counter = _db_counter(server, database_url if server.name == "pyrewatch" else None, project)
        print(f"[{server.name}] ingesting {args.spans} spans...", flush=True)
        ingest = load.run_ingest(server.url, key, bodies, args.exporters, project, counter, args.queryable_timeout)
        result["ingest"] = ingest.__dict__
        result["rss_after_ingest_mib"] = server.rss()
        return result
    finally:
        server.stop()


def measure_hello(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    server = servers.hello(workdir).start()
    try:
        out = {}
        for concurrency in (1, 16):
            t = load.get_throughput(server.url + "/", {}, concurrency, args.seconds)
            out[f"c{concurrency}"] = t.__dict__ | {"per_second": t.per_second}
        return out
    finally:
        server.stop()


def _rate(ingest: dict[str, Any], key: str) -> float | None:
    seconds = ingest[key]
    return ingest["spans"] / seconds if seconds else None


def _rows(name: str, r: dict[str, Any]) -> list[tuple[str, str]]:
    i = r["ingest"]
    queryable = _rate(i, "queryable_seconds")
    return [
        (f"{name}: start-up to ready", f"{r['startup_seconds']:.2f} s"),
        (f"{name}: RSS idle / after ingest", f"{r['rss_idle_mib']:.0f} / {r['rss_after_ingest_mib']:.0f} MiB"),
        (f"{name}: mint a system key (median)", f"{r['mint_key_ms']:.1f} ms"),
        *[
            (
                f"{name}: GET /v1/projects c={c}",
                f"{r[f'projects_c{c}']['per_second']:.0f} req/s, p50 {r[f'projects_c{c}']['p50_ms']:.1f} ms,"
                f" p99 {r[f'projects_c{c}']['p99_ms']:.1f} ms ({r[f'projects_c{c}']['errors']} non-200)",
            )
            for c in (1, 16)
        ],
        (f"{name}: ingest accepted", f"{i['spans'] / i['accept_seconds']:.0f} spans/s ({i['accept_seconds']:.2f} s)"),
        (
            f"{name}: ingest queryable (end to end)",
            f"{queryable:.0f} spans/s ({i['queryable_seconds']:.2f} s)" if queryable else "not within the timeout",
        ),
        (f"{name}: queryable checked by", i["query_method"]),
    ]


def _ratios(ours: dict[str, Any], theirs: dict[str, Any]) -> list[tuple[str, str]]:
    def ratio(a: float | None, b: float | None) -> str:
        return f"{a / b:.1f}x" if a and b else "n/a"

    return [
        (
            "ratio: end-to-end ingest",
            ratio(_rate(ours["ingest"], "queryable_seconds"), _rate(theirs["ingest"], "queryable_seconds")),
        ),
        *[
            (
                f"ratio: GET /v1/projects c={c}",
                ratio(ours[f"projects_c{c}"]["per_second"], theirs[f"projects_c{c}"]["per_second"]),
            )
            for c in (1, 16)
        ],
        ("ratio: key minting speed", ratio(theirs["mint_key_ms"], ours["mint_key_ms"])),
        ("ratio: start-up speed", ratio(theirs["startup_seconds"], ours["startup_seconds"])),
        ("ratio: idle RSS (ours / theirs)", f"{ours['rss_idle_mib'] / theirs['rss_idle_mib']:.0%}"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spans", type=int, default=20_000, help="spans to ingest (default 20000)")
    parser.add_argument("--batch", type=int, default=100, help="spans per export request (default 100)")
    parser.add_argument("--exporters", type=int, default=4, help="concurrent exporters (default 4)")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each read test (default 5)")
    parser.add_argument("--mint", type=int, default=20, help="system keys to mint for the latency (default 20)")
    parser.add_argument("--database-url", help="postgresql://... to bench PostgreSQL instead of SQLite")
    parser.add_argument("--queryable-timeout", type=float, default=600, help="give up waiting after this (s)")
    parser.add_argument("--no-hello", action="store_true", help="skip the hello-world baseline")
    args = parser.parse_args()
    phoenix_python = os.environ.get("PHOENIX_BENCH_PYTHON")
    report: dict[str, Any] = {"args": vars(args), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="pyrewatch-bench-") as tmp:
        for name in ("pyrewatch", "phoenix", "hello"):
            (Path(tmp) / name).mkdir()
        report["pyrewatch"] = measure(
            servers.pyrewatch(Path(tmp) / "pyrewatch", args.database_url), args, args.database_url
        )
        if not args.no_hello:
            report["hello"] = measure_hello(args, Path(tmp) / "hello")
        if phoenix_python:
            report["phoenix"] = measure(servers.phoenix(phoenix_python, Path(tmp) / "phoenix"), args, None)
    rows = _rows("pyrewatch", report["pyrewatch"])
    if "hello" in report:
        for c in (1, 16):
            hello_rate = report["hello"][f"c{c}"]["per_second"]
            ours = report["pyrewatch"][f"projects_c{c}"]["per_second"]
            rows.append(
                (
                    f"hello-world c={c}",
                    f"{hello_rate:.0f} req/s (authenticated /v1/projects at {ours / hello_rate:.0%})",
                )
            )
    if "phoenix" in report:
        rows += _rows("phoenix", report["phoenix"]) + _ratios(report["pyrewatch"], report["phoenix"])
    width = max(len(label) for label, _ in rows)
    print()
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nJSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
