"""What every in-memory cache of database state needs to stay honest.

A cache that serves database rows from memory can go wrong two ways, and both caches
(credentials in ``authentication``, the project list in ``project_directory``) guard against
them the same way:

- a load that races an invalidation must not store what it read: every invalidation bumps a
  generation counter, and a load keeps its result only if the counter did not move meanwhile;
- while this replica may be missing announcements from the others (its ``LISTEN`` connection is
  down), nothing cached may be trusted: the cache is *suspended* (every lookup reads the
  database and nothing is kept) until listening resumes.
"""

from __future__ import annotations

__all__ = ["CacheGuard"]


class CacheGuard:
    def __init__(self) -> None:
        self._generation = 0
        self._trusted = True

    @property
    def trusted(self) -> bool:
        """Whether cached entries may be served."""
        return self._trusted

    def begin_load(self) -> int:
        """Call before reading the database; pass the result to ``may_keep`` afterwards."""
        return self._generation

    def may_keep(self, started: int) -> bool:
        """Whether a load begun at ``started`` may be stored."""
        return self._trusted and started == self._generation

    def invalidated(self) -> None:
        self._generation += 1

    def suspend(self) -> None:
        self._trusted = False
        self._generation += 1

    def resume(self) -> None:
        self._trusted = True
        self._generation += 1
