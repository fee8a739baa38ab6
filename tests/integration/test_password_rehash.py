"""A password hash made with weaker Argon2 parameters is upgraded at the next login."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from sqlalchemy import text

from pyrewatch.db.engine import make_engine
from pyrewatch.settings import load_settings
from tests.conftest import ClientFactory
from tests.support.logins import IDENTITY_ENV, create_user, login


def _run_sql(database_env: dict[str, str], statement: str, **params: str) -> list[str]:
    settings = load_settings(database_env)

    async def run() -> list[str]:
        engine = make_engine(settings.database_url, settings.database_schema)
        try:
            async with engine.begin() as conn:
                result = await conn.execute(text(statement), params)
                return [str(r[0]) for r in result] if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_weak_hash_is_rehashed_on_login(make_client: ClientFactory, database_env: dict[str, str]) -> None:
    client = make_client(IDENTITY_ENV)
    create_user(client, "old@example.com", "MEMBER")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("legacy-pass")
    _run_sql(database_env, "UPDATE users SET password_hash = :h WHERE email = 'old@example.com'", h=weak)
    login(client, "old@example.com", "legacy-pass")
    (stored,) = _run_sql(database_env, "SELECT password_hash FROM users WHERE email = 'old@example.com'")
    assert stored != weak
    assert stored.startswith("$argon2id$") and "m=8192" not in stored
    login(client, "old@example.com", "legacy-pass")
