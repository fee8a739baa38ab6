"""Cross-replica invalidation over PostgreSQL ``LISTEN/NOTIFY``.

Transactions announce their effects with ``pg_notify`` (see ``db.effects``); each replica keeps
one listening connection and hands what arrives to its ``Dispatcher``. While that connection is
down, announcements may be missed, so the caches are suspended (every lookup reads the
database) from the moment the loss is noticed until listening has resumed; only then are they
cleared and trusted again. SQLite has a single writer on one machine and needs none of this.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from pyrewatch.db.effects import CHANNEL, Dispatcher

RECONNECT_SECONDS = 1.0

logger = logging.getLogger(__name__)


def supports_notifications(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "postgresql"


async def _listen_once(engine: AsyncEngine, dispatcher: Dispatcher, ready: asyncio.Event) -> None:
    """Listen on one connection until it is lost."""

    def deliver(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
        dispatcher.deliver((payload,))

    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        lost = asyncio.Event()

        def on_lost(_conn: Any) -> None:
            # Suspend at once, not after the reconnect attempt: from now on we may miss news.
            dispatcher.suspend()
            lost.set()

        driver.add_termination_listener(on_lost)
        await driver.add_listener(CHANNEL, deliver)
        # Listening: whatever was cached before may be stale, so the caches start afresh.
        dispatcher.resume()
        ready.set()
        await lost.wait()


@asynccontextmanager
async def listen(engine: AsyncEngine, dispatcher: Dispatcher) -> AsyncIterator[asyncio.Event]:
    """Deliver announcements to ``dispatcher`` while the block runs, reconnecting when needed.

    The caches are suspended until the first listening connection is established; the yielded
    event is set then.
    """
    ready = asyncio.Event()
    dispatcher.suspend()

    async def run() -> None:
        while True:
            try:
                await _listen_once(engine, dispatcher, ready)
            except Exception:
                logger.warning("invalidation notifications unavailable; retrying", exc_info=True)
            dispatcher.suspend()
            await asyncio.sleep(RECONNECT_SECONDS)

    task = asyncio.create_task(run())
    try:
        yield ready
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
