"""Work that runs after the answer (mail), one job at a time and in order, drained at shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger(__name__)


class BackgroundWork:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()

    def run(self, work: Coroutine[Any, Any, None]) -> None:
        """Start ``work`` after the jobs already queued (so a second reset mail is always the one
        whose link works), keeping a reference until it is done."""

        async def run() -> None:
            try:
                async with self._lock:
                    await work
            except Exception:
                logger.exception("background work failed")
            finally:
                work.close()  # when cancelled before it started

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout_seconds: float = 30.0) -> None:
        """At shutdown: let queued work finish (each mail send is bounded by the SMTP timeout)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_seconds)
