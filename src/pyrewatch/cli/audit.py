"""``pyrewatch audit``: read the audit log of a running server (admins).

The same credentials (PHOENIX_ADMIN_SECRET, else PHOENIX_API_KEY, from the environment only),
the same ``--url`` and the same exit codes as ``pyrewatch keys``:

    0  success
    1  the server refused the request (its status and message are printed on stderr)
    2  usage or configuration error
    3  the server could not be reached
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import click

from pyrewatch.cli.keys import _Api

FOLLOW_INTERVAL_SECONDS = 2.0


def _line(event: dict[str, Any]) -> str:
    target = f"{event['target_type'] or '-'}:{event['target_id'] or '-'}"
    parts = [event["occurred_at"], event["outcome"], event["action"], event["actor"], target]
    parts += [event["client_ip"] or "-", event["request_id"] or "-"]
    return "  ".join(parts)


def _emit(events: list[dict[str, Any]], as_json: bool) -> None:
    for event in events:
        click.echo(json.dumps(event, sort_keys=True) if as_json else _line(event))


@click.command()
@click.option(
    "--url",
    envvar=["PYREWATCH_URL", "PHOENIX_ENDPOINT"],
    default="http://127.0.0.1:6006",
    show_default=True,
    help="Server base URL (env PYREWATCH_URL or PHOENIX_ENDPOINT).",
)
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds to wait for the server.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]))
@click.option("--until", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]))
@click.option("--actor", help="admin_secret, user:<id> or key:<id>.")
@click.option("--action", help="An action, such as auth.login or api_key.create.")
@click.option("--outcome", type=click.Choice(["success", "failure", "refused", "flagged"]))
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True, help="Events to show.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--follow", is_flag=True, help="Then keep printing new events as they are recorded.")
def audit(url: str, timeout: float, limit: int, as_json: bool, follow: bool, **filters: Any) -> None:
    """Print audit events, oldest first: the latest LIMIT, or with --follow, then every new one.

    \b
    Exit codes: 0 success, 1 refused by the server, 2 usage error, 3 server unreachable.
    """
    api = _Api(url, timeout)
    params: dict[str, str] = {}
    for name, key in (("since", "start_time"), ("until", "end_time")):
        value: datetime | None = filters[name]
        if value is not None:
            params[key] = value.isoformat()
    for name in ("actor", "action", "outcome"):
        if filters[name] is not None:
            params[name] = filters[name]
    page = api.call("GET", "/v1/audit_events?" + urlencode({**params, "limit": str(min(limit, 1000))})).json()
    events = list(reversed(page["data"]))
    _emit(events, as_json)
    if not follow:
        return
    last_id = events[-1]["id"] if events else _latest_id(api)
    while True:
        time.sleep(FOLLOW_INTERVAL_SECONDS)
        query = urlencode({**params, "after": str(last_id), "limit": "1000"})
        events = api.call("GET", "/v1/audit_events?" + query).json()["data"]
        _emit(events, as_json)
        if events:
            last_id = events[-1]["id"]


def _latest_id(api: _Api) -> int:
    data = api.call("GET", "/v1/audit_events?limit=1").json()["data"]
    return int(data[0]["id"]) if data else 0
