"""The operator's CLI against a real server: ``users``, ``keys create --scope``, ``keys rotate``
and ``audit --json``, with the credential from the environment and stable exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable

import pytest

from tests.support.constants import ADMIN_SECRET, SECRET
from tests.support.server import ServerProcess

AUTH = {"PHOENIX_ENABLE_AUTH": "true", "PHOENIX_SECRET": SECRET, "PHOENIX_ADMIN_SECRET": ADMIN_SECRET}


@pytest.fixture(params=["sqlite"])
def dialect(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


def _cli(server: ServerProcess, group: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PHOENIX_", "PYREWATCH_"))}
    return subprocess.run(
        [sys.executable, "-m", "pyrewatch", group, "--url", server.url, *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_users_keys_and_audit_from_the_command_line(start_server: Callable[..., ServerProcess]) -> None:
    server = start_server(AUTH)
    admin = {"PHOENIX_ADMIN_SECRET": ADMIN_SECRET}
    created = _cli(
        server, "users", "create", "--email", "cli@example.com", "--username", "cli", "--role", "member", **admin
    )
    assert created.returncode == 0, created.stderr
    user_id = created.stdout.strip()
    listed = json.loads(_cli(server, "users", "list", "--json", **admin).stdout)
    assert {"cli@example.com": "MEMBER"}.items() <= {u["email"]: u["role"] for u in listed}.items()
    assert _cli(server, "users", "set-role", user_id, "viewer", **admin).returncode == 0
    listed = json.loads(_cli(server, "users", "list", "--json", **admin).stdout)
    assert {u["email"]: u["role"] for u in listed}["cli@example.com"] == "VIEWER"
    refused = _cli(server, "users", "set-role", "VXNlcjo5OTk5OTk=", "admin", **admin)
    assert refused.returncode == 1 and "pyrewatch: error:" in refused.stderr
    assert _cli(server, "users", "delete", user_id, **admin).returncode == 0
    assert _cli(server, "users", "list").returncode == 2  # no credential in the environment

    key = json.loads(
        _cli(server, "keys", "create", "--system", "--name", "c", "--scope", "ingest", "--json", **admin).stdout
    )
    assert key["scopes"] == ["ingest"]
    rotated = _cli(server, "keys", "rotate", key["id"], "--grace-seconds", "0", **admin)
    assert rotated.returncode == 0 and rotated.stdout.strip().startswith("pwsk_")
    assert rotated.stdout.strip() != key["key"]

    audit = _cli(server, "audit", "--json", "--limit", "1000", **admin)
    assert audit.returncode == 0, audit.stderr
    events = [json.loads(line) for line in audit.stdout.splitlines()]
    actions = {e["action"] for e in events}
    assert {"user.create", "user.role_change", "user.delete", "api_key.create", "api_key.rotate"} <= actions
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert key["key"] not in audit.stdout and ADMIN_SECRET not in audit.stdout
    filtered = _cli(server, "audit", "--json", "--action", "api_key.rotate", **admin)
    assert [json.loads(line)["action"] for line in filtered.stdout.splitlines()] == ["api_key.rotate"]
    with_key = _cli(server, "audit", PHOENIX_API_KEY=rotated.stdout.strip())
    assert with_key.returncode == 1 and "403" in with_key.stderr
