"""Apply, inspect and check Alembic migrations on an async engine.

Replicas sharing PostgreSQL may start together: the upgrade runs under an advisory lock so only
one of them migrates while the others wait and then find nothing to do.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

import pyrewatch.db.models  # noqa: F401
from pyrewatch.db.base import Base

_MIGRATIONS = Path(__file__).parent / "migrations"
_ADVISORY_LOCK_ID = 0x5059_5257  # "PYRW"


def _config(connection: Connection | None = None, schema: str | None = None) -> Config:
    # Alembic (and the template engine it pulls in) is imported only when there is migration
    # work to do: a server starting on an up-to-date database never loads it.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    config.attributes["schema"] = schema
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


_REVISION = re.compile(r"^revision: str = [\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision: str \| None = [\"']([^\"']+)[\"']", re.MULTILINE)


def _head_without_alembic() -> str | None:
    """The newest revision, read from the revision files (``None`` if not a single head)."""
    revisions, parents = set(), set()
    for path in (_MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text()
        revisions.update(_REVISION.findall(source))
        parents.update(_DOWN_REVISION.findall(source))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


async def is_at_head(engine: AsyncEngine) -> bool:
    """True when the database is already at the newest revision (one cheap query)."""
    head = _head_without_alembic()
    if head is None:
        return False
    try:
        async with engine.connect() as conn:
            result = await conn.execute(text("SELECT version_num FROM alembic_version"))
            return [row[0] for row in result] == [head]
    except DBAPIError:
        return False  # no version table yet: an empty database


async def _prepare(engine: AsyncEngine, schema: str | None) -> None:
    if engine.dialect.name == "postgresql" and schema:
        async with engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))


async def upgrade(engine: AsyncEngine, revision: str = "head", schema: str | None = None) -> None:
    if revision == "head" and await is_at_head(engine):
        return
    await _prepare(engine, schema)

    def run(connection: Connection) -> None:
        from alembic import command

        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _ADVISORY_LOCK_ID})
        command.upgrade(_config(connection, schema), revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def downgrade(engine: AsyncEngine, revision: str, schema: str | None = None) -> None:
    def run(connection: Connection) -> None:
        from alembic import command

        command.downgrade(_config(connection, schema), revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def current(engine: AsyncEngine) -> str | None:
    def run(connection: Connection) -> str | None:
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(run)


async def pending_model_changes(engine: AsyncEngine) -> list[object]:
    """Differences between the models and the migrated schema (empty when migrations are complete)."""

    def run(connection: Connection) -> list[object]:
        from alembic.autogenerate import compare_metadata
        from alembic.runtime.migration import MigrationContext

        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": connection.dialect.name == "sqlite"}
        )
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as conn:
        return await conn.run_sync(run)
