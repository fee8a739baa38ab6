"""Alembic environment. Pyrewatch runs migrations through ``pyrewatch.db.migrate``, which hands
over an open connection in ``config.attributes["connection"]``."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import pyrewatch.db.models  # noqa: F401  (registers every table on Base.metadata)
from pyrewatch.db.base import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        version_table_schema=config.attributes.get("schema"),
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `pyrewatch db upgrade`, not the alembic command")
_run(connection)
