"""PYREWATCH_PROVISIONING_FILE: parse and check, apply at start-up, idempotence, update, removal,
the dry-run plan, and a key that works from the first request without any admin secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pyrewatch.auth import api_keys
from pyrewatch.errors import ConfigurationError
from pyrewatch.services.provisioning_apply import apply_declaration
from pyrewatch.services.provisioning_file import load_declaration, parse_declaration
from tests.conftest import ClientFactory
from tests.support.apps import app_state, in_app
from tests.support.constants import AUTH_ENV
from tests.support.http_auth import ADMIN_HEADERS
from tests.support.otlp import many_spans, protobuf_body

NO_ADMIN_SECRET = {k: v for k, v in AUTH_ENV.items() if k != "PHOENIX_ADMIN_SECRET"}


def _key() -> tuple[str, str]:
    new = api_keys.generate_key(api_keys.KeyKind.SYSTEM)
    return new.token, api_keys.digest_line(new)


def _toml(digest: str, *, scopes: str = '["ingest"]', role: str = "MEMBER", extra: str = "") -> str:
    return f"""
[[users]]
email = "ops@example.com"
username = "ops"
role = "{role}"

[[system_keys]]
name = "collector"
scopes = {scopes}
projects = ["my-app"]
digest = "{digest}"
{extra}
"""


def _write(tmp_path: Path, text: str, name: str = "provisioning.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _ingest(client: TestClient, token: str, project: str) -> int:
    body = protobuf_body(many_spans(1, project))
    headers = {"content-type": "application/x-protobuf", "Authorization": f"Bearer {token}"}
    status: int = client.post("/v1/traces", content=body, headers=headers).status_code
    return status


def test_a_deployment_has_a_least_privilege_key_from_its_first_request(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    token, digest = _key()
    path = _write(tmp_path, _toml(digest))
    client = make_client({**NO_ADMIN_SECRET, "PYREWATCH_PROVISIONING_FILE": str(path)})
    assert _ingest(client, token, "my-app") == 200
    assert _ingest(client, token, "other") == 403
    assert client.get("/v1/projects", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    assert token not in path.read_text()


def test_applying_twice_changes_nothing_then_updates_and_removals_apply(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    token, digest = _key()
    client = make_client(AUTH_ENV)
    factory = app_state(client).session_factory

    def apply(text: str, dry_run: bool = False) -> list[str]:
        declaration = parse_declaration(text, yaml=False)
        return in_app(client, lambda: apply_declaration(factory, declaration, dry_run=dry_run))

    first = apply(_toml(digest))
    assert first == ["create user ops@example.com (ops, MEMBER)", f"create system key collector ({digest[5:21]})"]
    assert apply(_toml(digest)) == []
    planned = apply(_toml(digest, scopes='["read"]', role="VIEWER"), dry_run=True)
    assert planned == [
        "update user ops@example.com: username ops, role VIEWER",
        f"update system key collector ({digest[5:21]}): scopes",
    ]
    assert _ingest(client, token, "my-app") == 200  # the dry run kept nothing
    assert apply(_toml(digest, scopes='["read"]', role="VIEWER")) == planned
    assert _ingest(client, token, "my-app") == 403
    assert apply("") == ["remove user ops@example.com", f"remove system key collector ({digest[5:21]})"]
    assert _ingest(client, token, "my-app") == 401
    users = client.get("/v1/users", headers=ADMIN_HEADERS).json()["data"]
    assert "ops@example.com" not in {u["email"] for u in users}


def test_what_the_file_does_not_manage_is_left_alone(make_client: ClientFactory) -> None:
    client = make_client(AUTH_ENV)
    created = client.post(
        "/v1/users",
        json={
            "user": {
                "email": "ops@example.com",
                "username": "ops",
                "role": "ADMIN",
                "auth_method": "LOCAL",
                "password": "pw-ops-12345",
            }
        },
        headers=ADMIN_HEADERS,
    )
    assert created.status_code in (200, 201), created.text
    _, digest = _key()
    factory = app_state(client).session_factory
    declaration = parse_declaration(_toml(digest), yaml=False)
    lines = in_app(client, lambda: apply_declaration(factory, declaration))
    assert lines[0] == "skip user ops@example.com: it exists and the file does not manage it"
    assert in_app(client, lambda: apply_declaration(factory, parse_declaration("", yaml=False)))[0].startswith(
        "remove system key"
    )
    users = {u["email"]: u for u in client.get("/v1/users", headers=ADMIN_HEADERS).json()["data"]}
    assert users["ops@example.com"]["role"] == "ADMIN"


def test_yaml_files_are_read_too(tmp_path: Path) -> None:
    _, digest = _key()
    path = _write(
        tmp_path,
        f"users:\n  - email: a@example.com\n    username: a\n    role: admin\nsystem_keys:\n  - name: k\n    digest: {digest}\n",
        "p.yaml",
    )
    declaration = load_declaration(path)
    assert declaration.users[0].role == "ADMIN" and declaration.system_keys[0].key_id == digest[5:21]


@pytest.mark.parametrize(
    ("text", "yaml", "message"),
    [
        ("[[users]\n", False, "invalid TOML"),
        ("users:\n  - email: [\n", True, "invalid YAML at line"),
        ("[[users]]\nemail = 'x'\nusername = 'x'\nrole = 'ADMIN'\n", False, "users[0] (line 1): `email` 'x'"),
        ("[[users]]\nemail = 'a@b.co'\nusername = 'a'\nrole = 'SYSTEM'\n", False, "`role` must be one of"),
        ("[[system_keys]]\nname = 'k'\ndigest = 'pwsk_nope'\n", False, "system_keys[0] (line 1): `digest`"),
        ("[[system_keys]]\nname = 'k'\ndigest = 'DIGEST'\nscopes = ['write']\n", False, "Unknown scope 'write'"),
        ("[[system_keys]]\nname = 'k'\ndigest = 'DIGEST'\ncolour = 1\n", False, "unknown field 'colour'"),
        ("[other]\n", False, "unknown section 'other'"),
        (
            "[[system_keys]]\nname='a'\ndigest='DIGEST'\n[[system_keys]]\nname='b'\ndigest='DIGEST'\n",
            False,
            "declared twice",
        ),
    ],
)
def test_invalid_files_are_refused_with_the_entry_and_line(text: str, yaml: bool, message: str) -> None:
    _, digest = _key()
    with pytest.raises(ConfigurationError, match=None) as caught:
        parse_declaration(text.replace("DIGEST", digest), yaml=yaml, source="f")
    assert message in caught.value.message, caught.value.message


def test_an_invalid_file_stops_start_up(make_client: ClientFactory, tmp_path: Path) -> None:
    path = _write(tmp_path, "[[users]\n")
    with pytest.raises(ConfigurationError, match="invalid TOML"):
        make_client({**AUTH_ENV, "PYREWATCH_PROVISIONING_FILE": str(path)})


def test_replicas_applying_together_apply_once(make_client: ClientFactory) -> None:
    _, digest = _key()
    client = make_client(AUTH_ENV)
    factory = app_state(client).session_factory
    declaration = parse_declaration(_toml(digest), yaml=False)

    async def together() -> list[list[str]]:
        import asyncio

        return list(await asyncio.gather(*(apply_declaration(factory, declaration) for _ in range(3))))

    results = in_app(client, together)
    assert sorted(len(lines) for lines in results) == [0, 0, 2]


def test_the_cli_generates_keys_checks_files_and_prints_the_plan(
    make_client: ClientFactory, database_env: dict[str, str], tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from pyrewatch.cli.main import cli

    runner = CliRunner()
    generated = runner.invoke(cli, ["keys", "generate"])
    assert generated.exit_code == 0, generated.output
    token, digest = generated.output.split()
    parsed = api_keys.parse_key(token)
    assert parsed is not None and digest == f"pwsk_{parsed.key_id}.{api_keys.digest_secret(parsed.secret)}"
    path = _write(tmp_path, _toml(digest))
    checked = runner.invoke(cli, ["provision", "--check", str(path)])
    assert (checked.exit_code, checked.output.strip()) == (0, f"{path}: valid")
    bad = runner.invoke(cli, ["provision", "--check", str(_write(tmp_path, "[[users]\n", "bad.toml"))])
    assert bad.exit_code == 2 and "invalid TOML" in bad.output
    make_client(AUTH_ENV)  # a server started once: the database is at the newest revision
    planned = runner.invoke(cli, ["provision", "--dry-run", str(path)], env={**database_env, **AUTH_ENV})
    assert planned.exit_code == 0, planned.output
    assert planned.output.splitlines() == [
        "create user ops@example.com (ops, MEMBER)",
        f"create system key collector ({digest[5:21]})",
        "2 change(s)",
    ]
    again = runner.invoke(cli, ["provision", "--dry-run", str(path)], env={**database_env, **AUTH_ENV})
    assert again.output.splitlines()[-1] == "2 change(s)"  # the dry run kept nothing
