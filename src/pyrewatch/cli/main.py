"""The ``pyrewatch`` command. Bare ``pyrewatch`` runs ``serve``."""

from __future__ import annotations

import click

from pyrewatch import __version__
from pyrewatch.cli.audit import audit
from pyrewatch.cli.db import db
from pyrewatch.cli.keys import keys
from pyrewatch.cli.provision import provision
from pyrewatch.cli.retention import retention
from pyrewatch.cli.secret import secret
from pyrewatch.cli.serve import serve
from pyrewatch.cli.users import users


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pyrewatch")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Pyrewatch: a self-hosted LLM-observability server compatible with Arize Phoenix clients.

    Run `pyrewatch serve` (or just `pyrewatch`) to start the server; configuration comes from
    PHOENIX_* environment variables (see docs/configuration.md).
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


cli.add_command(serve)
cli.add_command(db)
cli.add_command(secret)
cli.add_command(keys)
cli.add_command(retention)
cli.add_command(audit)
cli.add_command(provision)
cli.add_command(users)


def main() -> None:
    cli()
