"""Apply, inspect and check Alembic migrations on an async engine.

Replicas sharing PostgreSQL may start together: the upgrade runs under an advisory lock so only
one of them migrates while the others wait and then find nothing to do.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import pyrewatch.db.models  # noqa: F401
from pyrewatch.db.base import Base

_MIGRATIONS = Path(__file__).parent / "migrations"
_ADVISORY_LOCK_ID = 0x5059_5257  # "PYRW"


def _config(connection: Connection | None = None, schema: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    config.attributes["schema"] = schema
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


async def _prepare(engine: AsyncEngine, schema: str | None) -> None:
    if engine.dialect.name == "postgresql" and schema:
        async with engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))


async def upgrade(engine: AsyncEngine, revision: str = "head", schema: str | None = None) -> None:
    await _prepare(engine, schema)

    def run(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _ADVISORY_LOCK_ID})
        command.upgrade(_config(connection, schema), revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def downgrade(engine: AsyncEngine, revision: str, schema: str | None = None) -> None:
    def run(connection: Connection) -> None:
        command.downgrade(_config(connection, schema), revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def current(engine: AsyncEngine) -> str | None:
    def run(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(run)


async def pending_model_changes(engine: AsyncEngine) -> list[object]:
    """Differences between the models and the migrated schema (empty when migrations are complete)."""

    def run(connection: Connection) -> list[object]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": connection.dialect.name == "sqlite"}
        )
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as conn:
        return await conn.run_sync(run)
