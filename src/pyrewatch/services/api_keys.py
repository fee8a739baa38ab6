"""API keys: mint (the secret is shown once), list and revoke.

Rules, guard by guard, come from ``auth.policy``; this module adds the input rules (a non-empty
name, an expiry in the future) and makes revocation non-enumerating.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pyrewatch.auth import api_keys as key_format
from pyrewatch.auth.api_keys import KeyKind
from pyrewatch.auth.policy import Action, Denial, NotAllowed, decide, require
from pyrewatch.auth.principal import Principal, Via
from pyrewatch.clock import ensure_utc, now_utc
from pyrewatch.db import effects
from pyrewatch.db.models import ApiKey, User
from pyrewatch.db.session import Session
from pyrewatch.errors import InvalidInput, NotFound, Unauthenticated
from pyrewatch.services import audit
from pyrewatch.services import key_bindings as bindings
from pyrewatch.store import api_keys as store
from pyrewatch.store import users as user_store

__all__ = [
    "KeyInput",
    "KeyOwner",
    "KeyView",
    "MintedKey",
    "create_system_key",
    "create_user_key",
    "list_all_user_keys",
    "list_keys_of_user",
    "list_keys_of_users",
    "list_own_keys",
    "list_system_keys",
    "revoke_system_key",
    "revoke_user_key",
    "mint_key",
    "validate_key_input",
    "view_of",
]

MAX_NAME_LENGTH = 255
MAX_DESCRIPTION_LENGTH = 2000


@dataclass(frozen=True)
class KeyInput:
    name: str
    description: str | None = None
    expires_at: datetime | None = None
    # Narrow the key: scopes among "ingest" and "read" (None: the owner's full role), and the
    # projects (names or Project GlobalIDs) it is bound to (None: every project).
    scopes: Sequence[str] | None = None
    projects: Sequence[str] | None = None


@dataclass(frozen=True)
class KeyOwner:
    id: int
    username: str
    email: str


@dataclass(frozen=True)
class KeyView:
    id: int
    key_id: str
    kind: KeyKind
    name: str
    description: str | None
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    user_id: int
    created_by_user_id: int | None
    created_via: str
    owner: KeyOwner | None = None
    scopes: tuple[str, ...] | None = None
    projects: tuple[str, ...] | None = None


@dataclass(frozen=True)
class MintedKey:
    key: KeyView
    token: str  # shown exactly once


def view_of(row: ApiKey, owner: User | None = None) -> KeyView:
    return KeyView(
        id=row.id,
        key_id=row.key_id,
        kind=KeyKind(row.kind),
        name=row.name,
        description=row.description,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        user_id=row.user_id,
        created_by_user_id=row.created_by_user_id,
        created_via=row.created_via,
        owner=None if owner is None else KeyOwner(id=owner.id, username=owner.username, email=owner.email),
        scopes=bindings.stored_list(row.scopes, "scopes"),
        projects=bindings.stored_list(row.projects, "names"),
    )


def validate_key_input(data: KeyInput, now: datetime | None = None) -> KeyInput:
    """Trim the name and refuse what would make a useless key.

    Raises:
        InvalidInput: empty name, over-long fields, NUL characters, or an expiry that is not in
            the future or not representable in UTC.
    """
    name = data.name.strip()
    if not name:
        raise InvalidInput("Name cannot be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"Name must be at most {MAX_NAME_LENGTH} characters")
    description = data.description
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        raise InvalidInput(f"Description must be at most {MAX_DESCRIPTION_LENGTH} characters")
    if "\x00" in name or (description is not None and "\x00" in description):
        raise InvalidInput("Name and description must not contain NUL characters")
    try:
        expires_at = None if data.expires_at is None else ensure_utc(data.expires_at)
    except OverflowError:
        # e.g. 9999-12-31T23:59:59-23:59, which is past the last representable UTC instant
        raise InvalidInput("Expiration time is out of range once converted to UTC") from None
    if expires_at is not None and expires_at <= (now or now_utc()):
        raise InvalidInput("Expiration time must be in the future")
    scopes = None if data.scopes is None else bindings.validate_scopes(data.scopes)
    return KeyInput(name=name, description=description, expires_at=expires_at, scopes=scopes, projects=data.projects)


async def mint_key(
    session: Session,
    principal: Principal,
    kind: KeyKind,
    owner_id: int,
    data: KeyInput,
) -> MintedKey:
    """Mint a key of ``kind`` for ``owner_id`` once the policy has allowed it (no check here)."""
    data = validate_key_input(data)
    projects = None if data.projects is None else await bindings.resolve_projects(session, data.projects)
    new = key_format.generate_key(kind)
    row = await store.insert_api_key(
        session,
        ApiKey(
            key_id=new.key_id,
            secret_digest=new.secret_digest,
            kind=kind.value,
            user_id=owner_id,
            created_by_user_id=None if principal.via is Via.ADMIN_SECRET else principal.user_id,
            created_via=principal.via.value,
            name=data.name,
            description=data.description,
            expires_at=data.expires_at,
            scopes=None if data.scopes is None else {"scopes": list(data.scopes)},
            projects=None if projects is None else {"names": list(projects)},
        ),
    )
    await audit.record(
        session,
        principal,
        "api_key.create",
        target_type=f"{kind.value}_API_KEY",
        target_id=row.id,
        details={
            "name": row.name,
            "key_id": row.key_id,
            "owner_id": owner_id,
            "scopes": data.scopes,
            "projects": projects,
        },
    )
    return MintedKey(key=view_of(row), token=new.token)


async def create_system_key(
    session: Session, principal: Principal, data: KeyInput, *, system_user_id: int
) -> MintedKey:
    """Mint a system key (owned by the system user). Admin session or admin secret only."""
    require(principal, Action.CREATE_SYSTEM_KEY)
    return await mint_key(session, principal, KeyKind.SYSTEM, system_user_id, data)


async def create_user_key(session: Session, principal: Principal, data: KeyInput) -> MintedKey:
    """Mint a key owned by the caller, who must be a person logged in with a session."""
    require(principal, Action.CREATE_USER_KEY)
    assert principal.user_id is not None
    if await user_store.find_user(session, principal.user_id) is None:
        raise Unauthenticated("User not found")
    return await mint_key(session, principal, KeyKind.USER, principal.user_id, data)


async def list_system_keys(session: Session, principal: Principal) -> list[KeyView]:
    require(principal, Action.LIST_SYSTEM_KEYS)
    return [view_of(row) for row in await store.list_api_keys(session, kind=KeyKind.SYSTEM)]


async def list_own_keys(session: Session, principal: Principal) -> list[KeyView]:
    """The caller's own user keys, newest first; empty for system principals."""
    require(principal, Action.LIST_OWN_KEYS)
    if principal.is_system or principal.user_id is None:
        return []
    return [view_of(row) for row in await store.list_api_keys(session, kind=KeyKind.USER, user_id=principal.user_id)]


def _require_can_list_keys_of(principal: Principal, user_id: int) -> None:
    if principal.user_id != user_id or principal.is_system:
        require(principal, Action.LIST_ALL_USER_KEYS)


async def list_keys_of_user(session: Session, principal: Principal, user_id: int) -> list[KeyView]:
    """A user's keys, for that user or an admin."""
    _require_can_list_keys_of(principal, user_id)
    return [view_of(row) for row in await store.list_api_keys(session, kind=KeyKind.USER, user_id=user_id)]


async def list_keys_of_users(
    session: Session, principal: Principal, user_ids: Sequence[int]
) -> dict[int, list[KeyView]]:
    """The keys of several users at once, newest first, by owner (GraphQL ``User.apiKeys``)."""
    wanted = sorted(set(user_ids))
    for user_id in wanted:
        _require_can_list_keys_of(principal, user_id)
    keys: dict[int, list[KeyView]] = {user_id: [] for user_id in wanted}
    for row in await store.list_user_api_keys_of(session, wanted):
        keys[row.user_id].append(view_of(row))
    return keys


async def list_all_user_keys(
    session: Session, principal: Principal, *, limit: int, cursor: int | None
) -> tuple[list[KeyView], int | None]:
    """One page of every person's keys (admin). Returns the page and the next cursor."""
    require(principal, Action.LIST_ALL_USER_KEYS)
    rows = await store.list_user_api_keys_page(session, limit=limit, cursor=cursor)
    next_cursor = rows[limit][0].id if len(rows) > limit else None
    return [view_of(key, owner) for key, owner in rows[:limit]], next_cursor


async def revoke_system_key(session: Session, principal: Principal, row_id: int) -> KeyView:
    """Revoke a system key. Returns it so the caller can evict it from credential caches.

    Raises:
        NotFound: no live system key has that id (user keys included: no class confusion).
    """
    require(principal, Action.REVOKE_SYSTEM_KEY)
    row = await store.find_api_key(session, row_id, KeyKind.SYSTEM)
    if row is None:
        raise NotFound("System API key not found")
    return await _revoke(session, principal, row)


async def revoke_user_key(session: Session, principal: Principal, row_id: int) -> KeyView:
    """Revoke a user key: the owner's own, or anyone's for an admin.

    Raises:
        NotAllowed: the caller may not revoke personal keys at all (a system key).
        NotFound: missing, revoked, a system key, or someone else's: all look the same.
    """
    # Guard 1: refuse principals that can never revoke personal keys, before looking at the target.
    denial = decide(principal, Action.REVOKE_USER_KEY, owner_id=principal.user_id)
    if denial is not None:
        raise NotAllowed(denial)
    # Guard 2: only the owner or an admin; anyone else learns nothing about the key.
    row = await store.find_api_key(session, row_id, KeyKind.USER)
    if row is None or decide(principal, Action.REVOKE_USER_KEY, owner_id=row.user_id) is not None:
        raise NotFound(Denial.KEY_NOT_FOUND.rest_message)
    return await _revoke(session, principal, row)


async def _revoke(session: Session, principal: Principal, row: ApiKey) -> KeyView:
    await store.revoke_api_key(session, row, now_utc())
    effects.api_key_revoked(session, row.key_id)
    await audit.record(
        session,
        principal,
        "api_key.revoke",
        target_type=f"{row.kind}_API_KEY",
        target_id=row.id,
        details={"name": row.name, "key_id": row.key_id, "owner_id": row.user_id},
    )
    return view_of(row)
