"""``pyrewatch serve``: run the HTTP (and gRPC) server."""

from __future__ import annotations

from collections.abc import Callable

import click

from pyrewatch.cli.common import check_provisioning_file, configure_logging, settings_from_env
from pyrewatch.settings import SETTINGS, is_flag_parser


def _registry_options(command: Callable[..., None]) -> Callable[..., None]:
    """One option per setting that has a ``cli`` name in the settings registry; each keeps the
    environment variable's name, so its value is parsed and checked like the variable's."""
    for var, cli in reversed([(v, v.cli) for v in SETTINGS if v.cli is not None]):
        default = "" if var.default is None else f"; default {var.default or '(empty)'}"
        help_text = f"{var.help} [env {var.name}{default}]"
        if var.parse is is_flag_parser:
            flag = cli.removeprefix("--")
            command = click.option(f"--{flag}/--no-{flag}", var.name, default=None, help=help_text)(command)
        else:
            command = click.option(cli, var.name, help=help_text)(command)
    return command


@click.command()
@_registry_options
def serve(**overrides: str | bool | None) -> None:
    """Start the server: REST /v1, GraphQL /graphql, OTLP over HTTP and gRPC.

    Every option can also be set through its environment variable; secrets
    (PHOENIX_SECRET, PHOENIX_ADMIN_SECRET) are read only from the environment.
    See docs/configuration.md for the full list.
    """
    import uvicorn

    from pyrewatch.http.app import create_app
    from pyrewatch.http.connections import guarded_protocol

    settings = settings_from_env(
        {name: str(value).lower() if isinstance(value, bool) else value for name, value in overrides.items()}
    )
    configure_logging(settings.logging_level)
    if settings.provisioning_file is not None:
        check_provisioning_file(settings.provisioning_file)
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.logging_level,
        lifespan="on",
        # Behind a proxy that serves Pyrewatch under a sub-path: links and redirects carry it.
        root_path=settings.host_root_path,
        access_log=settings.logging_level == "debug",
        server_header=False,
        http=guarded_protocol(settings.limits.header_timeout_seconds),
        h11_max_incomplete_event_size=settings.limits.max_header_bytes,
        limit_concurrency=settings.limits.max_connections,
    )
    uvicorn.Server(config).run()
