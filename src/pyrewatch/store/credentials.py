"""Lookups behind authentication: one query per credential, joined to the owner's current role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from pyrewatch.db.models import AccessToken, ApiKey, AuthSession, User
from pyrewatch.db.session import Session

__all__ = ["AccessTokenRecord", "ApiKeyRecord", "find_access_token_record", "find_api_key_record"]


@dataclass(frozen=True)
class ApiKeyRecord:
    row_id: int
    kind: str
    secret_digest: str
    user_id: int
    role: str
    expires_at: datetime | None
    revoked_at: datetime | None
    scopes: frozenset[str] | None = None
    projects: frozenset[str] | None = None
    replaced_by_id: int | None = None
    # When the key that replaced this one in a rotation last authenticated a request.
    replacement_used_at: datetime | None = None


@dataclass(frozen=True)
class AccessTokenRecord:
    session_id: int
    user_id: int
    role: str
    reset_password: bool
    expires_at: datetime
    revoked: bool


async def find_api_key_record(session: Session, key_id: str) -> ApiKeyRecord | None:
    replacement = aliased(ApiKey)
    stmt = (
        select(
            ApiKey.id,
            ApiKey.kind,
            ApiKey.secret_digest,
            ApiKey.user_id,
            User.role,
            ApiKey.expires_at,
            ApiKey.revoked_at,
            ApiKey.scopes,
            ApiKey.projects,
            ApiKey.replaced_by_id,
            replacement.last_used_at,
        )
        .join(User, User.id == ApiKey.user_id)
        .outerjoin(replacement, replacement.id == ApiKey.replaced_by_id)
        .where(ApiKey.key_id == key_id)
    )
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        return None
    row_id, kind, digest, user_id, role, expires_at, revoked_at, scopes, projects, replaced_by_id, used_at = row
    return ApiKeyRecord(
        row_id=row_id,
        kind=kind,
        secret_digest=digest,
        user_id=user_id,
        role=role,
        expires_at=expires_at,
        revoked_at=revoked_at,
        scopes=_names(scopes, "scopes"),
        projects=_names(projects, "names"),
        replaced_by_id=replaced_by_id,
        replacement_used_at=used_at,
    )


def _names(document: dict[str, Any] | None, field: str) -> frozenset[str] | None:
    """The list under ``field`` of a stored JSON document, or ``None`` when there is none."""
    if document is None or not isinstance(document.get(field), list):
        return None
    return frozenset(str(name) for name in document[field])


async def find_access_token_record(session: Session, jti: str) -> AccessTokenRecord | None:
    stmt = (
        select(
            AccessToken.session_id,
            AuthSession.user_id,
            User.role,
            User.reset_password,
            AccessToken.expires_at,
            AccessToken.revoked_at,
            AuthSession.revoked_at,
        )
        .join(AuthSession, AuthSession.id == AccessToken.session_id)
        .join(User, User.id == AuthSession.user_id)
        .where(AccessToken.id == jti)
    )
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        return None
    session_id, user_id, role, reset_password, expires_at, token_revoked, session_revoked = row
    return AccessTokenRecord(
        session_id=session_id,
        user_id=user_id,
        role=role,
        reset_password=reset_password,
        expires_at=expires_at,
        revoked=token_revoked is not None or session_revoked is not None,
    )
