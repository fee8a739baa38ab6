"""On-commit effects: what other parts of the system must learn once a transaction commits.

A service that revokes a credential or changes a project registers the consequence on the
transaction (``api_key_revoked(session, key_id)``, ...). ``db.session.transaction`` then runs the
effects as part of its commit, so no caller has to remember them:

- on PostgreSQL, each effect is sent with ``pg_notify`` inside the same transaction, so every
  replica is told at the commit itself, before anyone is answered;
- after the commit, the ``Dispatcher`` of the session factory delivers each effect to the
  in-process caches (the authenticator, the project directory).

A replica receives its own notifications too; delivering an effect twice is harmless.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = [
    "CHANNEL",
    "PROJECTS_CHANGED",
    "CacheSubscriber",
    "Dispatcher",
    "api_key_revoked",
    "notify_in_transaction",
    "projects_changed",
    "session_ended",
    "user_changed",
]

CHANNEL = "pyrewatch_credentials"
PROJECTS_CHANGED = "projects"
DISPATCHER_INFO_KEY = "pyrewatch.dispatcher"
_PENDING_INFO_KEY = "pyrewatch.pending_effects"


class CacheSubscriber(Protocol):
    """An in-memory cache that the dispatcher keeps honest."""

    def apply(self, message: str) -> None:
        """Evict whatever ``message`` names."""

    def suspend(self) -> None:
        """Stop trusting cached entries: announcements may be missed from now on."""

    def resume(self) -> None:
        """Announcements arrive again: forget everything cached, then trust the cache again."""


class Dispatcher:
    """Delivers committed effects (local or announced by another replica) to every cache."""

    def __init__(self) -> None:
        self._subscribers: list[CacheSubscriber] = []

    def subscribe(self, subscriber: CacheSubscriber) -> None:
        self._subscribers.append(subscriber)

    def deliver(self, messages: Iterable[str]) -> None:
        for message in messages:
            for subscriber in self._subscribers:
                subscriber.apply(message)

    def suspend(self) -> None:
        for subscriber in self._subscribers:
            subscriber.suspend()

    def resume(self) -> None:
        for subscriber in self._subscribers:
            subscriber.resume()


def _register(session: AsyncSession, message: str) -> None:
    pending: list[str] | None = session.info.get(_PENDING_INFO_KEY)
    if pending is None:
        # Only ``db.session.transaction`` runs effects; anywhere else they would be lost.
        raise RuntimeError("on-commit effects need a session opened by db.session.transaction")
    if message not in pending:
        pending.append(message)


def api_key_revoked(session: AsyncSession, key_id: str) -> None:
    """After commit, no cache may still accept the API key ``key_id``."""
    _register(session, f"key:{key_id}")


def user_changed(session: AsyncSession, user_id: int) -> None:
    """After commit, every cached credential of the user is forgotten (role change, deletion,
    password change, logout everywhere)."""
    _register(session, f"user:{user_id}")


def session_ended(session: AsyncSession, session_id: int) -> None:
    """After commit, no cached access token of the browser session ``session_id`` is accepted."""
    _register(session, f"session:{session_id}")


def projects_changed(session: AsyncSession) -> None:
    """After commit, every copy of the project list is dropped."""
    _register(session, PROJECTS_CHANGED)


def begin_effects(session: AsyncSession) -> None:
    session.info[_PENDING_INFO_KEY] = []


def take_effects(session: AsyncSession) -> list[str]:
    pending: list[str] = session.info.pop(_PENDING_INFO_KEY, None) or []
    return pending


async def notify_in_transaction(session: AsyncSession, messages: Iterable[str]) -> None:
    """On PostgreSQL, queue ``messages`` for every listening replica; they leave at commit."""
    for message in messages:
        await session.execute(text("SELECT pg_notify(:channel, :message)"), {"channel": CHANNEL, "message": message})


def dispatcher_of(session: AsyncSession) -> Dispatcher | None:
    dispatcher: Dispatcher | None = session.info.get(DISPATCHER_INFO_KEY)
    return dispatcher
