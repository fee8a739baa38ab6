"""Fixtures: every storage test runs on SQLite and on the local PostgreSQL.

PostgreSQL is used for real (127.0.0.1:5432, user postgres, or PYREWATCH_TEST_POSTGRES_URL): a
throwaway database per run and a fresh schema per test. When it is unreachable the tests fail,
unless PYREWATCH_TEST_SKIP_POSTGRES=1 is set for a quick local run.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pyrewatch.http.app import create_app
from pyrewatch.settings import load_settings
from tests.support.databases import create_postgres_database, drop_postgres_database, drop_schema
from tests.support.server import ServerProcess

DIALECTS = ["sqlite", "postgresql"]
ClientFactory = Callable[..., TestClient]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if os.environ.get("PYREWATCH_TEST_SKIP_POSTGRES") == "1":
        pytest.skip("PYREWATCH_TEST_SKIP_POSTGRES=1")
    url, name = create_postgres_database()
    yield url
    drop_postgres_database(name)


@pytest.fixture(params=DIALECTS)
def dialect(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def database_env(dialect: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Environment variables that point a server at an empty database of the current dialect."""
    # gRPC port 0: every in-process app binds its own free port (real servers get a fixed one).
    env = {"PHOENIX_WORKING_DIR": str(tmp_path / "work"), "PHOENIX_GRPC_PORT": "0"}
    if dialect == "sqlite":
        env["PHOENIX_SQL_DATABASE_URL"] = f"sqlite:///{tmp_path / 'test.db'}"
        yield env
        return
    url: str = request.getfixturevalue("postgres_url")
    schema = f"t_{secrets.token_hex(6)}"
    env["PHOENIX_SQL_DATABASE_URL"] = url
    env["PHOENIX_SQL_DATABASE_SCHEMA"] = schema
    yield env
    drop_schema(url, schema)


@pytest.fixture
def make_client(database_env: dict[str, str]) -> Iterator[ClientFactory]:
    """Build apps with ``create_app(settings)`` over the test database; each runs its lifespan.

    Call it again with other variables to "restart" on the same database.
    """
    with ExitStack() as stack:

        def factory(env: dict[str, str] | None = None, **kwargs: object) -> TestClient:
            settings = load_settings({**database_env, **(env or {})})
            client = TestClient(create_app(settings), **kwargs)  # type: ignore[arg-type]
            stack.enter_context(client)
            return client

        yield factory


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    """An app with auth off."""
    return make_client()


@pytest.fixture
def start_server(database_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Start real ``pyrewatch serve`` processes on the test database; stopped at teardown."""
    servers: list[ServerProcess] = []

    def start(env: dict[str, str] | None = None) -> ServerProcess:
        server = ServerProcess(env={**database_env, **(env or {})}, log_path=tmp_path / f"server{len(servers)}.log")
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()
