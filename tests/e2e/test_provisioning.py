"""The provisioning scenario end to end: real server processes, the operator's exact script,
the CLI, a restart without the admin secret, and a rotation of PHOENIX_SECRET."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime

import requests
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter
from opentelemetry.sdk.trace.export import SpanExportResult

from tests.support.constants import ADMIN_SECRET, OTHER_SECRET, SECRET
from tests.support.otlp import many_spans
from tests.support.server import ServerProcess

AUTH = {"PHOENIX_ENABLE_AUTH": "true", "PHOENIX_SECRET": SECRET, "PHOENIX_ADMIN_SECRET": ADMIN_SECRET}


def _operator_script(base_url: str) -> dict[str, object]:
    """The script from the provisioning guide, verbatim apart from the URL."""
    PHOENIX_URL = f"{base_url}/graphql"  # noqa: N806
    headers = {"Authorization": f"Bearer {ADMIN_SECRET}", "Content-Type": "application/json"}
    payload = {
        "query": """ mutation { createSystemApiKey(input: { name: "system-api-key"}) { jwt apiKey { name description createdAt expiresAt } } } """
    }
    result: dict[str, object] = requests.post(PHOENIX_URL, json=payload, headers=headers, timeout=30).json()
    return result


def _cli(server: ServerProcess, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PHOENIX_", "PYREWATCH_"))}
    return subprocess.run(
        [sys.executable, "-m", "pyrewatch", "keys", "--url", server.url, *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _exports(server: ServerProcess, token: str) -> tuple[bool, bool]:
    """Export one span with the token over OTLP/HTTP and over OTLP/gRPC; True where accepted."""
    spans = many_spans(1, project="provisioned")
    http = HttpExporter(endpoint=f"{server.url}/v1/traces", headers={"authorization": f"Bearer {token}"})
    grpc = GrpcExporter(endpoint=server.grpc_target, insecure=True, headers=(("authorization", f"Bearer {token}"),))
    try:
        return http.export(spans) is SpanExportResult.SUCCESS, grpc.export(spans) is SpanExportResult.SUCCESS
    finally:
        http.shutdown()  # type: ignore[no-untyped-call]
        grpc.shutdown()


def _status(server: ServerProcess, token: str, path: str = "/v1/projects") -> int:
    return requests.get(f"{server.url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code


def test_mint_with_admin_secret_then_drop_the_secret(start_server: Callable[..., ServerProcess]) -> None:
    server = start_server(AUTH)
    result = _operator_script(server.url)
    data = result["data"]
    assert isinstance(data, dict)
    payload = data["createSystemApiKey"]
    key = payload["jwt"]
    assert payload["apiKey"]["name"] == "system-api-key"
    assert payload["apiKey"]["description"] is None and payload["apiKey"]["expiresAt"] is None
    assert datetime.fromisoformat(payload["apiKey"]["createdAt"]).utcoffset() is not None
    assert _status(server, key) == 200
    assert _exports(server, key) == (True, True)
    viewer = requests.post(
        f"{server.url}/graphql",
        json={"query": "{ viewer { username } }"},
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    assert viewer.json() == {"data": {"viewer": {"username": "system"}}}

    # The CLI mints for deploy scripts: the key alone on stdout.
    minted = _cli(server, "create", "--system", "--name", "from-cli", PHOENIX_ADMIN_SECRET=ADMIN_SECRET)
    assert minted.returncode == 0, minted.stderr
    cli_key = minted.stdout.strip()
    assert cli_key.startswith("pwsk_") and "\n" not in cli_key
    assert _status(server, cli_key) == 200

    # Restart without the admin secret: it is refused everywhere, the minted keys keep working.
    server.restart({k: v for k, v in server.env.items() if k != "PHOENIX_ADMIN_SECRET"})
    assert _status(server, ADMIN_SECRET) == 401
    graphql = requests.post(
        f"{server.url}/graphql",
        json={"query": "{ viewer { username } }"},
        headers={"Authorization": f"Bearer {ADMIN_SECRET}"},
        timeout=30,
    )
    assert (graphql.status_code, graphql.text) == (401, "Invalid token")
    assert _status(server, key) == 200
    assert _status(server, cli_key) == 200
    assert _exports(server, key) == (True, True)
    assert _exports(server, ADMIN_SECRET) == (False, False)

    # Rotating PHOENIX_SECRET never invalidates a key.
    server.restart({**server.env, "PHOENIX_SECRET": OTHER_SECRET})
    assert _status(server, key) == 200
    denied = _cli(server, "create", "--system", "--name", "nope", PHOENIX_API_KEY=key)
    assert denied.returncode == 1
    assert "403" in denied.stderr


def test_cli_lists_and_revokes(start_server: Callable[..., ServerProcess]) -> None:
    server = start_server(AUTH)
    env = {"PHOENIX_ADMIN_SECRET": ADMIN_SECRET}
    created = _cli(server, "create", "--system", "--name", "ci", "--description", "for CI", "--json", **env)
    assert created.returncode == 0, created.stderr
    body = json.loads(created.stdout)
    assert body["name"] == "ci" and body["description"] == "for CI" and body["key"].startswith("pwsk_")
    listed = _cli(server, "list", "--json", **env)
    assert [k["name"] for k in json.loads(listed.stdout)] == ["ci"]
    table = _cli(server, "list", **env)
    assert table.stdout.splitlines()[0].split() == [
        "id",
        "name",
        "scopes",
        "projects",
        "created_at",
        "expires_at",
        "last_used_at",
    ]
    revoked = _cli(server, "revoke", body["id"], **env)
    assert revoked.returncode == 0, revoked.stderr
    assert _status(server, body["key"]) == 401
    again = _cli(server, "revoke", body["id"], **env)
    assert again.returncode == 1 and "404" in again.stderr
    assert _cli(server, "list").returncode == 2
    unreachable = subprocess.run(
        [sys.executable, "-m", "pyrewatch", "keys", "--url", "http://127.0.0.1:9", "list"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert unreachable.returncode == 3
