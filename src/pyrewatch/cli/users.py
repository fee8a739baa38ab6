"""``pyrewatch users``: list, create, re-role and delete users on a running server (admins).

The same credentials (PHOENIX_ADMIN_SECRET, else PHOENIX_API_KEY, from the environment only),
``--url``, ``--json`` and exit codes as ``pyrewatch keys``:

    0  success
    1  the server refused the request (its status and message are printed on stderr)
    2  usage or configuration error
    3  the server could not be reached
"""

from __future__ import annotations

import json
from typing import Any

import click

from pyrewatch.cli.keys import EXIT_REFUSED, _Api, _cell, _die

ROLES = click.Choice(["ADMIN", "MEMBER", "VIEWER"], case_sensitive=False)
SET_ROLE = "mutation($id:ID!,$role:UserRoleInput!){patchUser(input:{userId:$id,newRole:$role}){user{id role{name}}}}"


def _api(ctx: click.Context) -> _Api:
    url, timeout = ctx.obj
    return _Api(url, timeout)


@click.group()
@click.option(
    "--url",
    envvar=["PYREWATCH_URL", "PHOENIX_ENDPOINT"],
    default="http://127.0.0.1:6006",
    show_default=True,
    help="Server base URL (env PYREWATCH_URL or PHOENIX_ENDPOINT).",
)
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds to wait for the server.")
@click.pass_context
def users(ctx: click.Context, url: str, timeout: float) -> None:
    """Manage users on a running server (admin credential in the environment).

    \b
    Exit codes: 0 success, 1 refused by the server, 2 usage error, 3 server unreachable.
    """
    ctx.obj = (url, timeout)


@users.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def list_users(ctx: click.Context, as_json: bool) -> None:
    """List every user."""
    api = _api(ctx)
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = api.call("GET", "/v1/users?limit=1000" + (f"&cursor={cursor}" if cursor else "")).json()
        items.extend(page["data"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    if as_json:
        click.echo(json.dumps(items, indent=2))
        return
    for item in items:
        click.echo("  ".join(_cell(item.get(c)) for c in ("id", "email", "username", "role", "auth_method")))


@users.command()
@click.option("--email", required=True)
@click.option("--username", required=True)
@click.option("--role", type=ROLES, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the created user as JSON.")
@click.pass_context
def create(ctx: click.Context, email: str, username: str, role: str, as_json: bool) -> None:
    """Create a LOCAL user with a random password; they set their own through a password reset."""
    user = {"email": email, "username": username, "role": role.upper(), "auth_method": "LOCAL"}
    created = _api(ctx).call("POST", "/v1/users", {"user": user, "send_welcome_email": False}).json()["data"]
    click.echo(json.dumps(created, indent=2) if as_json else created["id"])


@users.command(name="set-role")
@click.argument("user_id")
@click.argument("role", type=ROLES)
@click.pass_context
def set_role(ctx: click.Context, user_id: str, role: str) -> None:
    """Give the user USER_ID (as shown by `pyrewatch users list`) the role ROLE."""
    body = {"query": SET_ROLE, "variables": {"id": user_id, "role": role.upper()}}
    result = _api(ctx).call("POST", "/graphql", body).json()
    if result.get("errors"):
        _die(f"server refused: {result['errors'][0]['message']}", EXIT_REFUSED)
    click.echo(f"{user_id} is now {role.upper()}", err=True)


@users.command()
@click.argument("user_id")
@click.pass_context
def delete(ctx: click.Context, user_id: str) -> None:
    """Delete the user USER_ID, with their sessions and API keys."""
    _api(ctx).call("DELETE", f"/v1/users/{user_id}")
    click.echo(f"deleted {user_id}", err=True)
