"""Turn a unique-constraint race into a domain ``Conflict`` instead of a server error."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from pyrewatch.db.session import Session
from pyrewatch.errors import Conflict

__all__ = ["flush_or_conflict"]


async def flush_or_conflict(session: Session, message: str) -> None:
    """Flush pending rows; a concurrent insert that won a unique constraint is a ``Conflict``."""
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(message) from exc
