"""A 50,000-example CSV upload streams through a real server: its peak memory stays bounded."""

from __future__ import annotations

import gzip
import os
import random
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.support.server import ServerProcess

pytestmark = pytest.mark.e2e

ROWS = 50_000


def _peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc status")


def _reset_peak(pid: int) -> None:
    """Writing 5 to clear_refs resets the peak to the current RSS (Linux)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_fifty_thousand_example_csv_streams(start_server: Callable[..., ServerProcess], tmp_path: Path) -> None:
    server = start_server()
    assert server.process is not None
    pid = server.process.pid
    # About 21 MiB of CSV that does not compress away (hex noise), so the request is big too.
    noise = random.Random(0)
    lines = [b"question,answer,source\n"] + [
        b"what is %d plus %d?,%d,row %d %s\n" % (i, i, 2 * i, i, noise.randbytes(200).hex().encode())
        for i in range(ROWS)
    ]
    raw = b"".join(lines)
    body = gzip.compress(raw)
    # Warm up the upload path once so imports and caches are not counted as upload memory.
    small = gzip.compress(b"".join(lines[:10]))
    files = {"file": ("warm.csv", small, "text/csv", {"Content-Encoding": "gzip"})}
    form = {"name": "warm", "input_keys[]": ["question"], "output_keys[]": ["answer"], "metadata_keys[]": ["source"]}
    assert (
        httpx.post(f"{server.url}/v1/datasets/upload?sync=true", data=form, files=files, timeout=60).status_code == 200
    )
    _reset_peak(pid)
    before = _peak_rss_kib(pid)
    files = {"file": ("big.csv", body, "text/csv", {"Content-Encoding": "gzip"})}
    form = {**form, "name": "big"}
    response = httpx.post(f"{server.url}/v1/datasets/upload?sync=true", data=form, files=files, timeout=600)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["num_created_examples"] == ROWS
    peak = _peak_rss_kib(pid)
    growth_mib = (peak - before) / 1024
    report = (
        f"CSV {len(raw) / 2**20:.1f} MiB ({len(body) / 2**20:.1f} MiB gzipped): peak RSS {peak / 1024:.0f} MiB, "
        f"grew {growth_mib:.1f} MiB during the upload"
    )
    print(report)
    Path(os.environ.get("PYREWATCH_UPLOAD_RSS_REPORT", tmp_path / "rss.txt")).write_text(report + "\n")
    # Streaming: far less than one decoded copy of the file (parsed rows would be several).
    assert growth_mib < len(raw) / 2**20 / 2
    count = httpx.get(f"{server.url}/v1/datasets/{data['dataset_id']}").json()["data"]["example_count"]
    assert count == ROWS
