"""Group commit: concurrent exports share one transaction; each is answered after its commit.

One task owns the database writes. ``submit`` queues a request's spans and waits; the task takes
everything queued (up to ``max_batch_spans``), writes it in one transaction and resolves every
waiter once the commit has returned, so an acknowledgement always means the spans are durable.
While one transaction commits, the next requests queue up and share the following one: the
busier the server, the larger the batches.

The queue is bounded in spans (``max_queued_spans``, counting those being written): beyond it
``submit`` raises ``Overloaded`` at once (503 with ``Retry-After`` over HTTP, ``UNAVAILABLE``
over gRPC), so memory stays bounded and exporters retry later. If a shared transaction fails,
each request is retried in its own transaction, so one request cannot fail the others.
On exit the writer refuses new work, finishes what is queued, then stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType

from pyrewatch.db.session import SessionFactory, transaction
from pyrewatch.errors import InvalidInput, Overloaded
from pyrewatch.ingest.decode import SpanRecord
from pyrewatch.store import ingest as store

__all__ = ["AT_CAPACITY", "IngestWriter", "WriteOutcome"]

logger = logging.getLogger(__name__)

AT_CAPACITY = "Server is at capacity and cannot process more requests"
SHUTTING_DOWN = "Server is shutting down and cannot process more requests"
STORE_FAILED = "Spans could not be stored; retry later"
RETRY_AFTER_SECONDS = 1


@dataclass(frozen=True)
class WriteOutcome:
    stored: int  # spans written by this request
    already_stored: int  # spans whose id was already stored (kept as stored)


@dataclass
class _Job:
    spans: Sequence[SpanRecord]
    future: asyncio.Future[WriteOutcome]


class IngestWriter:
    def __init__(
        self,
        factory: SessionFactory,
        *,
        max_queued_spans: int = 20_000,
        max_batch_spans: int = 5_000,
        on_commit: Callable[[set[str]], None] | None = None,
    ) -> None:
        self._factory = factory
        # Told the project names of every committed batch (e.g. to notice new projects).
        self._on_commit = on_commit
        self._max_queued = max_queued_spans
        self._max_batch = max_batch_spans
        self._queue: deque[_Job] = deque()
        self._pending_spans = 0
        self._wake = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self.transactions = 0  # committed shared transactions, for observability and tests

    @property
    def pending_spans(self) -> int:
        return self._pending_spans

    async def __aenter__(self) -> IngestWriter:
        self._task = asyncio.create_task(self._run(), name="pyrewatch-ingest-writer")
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await self._task

    async def submit(self, spans: Sequence[SpanRecord]) -> WriteOutcome:
        """Queue ``spans`` and return once they are committed.

        Raises:
            Overloaded: the queue is full, the server is stopping, or the database failed.
            InvalidInput: the database refused a value of these spans.
        """
        if self._closing:
            raise Overloaded(SHUTTING_DOWN, RETRY_AFTER_SECONDS)
        if not spans:
            return WriteOutcome(0, 0)
        # An empty queue takes any single request, so a request larger than the bound is not
        # refused forever; otherwise the bound holds.
        if self._pending_spans and self._pending_spans + len(spans) > self._max_queued:
            raise Overloaded(AT_CAPACITY, RETRY_AFTER_SECONDS)
        job = _Job(spans, asyncio.get_running_loop().create_future())
        self._queue.append(job)
        self._pending_spans += len(spans)
        self._wake.set()
        # Shielded: a client that disconnects does not cancel the write of what it sent.
        return await asyncio.shield(job.future)

    async def _run(self) -> None:
        while True:
            if not self._queue:
                if self._closing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            batch = self._take_batch()
            try:
                await self._write(batch)
            except Exception as exc:  # noqa: BLE001 - the loop must survive to serve later exports
                for job in batch:
                    _fail(job, exc)
            finally:
                self._pending_spans -= sum(len(job.spans) for job in batch)

    def _take_batch(self) -> list[_Job]:
        batch = [self._queue.popleft()]
        size = len(batch[0].spans)
        while self._queue and size + len(self._queue[0].spans) <= self._max_batch:
            job = self._queue.popleft()
            size += len(job.spans)
            batch.append(job)
        return batch

    async def _write(self, batch: list[_Job]) -> None:
        try:
            stored = await self._commit([span for job in batch for span in job.spans])
        except Exception as exc:  # noqa: BLE001 - any failure is answered to the waiting requests
            if len(batch) > 1:
                for job in batch:
                    await self._write([job])
                return
            _fail(batch[0], exc)
            return
        claimed: set[str] = set()
        for job in batch:
            fresh = 0
            for span in job.spans:
                if span.span_id in stored.inserted and span.span_id not in claimed:
                    claimed.add(span.span_id)
                    fresh += 1
            if not job.future.done():
                job.future.set_result(WriteOutcome(stored=fresh, already_stored=len(job.spans) - fresh))

    async def _commit(self, spans: list[SpanRecord]) -> store.StoredBatch:
        async with transaction(self._factory) as session:
            stored = await store.write_spans(session, spans)
        self.transactions += 1
        if self._on_commit is not None:
            self._on_commit({span.project_name for span in spans})
        return stored


def _fail(job: _Job, exc: Exception) -> None:
    if isinstance(exc, InvalidInput):
        error: Exception = exc
    else:
        logger.exception("storing %d spans failed", len(job.spans), exc_info=exc)
        error = Overloaded(STORE_FAILED, RETRY_AFTER_SECONDS)
    if not job.future.done():
        job.future.set_exception(error)
