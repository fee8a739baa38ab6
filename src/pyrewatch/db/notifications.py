"""Cross-replica credential invalidation over PostgreSQL ``LISTEN/NOTIFY``.

Each replica keeps one listening connection. A replica that revokes a credential evicts it from
its own cache at once and publishes a short message; every other replica evicts it when the
message arrives (milliseconds later). If the listening connection drops, messages may have been
missed, so the replica clears its whole cache before listening again. SQLite has a single
writer on one machine and needs none of this.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

CHANNEL = "pyrewatch_credentials"
RECONNECT_SECONDS = 1.0

logger = logging.getLogger(__name__)


def supports_notifications(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "postgresql"


async def publish(engine: AsyncEngine, message: str) -> None:
    """Send ``message`` to every listening replica (including this one)."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT pg_notify(:channel, :message)"), {"channel": CHANNEL, "message": message})
        await conn.commit()


async def _listen_once(engine: AsyncEngine, deliver: Callable[..., None], ready: asyncio.Event) -> None:
    """Listen on one connection until it is lost."""
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        lost = asyncio.Event()
        driver.add_termination_listener(lambda _conn: lost.set())
        await driver.add_listener(CHANNEL, deliver)
        ready.set()
        await lost.wait()


@asynccontextmanager
async def listen(
    engine: AsyncEngine, on_message: Callable[[str], None], on_gap: Callable[[], None]
) -> AsyncIterator[asyncio.Event]:
    """Deliver messages to ``on_message`` while the block runs; call ``on_gap`` after a reconnect.

    Yields an event that is set once the first listening connection is established.
    """
    ready = asyncio.Event()

    def deliver(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
        on_message(payload)

    async def run() -> None:
        while True:
            try:
                await _listen_once(engine, deliver, ready)
            except Exception:
                logger.warning("credential notifications unavailable; retrying", exc_info=True)
            # Whatever was published while we were not listening is unknown: forget everything.
            on_gap()
            await asyncio.sleep(RECONNECT_SECONDS)

    task = asyncio.create_task(run())
    try:
        yield ready
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
