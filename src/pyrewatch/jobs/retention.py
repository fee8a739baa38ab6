"""The periodic retention sweep: started and stopped with the application."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from types import TracebackType

from pyrewatch.clock import now_utc
from pyrewatch.db.session import SessionFactory
from pyrewatch.services.retention import RetentionDefaults, SweepLimits, sweep

__all__ = ["RetentionSweeper"]

logger = logging.getLogger(__name__)
_FIRST_SWEEP_SECONDS = 60.0


class RetentionSweeper:
    """Runs ``services.retention.sweep`` every ``interval_seconds`` while entered."""

    def __init__(
        self,
        factory: SessionFactory,
        defaults: RetentionDefaults,
        interval_seconds: float,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self._factory = factory
        self._defaults = defaults
        self._interval = interval_seconds
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        # Short pauses between batches let concurrent ingest commit in between.
        self._limits = SweepLimits(pause_seconds=0.01)

    async def __aenter__(self) -> RetentionSweeper:
        self._task = asyncio.create_task(self._run(), name="retention-sweeper")
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        await asyncio.sleep(min(self._interval, _FIRST_SWEEP_SECONDS))
        while True:
            try:
                report = await sweep(self._factory, self._defaults, self._clock(), self._limits)
                if report.traces_deleted or report.sessions_deleted:
                    logger.info(
                        "retention: deleted %d traces and %d sessions", report.traces_deleted, report.sessions_deleted
                    )
            except Exception:  # a failed sweep must not stop the next one
                logger.exception("retention sweep failed")
            await asyncio.sleep(self._interval)
