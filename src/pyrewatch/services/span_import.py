"""Spans logged over REST (``log_spans``): all or nothing, with Phoenix's duplicate rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.session import Session
from pyrewatch.errors import InvalidInput
from pyrewatch.store import ingest as ingest_store
from pyrewatch.store import spans as span_store
from pyrewatch.store.ingest import NewSpan

__all__ = ["MAX_LOGGED_SPANS", "LoggedSpans", "SpanProblem", "log_spans"]

MAX_LOGGED_SPANS = 10_000


@dataclass(frozen=True)
class SpanProblem:
    span_id: str
    trace_id: str
    error: str


@dataclass(frozen=True)
class LoggedSpans:
    total_received: int
    total_queued: int
    duplicates: list[SpanProblem] = field(default_factory=list)
    invalid: list[SpanProblem] = field(default_factory=list)

    @property
    def is_rejected(self) -> bool:
        return bool(self.duplicates or self.invalid)


async def log_spans(
    session: Session, principal: Principal, spans: Sequence[NewSpan], invalid: Sequence[SpanProblem]
) -> LoggedSpans:
    """Store ``spans`` unless any of them is invalid or a duplicate (of a stored span or of an
    earlier span of the request); then nothing is stored and the answer says why.

    Raises:
        InvalidInput: more than ``MAX_LOGGED_SPANS`` spans.
    """
    require(principal, Action.WRITE)
    received = len(spans) + len(invalid)
    if received > MAX_LOGGED_SPANS:
        raise InvalidInput(f"At most {MAX_LOGGED_SPANS} spans may be logged in one request")
    stored = await span_store.spans_by_span_ids(session, [span.span_id for span in spans])
    seen: set[str] = set()
    duplicates = []
    for span in spans:
        if span.span_id in stored or span.span_id in seen:
            duplicates.append(SpanProblem(span.span_id, span.trace_id, "duplicate span_id"))
        seen.add(span.span_id)
    if duplicates or invalid:
        return LoggedSpans(received, 0, duplicates, list(invalid))
    await ingest_store.write_spans(session, spans)
    return LoggedSpans(received, received)
