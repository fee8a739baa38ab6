"""On-commit effects: delivered once the transaction commits, never when it rolls back, and on
PostgreSQL announced to every listening replica by the commit itself."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import pytest

from pyrewatch.db import effects, notifications
from pyrewatch.db.effects import Dispatcher
from pyrewatch.db.engine import make_engine
from pyrewatch.db.session import make_session_factory, transaction
from pyrewatch.settings import load_settings


class _Recorder:
    def __init__(self) -> None:
        self.messages: list[str] = []
        self.events: list[str] = []

    def apply(self, message: str) -> None:
        self.messages.append(message)

    def suspend(self) -> None:
        self.events.append("suspend")

    def resume(self) -> None:
        self.events.append("resume")


async def _exercise(url: str, schema: str | None) -> tuple[list[str], list[str], bool]:
    engine = make_engine(url, schema)
    local, remote = _Recorder(), _Recorder()
    dispatcher, listener = Dispatcher(), Dispatcher()
    dispatcher.subscribe(local)
    listener.subscribe(remote)
    factory = make_session_factory(engine, dispatcher)
    listens = notifications.supports_notifications(engine)
    try:
        async with AsyncExitStack() as stack:
            if listens:
                ready = await stack.enter_async_context(notifications.listen(engine, listener))
                await asyncio.wait_for(ready.wait(), timeout=10)
            async with transaction(factory) as session:
                effects.api_key_revoked(session, "k1")
                effects.user_changed(session, 7)
                effects.user_changed(session, 7)
                assert local.messages == []
            assert local.messages == ["key:k1", "user:7"]
            with pytest.raises(ValueError):
                async with transaction(factory) as session:
                    effects.projects_changed(session)
                    raise ValueError("rolled back")
            assert local.messages == ["key:k1", "user:7"]
            refused = False
            async with factory() as session:
                try:
                    effects.session_ended(session, 1)
                except RuntimeError:
                    refused = True
            for _ in range(100):
                if len(remote.messages) >= 2 or not listens:
                    break
                await asyncio.sleep(0.01)
        return local.messages, remote.messages, refused
    finally:
        await engine.dispose()


def test_effects_run_after_commit_only(database_env: dict[str, str], dialect: str) -> None:
    settings = load_settings(database_env)
    local, remote, refused = asyncio.run(_exercise(settings.database_url, settings.database_schema))
    assert local == ["key:k1", "user:7"]
    assert refused, "an effect outside db.session.transaction must not be silently lost"
    # Other replicas hear exactly what committed (PostgreSQL); SQLite has no other replicas.
    assert remote == (["key:k1", "user:7"] if dialect == "postgresql" else [])
