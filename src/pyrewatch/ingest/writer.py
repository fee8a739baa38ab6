"""Group commit: concurrent exports share one transaction; each is answered after its commit.

One task owns the database writes. ``submit`` queues a request's spans and waits; the task takes
everything queued (up to ``max_batch_spans``), writes it in one transaction and resolves every
waiter once the commit has returned, so an acknowledgement always means the spans are durable.
While one transaction commits, the next requests queue up and share the following one: the
busier the server, the larger the batches.

The queue is bounded in spans (``max_queued_spans``, counting those being written): beyond it
``submit`` raises ``Overloaded`` at once (503 with ``Retry-After`` over HTTP, ``UNAVAILABLE``
over gRPC), so memory stays bounded and exporters retry later. If a shared transaction fails,
each request is retried in its own transaction, so one request cannot fail the others. If the
database refuses a value of a request's spans (input that would always fail), the spans are
halved until the refused ones are alone: the others are stored and the refused ones reported.
On exit the writer refuses new work, finishes what is queued, then stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
    refused: int = 0  # spans the database refused (their values cannot be stored)
    refusal: str = ""  # why, for ``partial_success``


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

        Spans whose values the database refuses are counted in ``WriteOutcome.refused``; the
        others are stored.
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
            await self._write_isolating(batch[0], exc)
            return
        claimed: set[str] = set()  # a span id sent by two requests of the batch is new for the first
        for job in batch:
            _resolve(job, stored.inserted, _Refused(), claimed)

    async def _write_isolating(self, job: _Job, exc: Exception) -> None:
        """After ``job`` failed alone: store what can be, refuse the spans the database refuses.

        Only a refusal of the values (``InvalidInput``) is isolated, by halving the spans until
        the refused ones are alone; any other failure may pass, so the request gets a 503 (its
        spans already committed are then ignored as duplicates when the exporter retries).
        """
        if not isinstance(exc, InvalidInput):
            _fail(job, exc)
            return
        inserted: set[str] = set()
        refused = _Refused()
        try:
            await self._store_halves(list(job.spans), inserted, refused)
        except Exception as failure:  # noqa: BLE001 - answered to the waiting request
            _fail(job, failure)
            return
        _resolve(job, frozenset(inserted), refused, set())

    async def _store_halves(self, spans: list[SpanRecord], inserted: set[str], refused: _Refused) -> None:
        try:
            stored = await self._commit(spans)
        except InvalidInput as exc:
            if len(spans) == 1:
                logger.info("span %s refused by the database: %s", spans[0].span_id, _describe(exc.__cause__ or exc))
                refused.add(exc.message)
                return
            middle = len(spans) // 2
            await self._store_halves(spans[:middle], inserted, refused)
            await self._store_halves(spans[middle:], inserted, refused)
            return
        inserted.update(stored.inserted)

    async def _commit(self, spans: list[SpanRecord]) -> store.StoredBatch:
        async with transaction(self._factory) as session:
            stored = await store.write_spans(session, spans)
        self.transactions += 1
        if self._on_commit is not None:
            self._on_commit({span.project_name for span in spans})
        return stored


@dataclass
class _Refused:
    count: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, reason: str) -> None:
        self.count += 1
        if reason not in self.reasons:
            self.reasons.append(reason)


def _resolve(job: _Job, inserted: frozenset[str], refused: _Refused, claimed: set[str]) -> None:
    """Answer ``job``: its spans in ``inserted`` are new, refused ones are counted, others were stored."""
    fresh = 0
    for span in job.spans:
        if span.span_id in inserted and span.span_id not in claimed:
            claimed.add(span.span_id)
            fresh += 1
    if not job.future.done():
        already = len(job.spans) - fresh - refused.count
        job.future.set_result(WriteOutcome(fresh, already, refused.count, "; ".join(refused.reasons)))


def _fail(job: _Job, exc: Exception) -> None:
    logger.error("storing %d spans failed: %s", len(job.spans), _describe(exc), exc_info=exc)
    if not job.future.done():
        job.future.set_exception(Overloaded(STORE_FAILED, RETRY_AFTER_SECONDS))


def _describe(exc: BaseException) -> str:
    """One line naming ``exc``, in ASCII: a database's text may quote text no log can encode."""
    text = str(exc).splitlines()[0][:300] if str(exc) else ""
    return ascii(f"{type(exc).__name__}: {text}")
