"""An in-memory copy of the project list, so listing projects costs no database round trip.

Listing projects is the most frequent read of automation and the Phoenix clients (every
``get_spans_dataframe`` and ``projects.list`` starts with it), while projects change rarely. The
copy is dropped whenever a transaction that changed a project commits, on this replica or, with
PostgreSQL, on another (the ``projects_changed`` effect of ``db.effects``, delivered by the
dispatcher), and when ingest commits spans for project names it has not seen
(``note_projects``). It also expires after ``ttl_seconds``, which bounds staleness where no
announcement can arrive (several processes on one SQLite file). While announcements may be
missed, the copy is not used.
Deployments with more than ``max_projects`` projects are served from the database directly.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from pyrewatch.auth.policy import Action, require, visible_projects
from pyrewatch.auth.principal import Principal
from pyrewatch.db import effects
from pyrewatch.db.session import SessionFactory, transaction
from pyrewatch.services import projects
from pyrewatch.services.cache_guard import CacheGuard
from pyrewatch.store import projects as store

__all__ = ["ProjectDirectory", "ProjectSummary"]

logger = logging.getLogger(__name__)

TOO_MANY_RETRY_SECONDS = 60.0


@dataclass(frozen=True)
class ProjectSummary:
    id: int
    name: str
    description: str | None


class ProjectDirectory:
    def __init__(self, factory: SessionFactory, *, ttl_seconds: float = 2.0, max_projects: int = 10_000) -> None:
        self._factory = factory
        self._ttl = ttl_seconds
        self._max = max_projects
        self._rows: list[ProjectSummary] | None = None
        self._names: frozenset[str] = frozenset()
        self._expires = 0.0
        self._too_many_until = 0.0
        self._guard = CacheGuard()
        self._loading = asyncio.Lock()
        self._announcing: set[asyncio.Task[None]] = set()

    async def page(
        self, principal: Principal, *, limit: int, cursor: int | None, name_contains: str | None
    ) -> tuple[list[ProjectSummary], int | None]:
        """A page of projects, newest first, and the id that starts the next page: from memory,
        or from the database when the copy cannot be used (too many projects, or announcements
        from other replicas may be missed). A page from memory opens no transaction at all."""
        require(principal, Action.READ)
        rows = await self._snapshot()
        if rows is None:
            async with transaction(self._factory) as session:
                found, next_id = await projects.list_projects(
                    session, principal, limit=limit, cursor=cursor, name_contains=name_contains
                )
            return [ProjectSummary(id=p.id, name=p.name, description=p.description) for p in found], next_id
        needle = name_contains.lower() if name_contains else None
        visible = visible_projects(principal)
        selected: list[ProjectSummary] = []
        for row in rows:
            if (cursor is not None and row.id > cursor) or (visible is not None and row.name not in visible):
                continue
            if needle is not None and needle not in row.name.lower():
                continue
            selected.append(row)
            if len(selected) > limit:
                return selected[:limit], selected[limit].id
        return selected, None

    def note_projects(self, names: Iterable[str]) -> None:
        """After ingest committed spans for ``names``: a name not in the copy is a new project."""
        if self._rows is not None and not self._names.issuperset(names):
            self._forget()
            task = asyncio.get_running_loop().create_task(self._announce())
            self._announcing.add(task)
            task.add_done_callback(self._announcing.discard)

    async def _announce(self) -> None:
        """Tell the other replicas through an otherwise empty transaction."""
        try:
            async with transaction(self._factory) as session:
                effects.projects_changed(session)
        except Exception:
            # Other replicas still converge when their copy expires.
            logger.warning("could not announce a new project", exc_info=True)

    # -- the dispatcher's calls (see db.effects) -------------------------------------------------

    def apply(self, message: str) -> None:
        if not message.startswith(("key:", "user:", "session:")):
            self._forget()

    def suspend(self) -> None:
        self._guard.suspend()
        self._rows = None

    def resume(self) -> None:
        self._rows = None
        self._guard.resume()

    def _forget(self) -> None:
        self._guard.invalidated()
        self._rows = None

    async def _snapshot(self) -> list[ProjectSummary] | None:
        if not self._guard.trusted or time.monotonic() < self._too_many_until:
            return None
        if self._rows is not None and time.monotonic() < self._expires:
            return self._rows
        async with self._loading:
            if self._rows is not None and time.monotonic() < self._expires:
                return self._rows
            started = self._guard.begin_load()
            async with transaction(self._factory) as session:
                found = await store.list_projects_page(session, limit=self._max, cursor=None, name_contains=None)
            if len(found) > self._max:
                # Too many to keep: let the database answer, and do not try again for a while.
                self._too_many_until = time.monotonic() + TOO_MANY_RETRY_SECONDS
                return None
            rows = [ProjectSummary(id=p.id, name=p.name, description=p.description) for p in found]
            # A change that happened while loading may not be in ``rows``: serve them once, keep none.
            if self._guard.may_keep(started):
                self._rows, self._names = rows, frozenset(r.name for r in rows)
                self._expires = time.monotonic() + self._ttl
            return rows
