"""``pyrewatch keys``: mint, list and revoke API keys on a running server.

Built for deploy scripts: the credential comes only from the environment (never a
command-line argument, which would leak into shell history and process lists), ``create``
prints the key alone on stdout, and exit codes are stable:

    0  success
    1  the server refused the request (its status and message are printed on stderr)
    2  usage or configuration error
    3  the server could not be reached
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    import httpx

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3


class _Api:
    def __init__(self, url: str, timeout: float) -> None:
        token = os.environ.get("PHOENIX_ADMIN_SECRET") or os.environ.get("PHOENIX_API_KEY")
        if not token:
            _die("set PHOENIX_ADMIN_SECRET or PHOENIX_API_KEY in the environment", EXIT_USAGE)
        import httpx  # here, not at module level: the server process never needs it

        self._client = httpx.Client(
            base_url=url.rstrip("/"), headers={"Authorization": f"Bearer {token}"}, timeout=timeout
        )

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        import httpx

        try:
            response = self._client.request(method, path, json=body)
        except httpx.HTTPError as exc:
            _die(f"cannot reach {self._client.base_url}: {exc}", EXIT_UNREACHABLE)
        if response.status_code >= 400:
            _die(f"server answered {response.status_code}: {_message(response)}", EXIT_REFUSED)
        return response


def _message(response: httpx.Response) -> str:
    if response.headers.get("content-type", "").startswith("application/json"):
        detail = response.json().get("detail")
        if isinstance(detail, list) and detail:
            return "; ".join(str(item.get("msg", item)) for item in detail)
        return str(detail)
    return response.text.strip() or response.reason_phrase


def _die(message: str, code: int) -> None:
    click.echo(f"pyrewatch: error: {message}", err=True)
    raise SystemExit(code)


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
def keys(ctx: click.Context, url: str, timeout: float) -> None:
    """Manage API keys on a running server.

    The credential is read from the environment only: PHOENIX_ADMIN_SECRET if set,
    else PHOENIX_API_KEY. Only the admin secret (or an admin's browser session) can
    mint keys; API keys never can.

    \b
    Exit codes: 0 success, 1 refused by the server, 2 usage error, 3 server unreachable.
    \b
    Example:
      export PHOENIX_ADMIN_SECRET=...
      KEY=$(pyrewatch keys create --system --name otel-ingest)
    """
    ctx.obj = (url, timeout)


@keys.command()
@click.option("--system", "is_system", is_flag=True, required=True, help="Create a system key (required).")
@click.option("--name", required=True, help="A name for the key, e.g. the service that will use it.")
@click.option("--description", help="What the key is for.")
@click.option(
    "--expires-at",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]),
    help="Expiry (UTC unless an offset is given); the key never expires without it.",
)
@click.option(
    "--scope", "scopes", multiple=True, type=click.Choice(["ingest", "read"]), help="Narrow the key (repeat)."
)
@click.option("--project", "projects", multiple=True, help="Bind the key to a project name or id (repeat).")
@click.option("--json", "as_json", is_flag=True, help="Print the whole created object as JSON.")
@click.pass_context
def create(ctx: click.Context, /, is_system: bool, name: str, as_json: bool, **options: Any) -> None:
    """Mint a system API key and print it (shown only this once).

    User keys belong to a person and are created from that person's session.
    """
    data: dict[str, Any] = {"name": name}
    if options["description"] is not None:
        data["description"] = options["description"]
    if options["expires_at"] is not None:
        data["expires_at"] = options["expires_at"].isoformat()
    if options["scopes"]:
        data["scopes"] = list(options["scopes"])
    if options["projects"]:
        data["projects"] = list(options["projects"])
    created = _api(ctx).call("POST", "/v1/system/api_keys", {"data": data}).json()["data"]
    click.echo(json.dumps(created, indent=2) if as_json else created["key"])


@keys.command(name="list")
@click.option("--user", "scope", flag_value="user", help="Your own user keys.")
@click.option("--all-users", "scope", flag_value="all-users", help="Every person's keys (admin).")
@click.option("--system", "scope", flag_value="system", default=True, help="System keys (the default).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def list_keys(ctx: click.Context, scope: str, as_json: bool) -> None:
    """List API keys (never the keys themselves)."""
    api = _api(ctx)
    if scope == "all-users":
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            query = "/v1/users/api_keys?limit=1000" + (f"&cursor={cursor}" if cursor else "")
            page = api.call("GET", query).json()
            items.extend(page["data"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
    else:
        path = "/v1/system/api_keys" if scope == "system" else "/v1/user/api_keys"
        items = api.call("GET", path).json()["data"]
    if as_json:
        click.echo(json.dumps(items, indent=2))
        return
    columns = ["id", "name", "scopes", "projects", "created_at", "expires_at", "last_used_at"]
    columns += ["user"] if scope == "all-users" else []
    rows = [[_cell(item.get(c)) for c in columns] for item in items]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    for row in [columns, *rows]:
        click.echo("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, dict):
        return str(value.get("username", value))
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


@keys.command()
@click.argument("key_id")
@click.option("--user", "is_user", is_flag=True, help="KEY_ID is a user key (default: a system key).")
@click.pass_context
def revoke(ctx: click.Context, key_id: str, is_user: bool) -> None:
    """Revoke the key with id KEY_ID (as shown by `pyrewatch keys list`). Effective immediately."""
    path = f"/v1/user/api_keys/{key_id}" if is_user else f"/v1/system/api_keys/{key_id}"
    _api(ctx).call("DELETE", path)
    click.echo(f"revoked {key_id}", err=True)


@keys.command()
@click.argument("key_id")
@click.option("--user", "is_user", is_flag=True, help="KEY_ID is a user key (default: a system key).")
@click.option(
    "--grace-seconds",
    type=click.IntRange(0),
    default=86_400,
    show_default=True,
    help="How long the old key keeps working (0: refused at once).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the whole new object as JSON.")
@click.pass_context
def rotate(ctx: click.Context, key_id: str, is_user: bool, grace_seconds: int, as_json: bool) -> None:
    """Replace the key KEY_ID with a new one (same name, scopes, projects) and print the new key."""
    kind = "user" if is_user else "system"
    path = f"/v1/{kind}/api_keys/{key_id}/rotate"
    created = _api(ctx).call("POST", path, {"grace_seconds": grace_seconds}).json()["data"]
    click.echo(json.dumps(created, indent=2) if as_json else created["key"])


@keys.command()
def generate() -> None:
    """Make a new system key offline: print the key, then its digest line.

    Keep the key in your secret manager; put only the digest line in the provisioning file
    (PYREWATCH_PROVISIONING_FILE, docs/provisioning.md). No server is contacted.
    """
    from pyrewatch.auth import api_keys

    new = api_keys.generate_key(api_keys.KeyKind.SYSTEM)
    click.echo(new.token)
    click.echo(api_keys.digest_line(new))
