"""``pyrewatch retention`` against a real server with auth on, and a sweep while spans are exported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.support.constants import ADMIN_SECRET, AUTH_ENV
from tests.support.otlp import protobuf_body
from tests.support.server import ServerProcess
from tests.support.sessions import turns

pytestmark = pytest.mark.e2e
StartServer = Callable[..., ServerProcess]
HEADERS = {"Authorization": f"Bearer {ADMIN_SECRET}"}


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PHOENIX_", "PYREWATCH_"))}
    return subprocess.run(
        [sys.executable, "-m", "pyrewatch", "retention", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_retention_cli_sets_shows_sweeps_and_clears(start_server: StartServer) -> None:
    server = start_server(AUTH_ENV)
    old = turns("old", ["a", "b"], start=datetime.now(UTC) - timedelta(days=60))
    new = turns("new", ["c"], start=datetime.now(UTC) - timedelta(hours=1))
    with httpx.Client(base_url=server.url, headers=HEADERS) as http:
        for spans in (old, new):
            response = http.post(
                "/v1/traces", content=protobuf_body(spans), headers={"Content-Type": "application/x-protobuf"}
            )
            assert response.status_code == 200, response.text
    env = {"PHOENIX_ADMIN_SECRET": ADMIN_SECRET, "PYREWATCH_URL": server.url}
    assert _cli(["show", "chat"], {"PYREWATCH_URL": server.url}).returncode == 2
    shown = _cli(["show", "chat"], env)
    assert json.loads(shown.stdout) == {"max_age_days": None, "max_spans": None, "is_default": True}
    changed = _cli(["set", "chat", "--max-age-days", "30"], env)
    assert json.loads(changed.stdout)["max_age_days"] == 30, changed.stderr
    swept = _cli(["sweep"], env)
    assert json.loads(swept.stdout) == {"traces_deleted": 2, "sessions_deleted": 1}
    assert _cli(["show", "absent"], env).returncode == 1
    cleared = _cli(["clear", "chat"], env)
    assert json.loads(cleared.stdout)["is_default"] is True
    with httpx.Client(base_url=server.url, headers=HEADERS) as http:
        sessions = http.get("/v1/projects/chat/sessions").json()["data"]
    assert [s["session_id"] for s in sessions] == ["new"]
