"""Retention policies and the sweep that enforces them.

A project's policy is its own (set by an administrator) or the server default. A sweep deletes,
project by project, whole traces that started more than ``max_age_days`` ago, then the oldest
traces until at most ``max_spans`` spans remain; spans, annotations and sessions left without
traces go with them. Every batch is its own short transaction of at most ``batch_size`` traces,
so ingest waits at most one batch for the database.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.models import ProjectRetentionPolicy
from pyrewatch.db.session import Session, SessionFactory, transaction
from pyrewatch.errors import InvalidInput
from pyrewatch.services.projects import resolve_project
from pyrewatch.store import retention as store

__all__ = [
    "MAX_DAYS",
    "EffectivePolicy",
    "RetentionDefaults",
    "SweepLimits",
    "SweepReport",
    "clear_policy",
    "get_policy",
    "set_policy",
    "sweep",
    "sweep_now",
]

MAX_DAYS = 100_000
MAX_SPANS = 2**31 - 1


@dataclass(frozen=True)
class RetentionDefaults:
    """The policy of projects without their own (None: no bound)."""

    max_age_days: int | None = None
    max_spans: int | None = None


@dataclass(frozen=True)
class EffectivePolicy:
    max_age_days: int | None
    max_spans: int | None
    is_default: bool  # the project follows the server default


@dataclass(frozen=True)
class SweepLimits:
    batch_size: int = 500  # traces per transaction
    max_batches: int = 1_000  # per project and sweep; the next sweep continues
    pause_seconds: float = 0.0  # between batches, to let other writers in


@dataclass
class SweepReport:
    traces_deleted: int = 0
    sessions_deleted: int = 0


def _effective(row: ProjectRetentionPolicy | None, defaults: RetentionDefaults) -> EffectivePolicy:
    if row is None:
        return EffectivePolicy(defaults.max_age_days, defaults.max_spans, True)
    return EffectivePolicy(row.max_age_days, row.max_spans, False)


async def get_policy(
    session: Session, principal: Principal, project_identifier: str, defaults: RetentionDefaults
) -> EffectivePolicy:
    require(principal, Action.READ)
    project = await resolve_project(session, project_identifier, principal)
    return _effective(await store.find_policy(session, project.id), defaults)


async def set_policy(
    session: Session,
    principal: Principal,
    project_identifier: str,
    max_age_days: int | None,
    max_spans: int | None,
) -> EffectivePolicy:
    """Give a project its own policy (both None: keep everything, whatever the default).

    Raises:
        InvalidInput: a bound below 1 or absurdly large.
    """
    require(principal, Action.ADMIN_WRITE)
    if max_age_days is not None and not 1 <= max_age_days <= MAX_DAYS:
        raise InvalidInput(f"max_age_days must be between 1 and {MAX_DAYS}")
    if max_spans is not None and not 1 <= max_spans <= MAX_SPANS:
        raise InvalidInput(f"max_spans must be between 1 and {MAX_SPANS}")
    project = await resolve_project(session, project_identifier, principal)
    row = await store.upsert_policy(session, project.id, max_age_days, max_spans)
    return _effective(row, RetentionDefaults())


async def clear_policy(
    session: Session, principal: Principal, project_identifier: str, defaults: RetentionDefaults
) -> EffectivePolicy:
    """Make a project follow the server default again."""
    require(principal, Action.ADMIN_WRITE)
    project = await resolve_project(session, project_identifier, principal)
    await store.delete_policy(session, project.id)
    return _effective(None, defaults)


async def _batches(
    factory: SessionFactory, project_id: int, policy: EffectivePolicy, now: datetime, limits: SweepLimits
) -> int:
    deleted = 0
    for _ in range(limits.max_batches):
        async with transaction(factory) as session:
            rowids: list[int] = []
            if policy.max_age_days is not None:
                cutoff = now - timedelta(days=policy.max_age_days)
                rowids = await store.traces_started_before(session, project_id, cutoff, limits.batch_size)
            if not rowids and policy.max_spans is not None:
                rowids = await _over_count(session, project_id, policy.max_spans, limits.batch_size)
            await store.delete_traces(session, rowids)
        deleted += len(rowids)
        if not rowids:
            break
        await asyncio.sleep(limits.pause_seconds)
    return deleted


async def _over_count(session: Session, project_id: int, max_spans: int, batch_size: int) -> list[int]:
    """The oldest traces to delete (at most a batch) so the project holds at most ``max_spans``."""
    excess = await store.count_spans(session, project_id) - max_spans
    rowids: list[int] = []
    for rowid, spans in await store.oldest_traces(session, project_id, batch_size) if excess > 0 else []:
        if excess <= 0:
            break
        rowids.append(rowid)
        excess -= spans
    return rowids


async def sweep(
    factory: SessionFactory, defaults: RetentionDefaults, now: datetime, limits: SweepLimits = SweepLimits()
) -> SweepReport:
    """Enforce every project's policy once (the server's own job; no principal)."""
    async with transaction(factory) as session:
        project_ids = await store.project_ids(session)
        own = await store.policies(session)
    report = SweepReport()
    for project_id in project_ids:
        policy = _effective(own.get(project_id), defaults)
        if policy.max_age_days is None and policy.max_spans is None:
            continue
        report.traces_deleted += await _batches(factory, project_id, policy, now, limits)
        async with transaction(factory) as session:
            report.sessions_deleted += await store.delete_empty_sessions(session, project_id)
    return report


async def sweep_now(
    factory: SessionFactory, principal: Principal, defaults: RetentionDefaults, now: datetime
) -> SweepReport:
    """An administrator's request to enforce the policies at once."""
    require(principal, Action.ADMIN_WRITE)
    return await sweep(factory, defaults, now)
