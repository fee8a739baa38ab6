"""An in-memory copy of the project list, so listing projects costs no database round trip.

Listing projects is the most frequent read of automation and the Phoenix clients (every
``get_spans_dataframe`` and ``projects.list`` starts with it), while projects change rarely. The
copy is dropped whenever this process changes a project (``invalidate`` after the commit, and
``note_projects`` after ingest commits spans for project names it has not seen) and, with
PostgreSQL, when another replica announces a change. It also expires after ``ttl_seconds``, which
bounds staleness where no announcement can arrive (several processes on one SQLite file).
Deployments with more than ``max_projects`` projects are served from the database directly.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.session import SessionFactory, transaction
from pyrewatch.store import projects as store

__all__ = ["DIRECTORY_KEY", "ProjectDirectory", "ProjectSummary"]

logger = logging.getLogger(__name__)

# Where the app keeps its directory (``AppState.extras``).
DIRECTORY_KEY = "project_directory"
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
        self._generation = 0
        self._loading = asyncio.Lock()
        self._publisher: Callable[[str], Awaitable[None]] | None = None
        self._publishing: set[asyncio.Future[None]] = set()

    async def page(
        self, principal: Principal, *, limit: int, cursor: int | None, name_contains: str | None
    ) -> tuple[list[ProjectSummary], int | None] | None:
        """A page of projects, newest first, and the id that starts the next page; ``None``
        when the list is too large to keep in memory (the caller then asks the database)."""
        require(principal, Action.READ)
        rows = await self._snapshot()
        if rows is None:
            return None
        needle = name_contains.lower() if name_contains else None
        selected: list[ProjectSummary] = []
        for row in rows:
            if cursor is not None and row.id > cursor:
                continue
            if needle is not None and needle not in row.name.lower():
                continue
            selected.append(row)
            if len(selected) > limit:
                return selected[:limit], selected[limit].id
        return selected, None

    def invalidate(self) -> None:
        """Forget the copy; call after the transaction that changed a project has committed."""
        self._forget()
        if self._publisher is not None:
            task = asyncio.ensure_future(self._publisher("projects"))
            self._publishing.add(task)
            task.add_done_callback(self._published)

    def _published(self, task: asyncio.Future[None]) -> None:
        self._publishing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # Other replicas still converge when their copy expires.
            logger.warning("could not announce a project change", exc_info=task.exception())

    def note_projects(self, names: Iterable[str]) -> None:
        """After ingest committed spans for ``names``: a name not in the copy is a new project."""
        if self._rows is not None and not self._names.issuperset(names):
            self.invalidate()

    def set_publisher(self, publisher: Callable[[str], Awaitable[None]]) -> None:
        self._publisher = publisher

    def apply_remote(self) -> None:
        """Another replica changed a project."""
        self._forget()

    def _forget(self) -> None:
        self._generation += 1
        self._rows = None

    async def _snapshot(self) -> list[ProjectSummary] | None:
        if time.monotonic() < self._too_many_until:
            return None
        if self._rows is not None and time.monotonic() < self._expires:
            return self._rows
        async with self._loading:
            if self._rows is not None and time.monotonic() < self._expires:
                return self._rows
            generation = self._generation
            async with transaction(self._factory) as session:
                found = await store.list_projects_page(session, limit=self._max, cursor=None, name_contains=None)
            if len(found) > self._max:
                # Too many to keep: let the database answer, and do not try again for a while.
                self._too_many_until = time.monotonic() + TOO_MANY_RETRY_SECONDS
                return None
            rows = [ProjectSummary(id=p.id, name=p.name, description=p.description) for p in found]
            # A change that happened while loading may not be in ``rows``: serve them once, keep none.
            if generation == self._generation:
                self._rows, self._names = rows, frozenset(r.name for r in rows)
                self._expires = time.monotonic() + self._ttl
            return rows
