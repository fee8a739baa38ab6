"""Real databases for tests: a file SQLite per test, and a throwaway PostgreSQL database per run
with a fresh schema per test."""

from __future__ import annotations

import asyncio
import os
import secrets
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def postgres_admin_url() -> str:
    return os.environ.get("PYREWATCH_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


async def _execute(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def create_postgres_database() -> tuple[str, str]:
    """Create ``pyrewatch_test_<random>`` and return (its URL, its name)."""
    name = f"pyrewatch_test_{secrets.token_hex(4)}"
    asyncio.run(_execute(postgres_admin_url(), f'CREATE DATABASE "{name}"'))
    return _with_database(postgres_admin_url(), name), name


def drop_postgres_database(name: str) -> None:
    asyncio.run(_execute(postgres_admin_url(), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def drop_schema(url: str, schema: str) -> None:
    asyncio.run(_execute(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
