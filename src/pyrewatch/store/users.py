"""Users."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select

from pyrewatch.db.models import User
from pyrewatch.db.session import Session
from pyrewatch.errors import NotFound
from pyrewatch.ids import MAX_ROW_ID

__all__ = [
    "list_provisioned_users",
    "count_users_with_role",
    "delete_users",
    "list_users_by_email",
    "list_users_page",
    "users_by_ids",
    "find_user",
    "find_user_by_email",
    "find_user_by_username",
    "first_user_with_role",
    "get_user",
    "insert_user",
]


async def find_user(session: Session, user_id: int) -> User | None:
    if not 0 < user_id <= MAX_ROW_ID:
        return None
    return await session.get(User, user_id)


async def get_user(session: Session, user_id: int) -> User:
    user = await find_user(session, user_id)
    if user is None:
        raise NotFound("User not found")
    return user


async def find_user_by_email(session: Session, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == email.strip().lower()))
    return result.scalar_one_or_none()


async def find_user_by_username(session: Session, username: str) -> User | None:
    result = await session.execute(select(User).where(User.username == username))
    return result.scalar_one_or_none()


async def count_users_with_role(session: Session, role: str) -> int:
    result = await session.execute(select(func.count()).select_from(User).where(User.role == role))
    return int(result.scalar_one())


async def first_user_with_role(session: Session, role: str) -> User | None:
    result = await session.execute(select(User).where(User.role == role).order_by(User.id).limit(1))
    return result.scalar_one_or_none()


async def insert_user(session: Session, user: User) -> User:
    """Insert ``user`` (emails are stored trimmed and lower-cased) and return it with its id."""
    user.email = user.email.strip().lower()
    session.add(user)
    await session.flush()
    return user


async def list_users_page(session: Session, *, limit: int, cursor: int | None) -> list[User]:
    """Up to ``limit + 1`` users by id descending from ``cursor`` (inclusive)."""
    stmt = select(User).order_by(User.id.desc()).limit(limit + 1)
    if cursor is not None:
        stmt = stmt.where(User.id <= min(cursor, MAX_ROW_ID))
    return list((await session.execute(stmt)).scalars())


async def list_users_by_email(session: Session, *, exclude_role: str) -> list[User]:
    stmt = select(User).where(User.role != exclude_role).order_by(User.email)
    return list((await session.execute(stmt)).scalars())


async def users_by_ids(session: Session, user_ids: Sequence[int]) -> list[User]:
    wanted = [i for i in user_ids if 0 < i <= MAX_ROW_ID]
    stmt = select(User).where(User.id.in_(wanted)).order_by(User.id)
    return list((await session.execute(stmt)).scalars())


async def delete_users(session: Session, user_ids: Sequence[int]) -> None:
    """Delete users; the database cascades to their sessions, tokens and keys."""
    await session.execute(delete(User).where(User.id.in_(list(user_ids))))


async def list_provisioned_users(session: Session) -> list[User]:
    """Users a provisioning file manages, oldest first."""
    return list((await session.execute(select(User).where(User.provisioned.is_(True)).order_by(User.id))).scalars())
