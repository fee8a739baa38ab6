from __future__ import annotations

import asyncio

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from pyrewatch.db import migrate
from pyrewatch.db.engine import make_engine
from pyrewatch.settings import load_settings


def _engine(env: dict[str, str]) -> tuple[AsyncEngine, str | None]:
    settings = load_settings(env)
    settings.working_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.database_url, settings.database_schema), settings.database_schema


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


def test_upgrade_downgrade_upgrade_leaves_no_model_drift(database_env: dict[str, str]) -> None:
    engine, schema = _engine(database_env)

    async def scenario() -> None:
        try:
            await migrate.upgrade(engine, schema=schema)
            assert await migrate.current(engine) == migrate.head_revision()
            assert {"users", "api_keys", "audit_events"} <= await _tables(engine)
            assert await migrate.pending_model_changes(engine) == []
            await migrate.downgrade(engine, "base", schema=schema)
            assert await _tables(engine) <= {"alembic_version"}
            await migrate.upgrade(engine, schema=schema)
            assert await migrate.current(engine) == migrate.head_revision()
            # A second upgrade at head is a no-op.
            await migrate.upgrade(engine, schema=schema)
        finally:
            await engine.dispose()

    asyncio.run(scenario())


def test_the_quick_head_check_agrees_with_alembic() -> None:
    """Start-up skips loading Alembic when the database is at the head read from the files."""
    assert migrate._head_without_alembic() == migrate.head_revision()


def test_is_at_head_only_after_the_upgrade(database_env: dict[str, str]) -> None:
    engine, schema = _engine(database_env)

    async def scenario() -> None:
        try:
            assert not await migrate.is_at_head(engine)
            await migrate.upgrade(engine, schema=schema)
            assert await migrate.is_at_head(engine)
            await migrate.downgrade(engine, "0001_identity", schema=schema)
            assert not await migrate.is_at_head(engine)
        finally:
            await engine.dispose()

    asyncio.run(scenario())
