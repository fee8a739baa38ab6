"""``pyrewatch db``: migrations on the configured database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from pyrewatch.cli.common import fail, settings_from_env

T = TypeVar("T")


def _run(action: Callable[..., Awaitable[T]], *args: object) -> T:
    from pyrewatch.db.engine import make_engine

    settings = settings_from_env()
    if settings.database_url.startswith("sqlite"):
        settings.working_dir.mkdir(parents=True, exist_ok=True)

    async def go() -> T:
        engine = make_engine(settings.database_url, settings.database_schema)
        try:
            return await action(engine, *args)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(go())
    except OSError as exc:
        fail(f"cannot reach the database: {exc}")
        raise


@click.group()
def db() -> None:
    """Database migrations (the server also upgrades at start-up)."""


@db.command()
def upgrade() -> None:
    """Apply every pending migration."""
    from pyrewatch.db import migrate

    _run(lambda engine: migrate.upgrade(engine, schema=settings_from_env().database_schema))
    click.echo(f"database at revision {migrate.head_revision()}")


@db.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ('base' removes every table)."""
    from pyrewatch.db import migrate

    _run(lambda engine: migrate.downgrade(engine, revision))
    click.echo(f"database downgraded to {revision}")


@db.command()
def current() -> None:
    """Print the database's current revision (and whether it is the newest)."""
    from pyrewatch.db import migrate

    revision = _run(migrate.current)
    head = migrate.head_revision()
    if revision is None:
        click.echo("none (empty database; run `pyrewatch db upgrade` or start the server)")
    else:
        click.echo(f"{revision}{' (head)' if revision == head else f' (head is {head})'}")


@db.command()
def check() -> None:
    """Exit 1 when the models differ from what the migrations create."""
    from pyrewatch.db import migrate

    diff = _run(migrate.pending_model_changes)
    if diff:
        for item in diff:
            click.echo(str(item))
        fail("the models have changes that no migration applies")
    click.echo("no pending model changes")
