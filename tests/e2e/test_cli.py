"""The ``pyrewatch`` command as an operator runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pyrewatch.auth.requirements import SECRET_REQUIREMENTS, violation
from tests.support.constants import ADMIN_SECRET, SECRET


def _run(args: list[str], env: dict[str, str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PHOENIX_", "PYREWATCH_"))}
    return subprocess.run(
        [sys.executable, "-m", "pyrewatch", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PHOENIX_ENABLE_AUTH": "true"}, "PHOENIX_SECRET must be set when auth is enabled"),
        ({"PHOENIX_ENABLE_AUTH": "true", "PHOENIX_SECRET": "tooshort1"}, "PHOENIX_SECRET must be at least 32"),
        ({"PHOENIX_SECRET": SECRET, "PHOENIX_ADMIN_SECRET": "short1"}, "PHOENIX_ADMIN_SECRET must be at least 32"),
        (
            {"PHOENIX_SECRET": SECRET, "PHOENIX_ADMIN_SECRET": "q" * 40},
            "PHOENIX_ADMIN_SECRET must contain at least one digit",
        ),
        (
            {"PHOENIX_SECRET": SECRET, "PHOENIX_ADMIN_SECRET": "Q1" * 20},
            "PHOENIX_ADMIN_SECRET must contain at least one lowercase",
        ),
        (
            {"PHOENIX_SECRET": SECRET, "PHOENIX_ADMIN_SECRET": SECRET},
            "PHOENIX_ADMIN_SECRET must be different from PHOENIX_SECRET",
        ),
        ({"PHOENIX_ADMIN_SECRET": ADMIN_SECRET}, "PHOENIX_ADMIN_SECRET must not be set without setting PHOENIX_SECRET"),
        ({"PHOENIX_ENABLE_AUTH": "maybe"}, "PHOENIX_ENABLE_AUTH must be set to TRUE or FALSE"),
    ],
)
def test_serve_refuses_invalid_configuration_in_one_line(env: dict[str, str], expected: str, tmp_path: Path) -> None:
    result = _run(["serve"], {**env, "PHOENIX_WORKING_DIR": str(tmp_path), "PHOENIX_PORT": "0"})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pyrewatch: error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "pyrewatch.db").exists()


def test_secret_generate_prints_a_valid_secret() -> None:
    result = _run(["secret", "generate"], {})
    assert result.returncode == 0
    value = result.stdout.strip()
    assert violation(value, "s", SECRET_REQUIREMENTS) is None


@pytest.mark.parametrize("command", [[], ["serve"], ["db"], ["db", "upgrade"], ["secret", "generate"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = _run([*command, "--help"], {})
    assert result.returncode == 0
    assert "Usage:" in result.stdout


def test_db_upgrade_then_current_reports_head(tmp_path: Path) -> None:
    env = {"PHOENIX_WORKING_DIR": str(tmp_path / "wd")}
    assert _run(["db", "current"], env).stdout.startswith("none")
    upgraded = _run(["db", "upgrade"], env)
    assert upgraded.returncode == 0, upgraded.stderr
    current = _run(["db", "current"], env)
    assert current.stdout.strip().endswith("(head)")
    check = _run(["db", "check"], env)
    assert check.returncode == 0, check.stdout + check.stderr


def test_serve_becomes_ready_on_an_empty_working_dir(tmp_path: Path) -> None:
    from tests.support.server import ServerProcess

    server = ServerProcess(env={"PHOENIX_WORKING_DIR": str(tmp_path / "fresh")}, log_path=tmp_path / "log")
    try:
        server.start()
        assert (tmp_path / "fresh" / "pyrewatch.db").exists()
    finally:
        server.stop()
