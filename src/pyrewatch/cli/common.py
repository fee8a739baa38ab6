"""Helpers shared by the CLI commands: settings from the environment and one-line errors."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

import click

from pyrewatch.errors import ConfigurationError
from pyrewatch.settings import Settings, load_settings


def fail(message: str, code: int = 1) -> None:
    """Print ``pyrewatch: error: <message>`` on stderr and exit with ``code`` (no traceback)."""
    click.echo(f"pyrewatch: error: {message}", err=True)
    raise SystemExit(code)


def settings_from_env(overrides: Mapping[str, str | None] | None = None) -> Settings:
    """Settings from ``os.environ`` with explicit command-line values laid over it."""
    env = dict(os.environ)
    for name, value in (overrides or {}).items():
        if value is not None:
            env[name] = value
    try:
        return load_settings(env)
    except ConfigurationError as exc:
        fail(exc.message)
        raise  # unreachable: fail() exits


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def check_provisioning_file(path: Path) -> None:
    """Stop with the file's line and error when the provisioning file is invalid."""
    from pyrewatch.services.provisioning_file import load_declaration

    try:
        load_declaration(path)
    except ConfigurationError as exc:
        fail(exc.message, 2)
