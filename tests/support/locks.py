"""Hold the database's write lock from outside the server, to make its writer wait."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import asyncpg  # type: ignore[import-untyped]

from pyrewatch.settings import load_settings


@contextmanager
def write_lock_held(env: Mapping[str, str]) -> Iterator[None]:
    """While inside, no other connection can write spans or projects."""
    settings = load_settings(dict(env))
    if settings.database_url.startswith("sqlite"):
        path = settings.database_url.split(":///", 1)[1]
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    url = env["PHOENIX_SQL_DATABASE_URL"]
    schema = env["PHOENIX_SQL_DATABASE_SCHEMA"]
    locked, release = threading.Event(), threading.Event()

    async def hold() -> None:
        conn = await asyncpg.connect(url)
        try:
            async with conn.transaction():
                await conn.execute(f'LOCK TABLE "{schema}".spans, "{schema}".projects IN EXCLUSIVE MODE')
                locked.set()
                await asyncio.get_running_loop().run_in_executor(None, release.wait)
        finally:
            await conn.close()

    thread = threading.Thread(target=lambda: asyncio.run(hold()), daemon=True)
    thread.start()
    assert locked.wait(10), "could not lock the tables"
    try:
        yield
    finally:
        release.set()
        thread.join(10)
