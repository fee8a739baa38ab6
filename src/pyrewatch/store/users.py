"""Users."""

from __future__ import annotations

from sqlalchemy import func, select

from pyrewatch.db.models import User
from pyrewatch.db.session import Session
from pyrewatch.errors import NotFound

__all__ = [
    "count_users_with_role",
    "find_user",
    "find_user_by_email",
    "find_user_by_username",
    "first_user_with_role",
    "get_user",
    "insert_user",
]


async def find_user(session: Session, user_id: int) -> User | None:
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


async def insert_user(
    session: Session,
    *,
    username: str,
    email: str,
    role: str,
    password_hash: str | None,
    reset_password: bool,
) -> User:
    user = User(
        username=username,
        email=email.strip().lower(),
        role=role,
        auth_method="LOCAL",
        password_hash=password_hash,
        reset_password=reset_password,
    )
    session.add(user)
    await session.flush()
    return user
