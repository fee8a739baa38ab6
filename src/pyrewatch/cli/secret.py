"""``pyrewatch secret``: make deployment secrets that pass the rules."""

from __future__ import annotations

import click

from pyrewatch.auth.secrets import generate_secret


@click.group()
def secret() -> None:
    """Deployment secrets (PHOENIX_SECRET, PHOENIX_ADMIN_SECRET)."""


@secret.command()
@click.option("--length", type=click.IntRange(min=32, max=512), default=64, show_default=True)
def generate(length: int) -> None:
    """Print a fresh random secret that satisfies the secret rules.

    Example: export PHOENIX_SECRET=$(pyrewatch secret generate)
    """
    click.echo(generate_secret(length))
