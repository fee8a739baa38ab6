"""API keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from pyrewatch.db.models import ApiKey, User
from pyrewatch.db.session import Session
from pyrewatch.ids import MAX_ROW_ID

__all__ = [
    "PROVISIONED_VIA",
    "find_api_key",
    "find_api_key_by_key_id",
    "insert_api_key",
    "list_api_keys",
    "list_provisioned_api_keys",
    "list_user_api_keys_of",
    "list_user_api_keys_page",
    "revoke_api_key",
    "revoke_user_api_keys",
    "touch_last_used",
]


async def insert_api_key(session: Session, key: ApiKey) -> ApiKey:
    session.add(key)
    await session.flush()
    return key


# ``created_via`` of the keys a provisioning file manages.
PROVISIONED_VIA = "PROVISIONING"


async def find_api_key_by_key_id(session: Session, key_id: str) -> ApiKey | None:
    """A key by its public key id, revoked or not."""
    return (await session.execute(select(ApiKey).where(ApiKey.key_id == key_id))).scalar_one_or_none()


async def list_provisioned_api_keys(session: Session) -> list[ApiKey]:
    """Live keys a provisioning file manages, oldest first."""
    stmt = select(ApiKey).where(ApiKey.created_via == PROVISIONED_VIA, ApiKey.revoked_at.is_(None))
    return list((await session.execute(stmt.order_by(ApiKey.id))).scalars())


async def find_api_key(session: Session, row_id: int, kind: str) -> ApiKey | None:
    """A live (not revoked) key of ``kind`` by row id."""
    if not 0 < row_id <= MAX_ROW_ID:
        return None
    stmt = select(ApiKey).where(ApiKey.id == row_id, ApiKey.kind == kind, ApiKey.revoked_at.is_(None))
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_api_keys(session: Session, *, kind: str, user_id: int | None = None) -> list[ApiKey]:
    """Live keys of ``kind`` (optionally of one owner), newest first."""
    stmt = select(ApiKey).where(ApiKey.kind == kind, ApiKey.revoked_at.is_(None))
    if user_id is not None:
        stmt = stmt.where(ApiKey.user_id == user_id)
    return list((await session.execute(stmt.order_by(ApiKey.id.desc()))).scalars())


async def list_user_api_keys_of(session: Session, user_ids: Sequence[int]) -> list[ApiKey]:
    """Live user keys of any of ``user_ids``, newest first (one query for many owners)."""
    wanted = [i for i in user_ids if 0 < i <= MAX_ROW_ID]
    stmt = select(ApiKey).where(ApiKey.kind == "USER", ApiKey.revoked_at.is_(None), ApiKey.user_id.in_(wanted))
    return list((await session.execute(stmt.order_by(ApiKey.id.desc()))).scalars())


async def list_user_api_keys_page(session: Session, *, limit: int, cursor: int | None) -> list[tuple[ApiKey, User]]:
    """Up to ``limit + 1`` live user keys with their owners, by id descending from ``cursor``
    (inclusive): the extra row, if any, starts the next page."""
    stmt = (
        select(ApiKey, User)
        .join(User, User.id == ApiKey.user_id)
        .where(ApiKey.kind == "USER", ApiKey.revoked_at.is_(None))
        .order_by(ApiKey.id.desc())
        .limit(limit + 1)
    )
    if cursor is not None:
        stmt = stmt.where(ApiKey.id <= min(cursor, MAX_ROW_ID))
    return [(key, user) for key, user in (await session.execute(stmt)).all()]


async def revoke_api_key(session: Session, key: ApiKey, at: datetime) -> None:
    key.revoked_at = at
    await session.flush()


async def revoke_user_api_keys(session: Session, user_id: int, at: datetime) -> list[str]:
    """Revoke every live key owned by ``user_id``; return their public key ids."""
    stmt = (
        update(ApiKey)
        .where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=at)
        .returning(ApiKey.key_id)
    )
    return list((await session.execute(stmt)).scalars())


async def touch_last_used(session: Session, usage: dict[int, datetime]) -> None:
    """Write coalesced ``last_used_at`` values (never moving a timestamp backwards)."""
    for row_id, at in usage.items():
        await session.execute(
            update(ApiKey)
            .where(ApiKey.id == row_id)
            .where((ApiKey.last_used_at.is_(None)) | (ApiKey.last_used_at < at))
            .values(last_used_at=at)
        )
