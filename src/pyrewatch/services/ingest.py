"""OTLP export as a use case: the policy decides first, then the spans go to the writer.

The writer lives in ``pyrewatch.ingest`` (a sibling layer), so it is passed in as a ``SpanSink``.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal

__all__ = ["SpanSink", "authorize_export", "export_spans"]

Batch = TypeVar("Batch", contravariant=True)
Outcome = TypeVar("Outcome", covariant=True)


class SpanSink(Protocol[Batch, Outcome]):
    async def submit(self, spans: Batch) -> Outcome: ...


def authorize_export(principal: Principal) -> None:
    """Raise ``NotAllowed`` unless ``principal`` may export spans (viewers may not)."""
    require(principal, Action.INGEST)


async def export_spans(principal: Principal, sink: SpanSink[Batch, Outcome], spans: Batch) -> Outcome:
    """Store ``spans`` for ``principal``; returns once they are committed.

    Raises:
        NotAllowed: the principal may not ingest.
        Overloaded: the server cannot take the spans now; retry later.
    """
    authorize_export(principal)
    return await sink.submit(spans)
