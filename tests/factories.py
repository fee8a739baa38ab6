"""Test data: plain functions that insert ORM rows through a session, and ``Database`` to run them
against the database a test app or server uses (created and migrated by that app first)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pyrewatch.db.engine import make_engine
from pyrewatch.db.models import Project, Span, SpanAnnotation, Trace
from pyrewatch.db.session import Session, make_session_factory, transaction
from pyrewatch.settings import load_settings

T = TypeVar("T")
BASE_TIME = datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)


class Database:
    """Runs ``fn(session)`` in one committed transaction on the database of ``env``."""

    def __init__(self, env: dict[str, str]) -> None:
        settings = load_settings(env)
        self.settings = settings
        self.url = settings.database_url
        self.schema = settings.database_schema

    def run(self, fn: Callable[[Session], Awaitable[T]]) -> T:
        async def scenario() -> T:
            engine = make_engine(self.url, self.schema)
            try:
                async with transaction(make_session_factory(engine)) as session:
                    return await fn(session)
            finally:
                await engine.dispose()

        return asyncio.run(scenario())


async def make_project(session: Session, name: str | None = None, description: str | None = None) -> Project:
    project = Project(name=name or f"project-{secrets.token_hex(4)}", description=description)
    session.add(project)
    await session.flush()
    return project


async def make_trace(
    session: Session,
    project: Project,
    *,
    trace_id: str | None = None,
    start_time: datetime = BASE_TIME,
    end_time: datetime | None = None,
) -> Trace:
    trace = Trace(
        project_id=project.id,
        trace_id=trace_id or secrets.token_hex(16),
        start_time=start_time,
        end_time=end_time or start_time + timedelta(seconds=1),
    )
    session.add(trace)
    await session.flush()
    return trace


async def make_span(
    session: Session,
    trace: Trace,
    *,
    name: str = "span",
    span_kind: str = "CHAIN",
    parent: Span | None = None,
    span_id: str | None = None,
    start_time: datetime | None = None,
    duration: timedelta = timedelta(milliseconds=250),
    attributes: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    status_code: str = "OK",
    status_message: str = "",
    prompt_tokens: int | None = None,
    completion_tokens: int | None = None,
) -> Span:
    start = start_time or trace.start_time
    span = Span(
        trace_rowid=trace.id,
        project_id=trace.project_id,
        span_id=span_id or secrets.token_hex(8),
        parent_id=None if parent is None else parent.span_id,
        name=name,
        span_kind=span_kind,
        start_time=start,
        end_time=start + duration,
        attributes=attributes if attributes is not None else {"openinference": {"span": {"kind": span_kind}}},
        events=events or [],
        status_code=status_code,
        status_message=status_message,
        llm_token_count_prompt=prompt_tokens,
        llm_token_count_completion=completion_tokens,
        cumulative_llm_token_count_prompt=prompt_tokens or 0,
        cumulative_llm_token_count_completion=completion_tokens or 0,
    )
    session.add(span)
    await session.flush()
    return span


async def make_annotation(
    session: Session,
    span: Span,
    *,
    name: str = "quality",
    label: str | None = "good",
    score: float | None = 1.0,
    explanation: str | None = None,
    identifier: str = "",
    annotator_kind: str = "HUMAN",
) -> SpanAnnotation:
    annotation = SpanAnnotation(
        span_rowid=span.id,
        name=name,
        label=label,
        score=score,
        explanation=explanation,
        identifier=identifier,
        annotator_kind=annotator_kind,
        metadata_={},
    )
    session.add(annotation)
    await session.flush()
    return annotation


def llm_attributes(prompt: int = 12, completion: int = 8, **extra: Any) -> dict[str, Any]:
    """Nested OpenInference attributes of an LLM span, as ingest stores them."""
    return {
        "openinference": {"span": {"kind": "LLM"}},
        "llm": {
            "model_name": "gpt-test",
            "token_count": {"prompt": prompt, "completion": completion, "total": prompt + completion},
            "input_messages": [{"message": {"role": "user", "content": "hi"}}],
        },
        "input": {"value": "hello"},
        "output": {"value": "world"},
        **extra,
    }


@dataclass(frozen=True)
class LlmTrace:
    trace: Trace
    root: Span
    llm: Span


async def make_llm_trace(
    session: Session,
    project: Project,
    *,
    root_name: str = "chain",
    root_attributes: dict[str, Any] | None = None,
    delay: timedelta = timedelta(milliseconds=1),
    extra_attributes: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
) -> LlmTrace:
    """The usual instrumented call, at ``BASE_TIME``: a CHAIN root and an LLM child starting
    ``delay`` later, with ``llm_attributes`` (plus ``extra_attributes``) and 12 prompt and 8
    completion tokens."""
    trace = await make_trace(session, project)
    root = await make_span(session, trace, name=root_name, span_kind="CHAIN", attributes=root_attributes)
    llm = await make_span(
        session,
        trace,
        name="llm",
        span_kind="LLM",
        parent=root,
        start_time=BASE_TIME + delay,
        attributes=llm_attributes(**(extra_attributes or {})),
        events=events,
        prompt_tokens=12,
        completion_tokens=8,
    )
    return LlmTrace(trace, root, llm)
