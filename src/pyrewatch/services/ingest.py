"""OTLP export as a use case: the policy decides first, then the spans go to the writer.

The writer lives in ``pyrewatch.ingest`` (a sibling layer), so it is passed in as a ``SpanSink``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from pyrewatch.auth.policy import Action, require, require_project
from pyrewatch.auth.principal import Principal

__all__ = ["SpanSink", "authorize_export", "export_spans"]

Batch = TypeVar("Batch", contravariant=True)
Outcome = TypeVar("Outcome", covariant=True)


class SpanSink(Protocol[Batch, Outcome]):
    async def submit(self, spans: Batch) -> Outcome: ...


def authorize_export(principal: Principal, projects: Iterable[str] = ()) -> None:
    """Raise ``NotAllowed`` unless ``principal`` may export spans (viewers may not) into every
    project of ``projects`` (a project-bound key only into its own)."""
    require(principal, Action.INGEST)
    for name in sorted(set(projects)):
        require_project(principal, name)


async def export_spans(
    principal: Principal, sink: SpanSink[Batch, Outcome], spans: Batch, projects: Iterable[str] = ()
) -> Outcome:
    """Store ``spans`` (whose projects are ``projects``) for ``principal``; returns once they are
    committed. A request that names one project the caller may not reach stores nothing.

    Raises:
        NotAllowed: the principal may not ingest, or not into one of ``projects``.
        Overloaded: the server cannot take the spans now; retry later.
    """
    authorize_export(principal, projects)
    return await sink.submit(spans)
