"""``pyrewatch retention``: read and set projects' retention policies on a running server.

Like ``pyrewatch keys``, the credential comes from the environment only (PHOENIX_ADMIN_SECRET,
else PHOENIX_API_KEY). Exit codes: 0 success, 1 refused by the server, 2 usage error, 3 server
unreachable.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote

import click

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3


def _die(message: str, code: int) -> None:
    click.echo(f"pyrewatch: error: {message}", err=True)
    raise SystemExit(code)


def _call(ctx: click.Context, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    import httpx  # here, not at module level: the server process never needs it

    url, timeout = ctx.obj
    token = os.environ.get("PHOENIX_ADMIN_SECRET") or os.environ.get("PHOENIX_API_KEY")
    if not token:
        _die("set PHOENIX_ADMIN_SECRET or PHOENIX_API_KEY in the environment", EXIT_USAGE)
    try:
        response = httpx.request(
            method, url.rstrip("/") + path, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=timeout
        )
    except httpx.HTTPError as exc:
        _die(f"cannot reach {url}: {exc}", EXIT_UNREACHABLE)
    if response.status_code >= 400:
        _die(f"server answered {response.status_code}: {response.text.strip()[:500]}", EXIT_REFUSED)
    return response.json()["data"]


def _path(project: str) -> str:
    return f"/v1/projects/{quote(project, safe='')}/retention_policy"


@click.group()
@click.option(
    "--url",
    envvar=["PYREWATCH_URL", "PHOENIX_ENDPOINT"],
    default="http://127.0.0.1:6006",
    show_default=True,
    help="Server base URL (env PYREWATCH_URL or PHOENIX_ENDPOINT).",
)
@click.option("--timeout", type=float, default=300.0, show_default=True, help="Seconds to wait for the server.")
@click.pass_context
def retention(ctx: click.Context, url: str, timeout: float) -> None:
    """Retention policies: how long, or how many spans, each project keeps.

    \b
    Example:
      export PHOENIX_ADMIN_SECRET=...
      pyrewatch retention set my-app --max-age-days 30
      pyrewatch retention sweep
    """
    ctx.obj = (url, timeout)


@retention.command()
@click.argument("project")
@click.pass_context
def show(ctx: click.Context, project: str) -> None:
    """Print a project's policy as JSON (is_default: it follows the server default)."""
    click.echo(json.dumps(_call(ctx, "GET", _path(project))))


@retention.command(name="set")
@click.argument("project")
@click.option("--max-age-days", type=click.IntRange(min=1), help="Delete traces older than this.")
@click.option("--max-spans", type=click.IntRange(min=1), help="Keep at most this many spans, oldest traces first.")
@click.pass_context
def set_policy(ctx: click.Context, project: str, max_age_days: int | None, max_spans: int | None) -> None:
    """Give PROJECT its own policy (neither option: keep everything)."""
    body = {"max_age_days": max_age_days, "max_spans": max_spans}
    click.echo(json.dumps(_call(ctx, "PUT", _path(project), body)))


@retention.command()
@click.argument("project")
@click.pass_context
def clear(ctx: click.Context, project: str) -> None:
    """Make PROJECT follow the server default (PYREWATCH_RETENTION_*) again."""
    click.echo(json.dumps(_call(ctx, "DELETE", _path(project))))


@retention.command()
@click.pass_context
def sweep(ctx: click.Context) -> None:
    """Enforce every policy now and print what was deleted."""
    click.echo(json.dumps(_call(ctx, "POST", "/v1/retention/sweep")))
