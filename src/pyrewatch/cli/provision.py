"""``pyrewatch provision``: check a provisioning file, or print what applying it would change.

Exit codes: 0 valid (``--check``) or plan printed (``--dry-run``), 2 invalid file or usage
error, 3 the database cannot be reached.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from pyrewatch.cli.common import check_provisioning_file, fail, settings_from_env


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--check", "mode", flag_value="check", default=True, help="Validate the file only (no database).")
@click.option("--dry-run", "mode", flag_value="dry-run", help="Print the plan against the configured database.")
def provision(file: Path, mode: str) -> None:
    """Validate FILE, or print the changes applying it would make (nothing is changed)."""
    check_provisioning_file(file)
    if mode == "check":
        click.echo(f"{file}: valid")
        return
    from pyrewatch.db import migrate
    from pyrewatch.db.engine import make_engine
    from pyrewatch.db.session import make_session_factory
    from pyrewatch.services.provisioning_apply import apply_declaration
    from pyrewatch.services.provisioning_file import load_declaration

    settings = settings_from_env()

    async def plan() -> list[str]:
        engine = make_engine(settings.database_url, settings.database_schema)
        try:
            if await migrate.current(engine) != migrate.head_revision():
                fail("the database is not at the newest revision: run `pyrewatch db upgrade` first", 2)
            return await apply_declaration(make_session_factory(engine), load_declaration(file), dry_run=True)
        finally:
            await engine.dispose()

    try:
        lines = asyncio.run(plan())
    except OSError as exc:
        fail(f"cannot reach the database: {exc}", 3)
        raise
    for line in lines:
        click.echo(line)
    click.echo(f"{len(lines)} change(s)" if lines else "no changes")
