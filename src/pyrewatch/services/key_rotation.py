"""Key rotation: a new key with the old one's name, scopes, projects and owner; the old key keeps
working for a grace period, then it is refused as expired.

A system key is rotated by whoever may mint system keys; a user key by a person with a session
who may revoke it (its owner, or an admin). Using the old key after the new one has been used is
flagged in the audit log by the authenticator (``api_key.superseded_use``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pyrewatch.auth.api_keys import KeyKind
from pyrewatch.auth.policy import Action, Denial, NotAllowed, decide, require
from pyrewatch.auth.principal import Principal
from pyrewatch.clock import now_utc
from pyrewatch.db import effects
from pyrewatch.db.models import ApiKey
from pyrewatch.db.session import Session
from pyrewatch.errors import InvalidInput, NotFound
from pyrewatch.services import audit
from pyrewatch.services.api_keys import KeyInput, MintedKey, mint_key, view_of
from pyrewatch.store import api_keys as store

__all__ = ["DEFAULT_GRACE_SECONDS", "MAX_GRACE_SECONDS", "rotate_system_key", "rotate_user_key"]

DEFAULT_GRACE_SECONDS = 86_400
MAX_GRACE_SECONDS = 30 * 86_400


async def rotate_system_key(
    session: Session,
    principal: Principal,
    row_id: int,
    *,
    grace_seconds: int = DEFAULT_GRACE_SECONDS,
    now: datetime | None = None,
) -> MintedKey:
    """Replace a system key.

    Raises:
        NotAllowed: the caller may not mint system keys.
        NotFound: no live system key has that id.
        InvalidInput: a grace period out of range, or a key that has already expired.
    """
    require(principal, Action.CREATE_SYSTEM_KEY)
    require(principal, Action.REVOKE_SYSTEM_KEY)
    _check_grace(grace_seconds)
    row = await store.find_api_key(session, row_id, KeyKind.SYSTEM)
    if row is None:
        raise NotFound("System API key not found")
    return await _rotate(session, principal, row, grace_seconds, now or now_utc())


async def rotate_user_key(
    session: Session,
    principal: Principal,
    row_id: int,
    *,
    grace_seconds: int = DEFAULT_GRACE_SECONDS,
    now: datetime | None = None,
) -> MintedKey:
    """Replace a user key (the owner's own, or anyone's for an admin); the new key has the same
    owner.

    Raises:
        NotAllowed: the caller has no session (keys do not mint keys) or may not revoke user keys.
        NotFound: missing, revoked, a system key, or someone else's: all look the same.
        InvalidInput: a grace period out of range, or a key that has already expired.
    """
    require(principal, Action.CREATE_USER_KEY)
    denial = decide(principal, Action.REVOKE_USER_KEY, owner_id=principal.user_id)
    if denial is not None:
        raise NotAllowed(denial)
    _check_grace(grace_seconds)
    row = await store.find_api_key(session, row_id, KeyKind.USER)
    if row is None or decide(principal, Action.REVOKE_USER_KEY, owner_id=row.user_id) is not None:
        raise NotFound(Denial.KEY_NOT_FOUND.rest_message)
    return await _rotate(session, principal, row, grace_seconds, now or now_utc())


def _check_grace(grace_seconds: int) -> None:
    if not 0 <= grace_seconds <= MAX_GRACE_SECONDS:
        raise InvalidInput(f"grace_seconds must be between 0 and {MAX_GRACE_SECONDS}")


async def _rotate(session: Session, principal: Principal, row: ApiKey, grace_seconds: int, now: datetime) -> MintedKey:
    if row.expires_at is not None and row.expires_at <= now:
        raise InvalidInput("An expired API key cannot be rotated")
    view = view_of(row)
    data = KeyInput(
        name=view.name,
        description=view.description,
        expires_at=view.expires_at,
        scopes=view.scopes,
        projects=view.projects,
    )
    minted = await mint_key(session, principal, KeyKind(row.kind), row.user_id, data)
    grace_end = now + timedelta(seconds=grace_seconds)
    row.expires_at = grace_end if row.expires_at is None else min(row.expires_at, grace_end)
    row.replaced_by_id = minted.key.id
    await session.flush()
    effects.api_key_revoked(session, row.key_id)  # evict the cached record: its expiry changed
    await audit.record(
        session,
        principal,
        "api_key.rotate",
        target_type=f"{row.kind}_API_KEY",
        target_id=row.id,
        details={
            "name": row.name,
            "key_id": row.key_id,
            "new_id": minted.key.id,
            "new_key_id": minted.key.key_id,
            "grace_seconds": grace_seconds,
        },
    )
    return minted
