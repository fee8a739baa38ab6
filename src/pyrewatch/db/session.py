"""Sessions: one per request or job, committed or rolled back only by ``transaction``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pyrewatch.db import effects
from pyrewatch.db.effects import Dispatcher

Session = AsyncSession
SessionFactory = async_sessionmaker[AsyncSession]


def make_session_factory(engine: AsyncEngine, dispatcher: Dispatcher | None = None) -> SessionFactory:
    """Sessions bound to ``engine``; ``dispatcher`` receives the effects of every commit."""
    return async_sessionmaker(
        engine, expire_on_commit=False, info={effects.DISPATCHER_INFO_KEY: dispatcher or Dispatcher()}
    )


@asynccontextmanager
async def transaction(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """Open a session, commit when the block succeeds, roll back when it raises.

    Effects registered during the block (``db.effects``) are announced to other replicas inside
    the transaction (PostgreSQL) and delivered to this process's caches right after the commit.
    """
    async with factory() as session:
        async with session.begin():
            effects.begin_effects(session)
            yield session
            pending = effects.take_effects(session)
            if pending and session.get_bind().dialect.name == "postgresql":
                await effects.notify_in_transaction(session, pending)
        dispatcher = effects.dispatcher_of(session)
        if pending and dispatcher is not None:
            dispatcher.deliver(pending)
