"""Cross-replica locks for start-up work."""

from __future__ import annotations

from sqlalchemy import text

from pyrewatch.db.session import Session

__all__ = ["lock_startup"]

_STARTUP_LOCK_ID = 0x5059_5258


async def lock_startup(session: Session) -> None:
    """Serialize start-up provisioning across replicas (PostgreSQL); SQLite's writer lock suffices."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _STARTUP_LOCK_ID})
    else:
        # Take SQLite's write lock now, so two processes starting together run one after the other.
        await session.execute(text("UPDATE users SET id = id WHERE 0"))
