"""``pyrewatch serve``: run the HTTP (and gRPC) server."""

from __future__ import annotations

import click

from pyrewatch.cli.common import configure_logging, settings_from_env


@click.command()
@click.option("--host", help="Interface to bind (env PHOENIX_HOST, default 0.0.0.0).")
@click.option("--port", type=int, help="HTTP port (env PHOENIX_PORT, default 6006).")
@click.option("--grpc-port", type=int, help="OTLP/gRPC port (env PHOENIX_GRPC_PORT, default 4317).")
@click.option(
    "--database-url",
    help="sqlite:///path or postgresql://... (env PHOENIX_SQL_DATABASE_URL; default SQLite in the working dir).",
)
@click.option(
    "--working-dir",
    type=click.Path(file_okay=False),
    help="Directory of the embedded database (env PHOENIX_WORKING_DIR, default ~/.pyrewatch).",
)
@click.option("--enable-auth/--no-enable-auth", default=None, help="Require credentials (env PHOENIX_ENABLE_AUTH).")
def serve(
    host: str | None,
    port: int | None,
    grpc_port: int | None,
    database_url: str | None,
    working_dir: str | None,
    enable_auth: bool | None,
) -> None:
    """Start the server: REST /v1, GraphQL /graphql, OTLP over HTTP and gRPC.

    Every option can also be set through its environment variable; secrets
    (PHOENIX_SECRET, PHOENIX_ADMIN_SECRET) are read only from the environment.
    See docs/configuration.md for the full list.
    """
    import uvicorn

    from pyrewatch.http.app import create_app

    settings = settings_from_env(
        {
            "PHOENIX_HOST": host,
            "PHOENIX_PORT": None if port is None else str(port),
            "PHOENIX_GRPC_PORT": None if grpc_port is None else str(grpc_port),
            "PHOENIX_SQL_DATABASE_URL": database_url,
            "PHOENIX_WORKING_DIR": working_dir,
            "PHOENIX_ENABLE_AUTH": None if enable_auth is None else str(enable_auth).lower(),
        }
    )
    configure_logging(settings.logging_level)
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
    )
    uvicorn.Server(config).run()
