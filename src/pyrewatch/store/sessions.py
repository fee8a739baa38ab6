"""Browser sessions and their tokens, password-reset tokens and failed-login counters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from pyrewatch.db.models import AccessToken, AuthSession, LoginFailure, PasswordResetToken, RefreshToken
from pyrewatch.db.session import Session

__all__ = [
    "RefreshRecord",
    "clear_login_failures",
    "clear_login_failures_of_email",
    "claim_refresh_token",
    "delete_reset_token",
    "find_refresh_record",
    "find_reset_token",
    "insert_access_token",
    "insert_refresh_token",
    "insert_session",
    "lock_exhausted_login",
    "count_login_attempt",
    "replace_reset_token",
    "revoke_session",
    "revoke_session_access_tokens",
    "revoke_user_sessions",
]


@dataclass(frozen=True)
class RefreshRecord:
    session_id: int
    user_id: int
    expires_at: datetime
    used: bool
    session_revoked: bool


async def insert_session(session: Session, *, user_id: int, client_ip: str | None, user_agent: str | None) -> int:
    row = AuthSession(user_id=user_id, client_ip=client_ip, user_agent=(user_agent or "")[:512] or None)
    session.add(row)
    await session.flush()
    return row.id


async def insert_access_token(session: Session, *, jti: str, session_id: int, expires_at: datetime) -> None:
    session.add(AccessToken(id=jti, session_id=session_id, expires_at=expires_at))
    await session.flush()


async def insert_refresh_token(session: Session, *, jti: str, session_id: int, expires_at: datetime) -> None:
    session.add(RefreshToken(id=jti, session_id=session_id, expires_at=expires_at))
    await session.flush()


async def find_refresh_record(session: Session, jti: str) -> RefreshRecord | None:
    stmt = (
        select(
            RefreshToken.session_id,
            AuthSession.user_id,
            RefreshToken.expires_at,
            RefreshToken.used_at,
            AuthSession.revoked_at,
        )
        .join(AuthSession, AuthSession.id == RefreshToken.session_id)
        .where(RefreshToken.id == jti)
    )
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        return None
    session_id, user_id, expires_at, used_at, revoked_at = row
    return RefreshRecord(session_id, user_id, expires_at, used_at is not None, revoked_at is not None)


async def claim_refresh_token(session: Session, jti: str, at: datetime) -> bool:
    """Mark a refresh token used; ``False`` when it already was (a concurrent or replayed use)."""
    result = await session.execute(
        update(RefreshToken).where(RefreshToken.id == jti, RefreshToken.used_at.is_(None)).values(used_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def revoke_session_access_tokens(session: Session, session_id: int, at: datetime) -> None:
    await session.execute(
        update(AccessToken)
        .where(AccessToken.session_id == session_id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=at)
    )


async def revoke_session(session: Session, session_id: int, at: datetime) -> None:
    await session.execute(
        update(AuthSession).where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None)).values(revoked_at=at)
    )


async def revoke_user_sessions(session: Session, user_id: int, at: datetime) -> list[int]:
    """Revoke every live session of a user; return their ids."""
    stmt = (
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=at)
        .returning(AuthSession.id)
    )
    return list((await session.execute(stmt)).scalars())


# -- password reset ------------------------------------------------------------------------------


async def replace_reset_token(session: Session, *, jti: str, user_id: int, expires_at: datetime) -> None:
    """Store the user's one outstanding reset token, superseding any earlier one."""
    await session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user_id))
    session.add(PasswordResetToken(id=jti, user_id=user_id, expires_at=expires_at))
    await session.flush()


async def find_reset_token(session: Session, jti: str) -> PasswordResetToken | None:
    return await session.get(PasswordResetToken, jti)


async def delete_reset_token(session: Session, jti: str) -> bool:
    result = await session.execute(delete(PasswordResetToken).where(PasswordResetToken.id == jti))
    return bool(result.rowcount)  # type: ignore[attr-defined]


# -- failed logins -------------------------------------------------------------------------------


async def count_login_attempt(
    session: Session, *, email: str, client_ip: str, now: datetime
) -> tuple[int, datetime | None]:
    """Count one login attempt for (email, IP) in one atomic statement, before its password is
    checked; return the attempts counted so far and the lock, if any.

    A lock that has expired starts a new count. A successful login deletes the row.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = LoginFailure.__table__
    expired = (table.c.locked_until.is_not(None)) & (table.c.locked_until <= now)
    stmt = insert(LoginFailure).values(email=email, client_ip=client_ip, failures=1, locked_until=None, updated_at=now)
    upsert = stmt.on_conflict_do_update(
        index_elements=["email", "client_ip"],
        set_={
            "failures": case((expired, 1), else_=table.c.failures + 1),
            "locked_until": case((expired, None), else_=table.c.locked_until),
            "updated_at": now,
        },
    ).returning(LoginFailure.failures, LoginFailure.locked_until)
    attempts, locked_until = (await session.execute(upsert)).one()
    return int(attempts), locked_until


async def lock_exhausted_login(
    session: Session, *, email: str, client_ip: str, until: datetime, max_attempts: int
) -> None:
    """After a failed attempt: lock the pair once ``max_attempts`` attempts have been counted."""
    await session.execute(
        update(LoginFailure)
        .where(
            LoginFailure.email == email,
            LoginFailure.client_ip == client_ip,
            LoginFailure.failures >= max_attempts,
            LoginFailure.locked_until.is_(None),
        )
        .values(locked_until=until)
    )


async def clear_login_failures(session: Session, email: str, client_ip: str) -> None:
    await session.execute(delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.client_ip == client_ip))


async def clear_login_failures_of_email(session: Session, email: str) -> None:
    await session.execute(delete(LoginFailure).where(LoginFailure.email == email))
