"""User management: create, list, patch (by an admin or oneself) and delete.

The policy decides who may act (``auth.policy``); this module adds the input rules (email
format, password policy, uniqueness) and the consequences: a role or password change ends the
target's sessions, and deleting a user revokes every session and API key at once. Every such
change registers the ``user_changed`` effect (``db.effects``), so the user's cached credentials
are forgotten on every replica when the transaction commits.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from pyrewatch.auth.passwords import hash_password, password_violation, verify_password
from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import ASSIGNABLE_ROLES, Principal, Role, Via
from pyrewatch.auth.requirements import has_control_characters, is_valid_email, normalize_email
from pyrewatch.clock import now_utc
from pyrewatch.db import effects
from pyrewatch.db.models import User
from pyrewatch.db.session import Session
from pyrewatch.errors import BadRequest, Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from pyrewatch.services import audit
from pyrewatch.services.provisioning import DEFAULT_ADMIN_EMAIL
from pyrewatch.store import api_keys as key_store
from pyrewatch.store import sessions as session_store
from pyrewatch.store import users as store

__all__ = [
    "MISSING_USERS",
    "NewUser",
    "UserNotDeletable",
    "UserPatch",
    "ViewerPatch",
    "create_user",
    "delete_users",
    "get_user",
    "get_viewer",
    "list_users",
    "list_users_page",
    "patch_user",
    "patch_viewer",
    "users_by_ids",
]

MISSING_USERS = "Some user IDs could not be found"
MAX_USERNAME_LENGTH = 255
MAX_PASSWORD_LENGTH = 1024


@dataclass(frozen=True)
class NewUser:
    email: str
    username: str
    role: str
    password: str | None
    auth_method: str = "LOCAL"
    # REST gives a LOCAL user without a password a random one; GraphQL requires a password.
    generate_missing_password: bool = False


@dataclass(frozen=True)
class UserPatch:
    user_id: int
    new_role: str | None = None
    new_username: str | None = None
    new_password: str | None = None


@dataclass(frozen=True)
class ViewerPatch:
    new_username: str | None = None
    new_password: str | None = None
    current_password: str | None = None


def _check_password(password: str, strong: bool) -> None:
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"Password must be at most {MAX_PASSWORD_LENGTH} characters long")
    problem = password_violation(password, strong)
    if problem is not None:
        raise InvalidInput(problem)


def _check_username(username: str) -> str:
    username = username.strip()
    if not username:
        raise InvalidInput("Username cannot be empty")
    if has_control_characters(username):
        raise InvalidInput("Username must not contain control characters")
    if len(username) > MAX_USERNAME_LENGTH:
        raise InvalidInput(f"Username must be at most {MAX_USERNAME_LENGTH} characters long")
    return username


async def _check_unique(session: Session, *, username: str | None = None, email: str | None = None) -> None:
    if username is not None and await store.find_user_by_username(session, username) is not None:
        raise Conflict("Username already exists")
    if email is not None and await store.find_user_by_email(session, email) is not None:
        raise Conflict("Email already exists")


def _new_user_password(data: NewUser, strong: bool) -> str | None:
    if data.auth_method != "LOCAL":
        if data.password is not None:
            label = "LDAP" if data.auth_method == "LDAP" else "OAuth2"
            raise InvalidInput(f"Password is not allowed for {label} authentication")
        return None
    password = data.password.strip() if data.password is not None else None
    if not password:
        if not data.generate_missing_password:
            raise InvalidInput("Password is required for local authentication")
        return secrets.token_hex(32)
    _check_password(password, strong)
    return password


async def create_user(session: Session, principal: Principal, data: NewUser, *, strong_passwords: bool) -> User:
    """Create a user who must change the password at first login (LOCAL users)."""
    require(principal, Action.MANAGE_USERS)
    if data.role == Role.SYSTEM.value:
        raise BadRequest("Cannot create users with SYSTEM role")
    if data.role not in ASSIGNABLE_ROLES:
        raise BadRequest(f"Role '{data.role}' not found")
    if data.auth_method not in ("LOCAL", "OAUTH2", "LDAP"):
        raise InvalidInput(f"Unknown auth method '{data.auth_method}'")
    email = normalize_email(data.email)
    if not is_valid_email(email):
        raise InvalidInput("Invalid email address")
    username = _check_username(data.username)
    password = _new_user_password(data, strong_passwords)
    await _check_unique(session, username=username, email=email)
    password_hash = None if password is None else await asyncio.to_thread(hash_password, password)
    user = await store.insert_user(
        session,
        User(
            username=username,
            email=email,
            role=data.role,
            password_hash=password_hash,
            reset_password=data.auth_method == "LOCAL",
            auth_method=data.auth_method,
        ),
    )
    await audit.record(session, principal, "user.create", target_type="USER", target_id=user.id)
    return user


async def get_viewer(session: Session, principal: Principal) -> User:
    require(principal, Action.READ_SELF)
    if principal.user_id is None:
        raise Unauthenticated("Not authenticated")
    user = await store.find_user(session, principal.user_id)
    if user is None:
        raise Unauthenticated("User not found")
    return user


def _require_can_read(principal: Principal, user_id: int) -> None:
    """Oneself (a person, not the system principals), or anyone for an admin."""
    is_self = user_id == principal.user_id and principal.via not in (Via.SYSTEM_KEY, Via.ADMIN_SECRET)
    require(principal, Action.READ_SELF if is_self else Action.LIST_USERS)


async def get_user(session: Session, principal: Principal, user_id: int) -> User:
    """One user: oneself, or anyone for an admin.

    Raises:
        NotFound: no such user.
    """
    _require_can_read(principal, user_id)
    user = await store.find_user(session, user_id)
    if user is None:
        raise NotFound("User not found")
    return user


async def users_by_ids(session: Session, principal: Principal, user_ids: Sequence[int]) -> dict[int, User]:
    """The users of ``user_ids`` that exist, by id, in one query (for per-row fields)."""
    wanted = sorted(set(user_ids))
    for user_id in wanted:
        _require_can_read(principal, user_id)
    return {user.id: user for user in await store.users_by_ids(session, wanted)}


async def list_users_page(
    session: Session, principal: Principal, *, limit: int, cursor: int | None
) -> tuple[list[User], int | None]:
    """A page of every user (system user included) by id descending, and the next cursor."""
    require(principal, Action.LIST_USERS)
    rows = await store.list_users_page(session, limit=limit, cursor=cursor)
    if len(rows) > limit:
        return rows[:limit], rows[limit].id
    return rows, None


async def list_users(session: Session, principal: Principal) -> list[User]:
    """Every person (the system user excluded), by email."""
    require(principal, Action.LIST_USERS)
    return await store.list_users_by_email(session, exclude_role=Role.SYSTEM.value)


async def _end_sessions(session: Session, user_id: int) -> None:
    await session_store.revoke_user_sessions(session, user_id, now_utc())
    effects.user_changed(session, user_id)


def _check_role_change(principal: Principal, user: User, new_role: str) -> None:
    if new_role not in ASSIGNABLE_ROLES:
        raise BadRequest(f"Role {new_role} not found")
    if user.email == DEFAULT_ADMIN_EMAIL:
        raise Forbidden("Cannot modify role for the default admin user")
    if user.id == principal.user_id:
        raise Forbidden("Cannot modify own role")


async def patch_user(session: Session, principal: Principal, patch: UserPatch, *, strong_passwords: bool) -> User:
    """An admin changes someone's role, username or password; role and password changes end
    the target's sessions."""
    require(principal, Action.MANAGE_USERS)
    if patch.new_role is None and patch.new_username is None and patch.new_password is None:
        raise InvalidInput("At least one field must be set")
    if patch.new_password is not None:
        _check_password(patch.new_password, strong_passwords)
    user = await store.find_user(session, patch.user_id)
    if user is None or user.role == Role.SYSTEM.value:
        raise NotFound("User not found")
    if patch.new_role is not None:
        _check_role_change(principal, user, patch.new_role)
    if patch.new_password is not None and user.auth_method != "LOCAL":
        raise InvalidInput("Cannot modify password for non-local user")
    if patch.new_username is not None:
        username = _check_username(patch.new_username)
        if username != user.username:
            await _check_unique(session, username=username)
            user.username = username
    if patch.new_role is not None and patch.new_role != user.role:
        await audit.record(
            session,
            principal,
            "user.role_change",
            target_type="USER",
            target_id=user.id,
            details={"from": user.role, "to": patch.new_role},
        )
        user.role = patch.new_role
        await _end_sessions(session, user.id)
    if patch.new_password is not None:
        user.password_hash = await asyncio.to_thread(hash_password, patch.new_password)
        user.reset_password = True
        await _end_sessions(session, user.id)
    await session.flush()
    effects.user_changed(session, user.id)
    await audit.record(
        session,
        principal,
        "user.patch",
        target_type="USER",
        target_id=user.id,
        details={"role": patch.new_role, "username": patch.new_username, "password": patch.new_password is not None},
    )
    return user


async def patch_viewer(
    session: Session, principal: Principal, patch: ViewerPatch, *, strong_passwords: bool
) -> tuple[User, bool]:
    """The caller changes their own username or password. A password change clears the
    must-reset flag and ends every session of the caller. Returns (user, password changed)."""
    require(principal, Action.PATCH_SELF)
    if patch.new_username is None and patch.new_password is None:
        raise InvalidInput("At least one field must be set")
    user = await get_viewer(session, principal)
    if patch.new_password is not None:
        if not patch.current_password:
            raise InvalidInput("current_password is required when modifying password")
        if user.auth_method != "LOCAL":
            raise InvalidInput("Cannot modify password for non-local user")
        if not await asyncio.to_thread(verify_password, patch.current_password, user.password_hash):
            raise InvalidInput("Valid current password is required to modify password")
        _check_password(patch.new_password, strong_passwords)
    if patch.new_username is not None:
        username = _check_username(patch.new_username)
        if username != user.username:
            await _check_unique(session, username=username)
            user.username = username
    if patch.new_password is not None:
        user.password_hash = await asyncio.to_thread(hash_password, patch.new_password)
        user.reset_password = False
        await _end_sessions(session, user.id)
    await session.flush()
    await audit.record(
        session,
        principal,
        "user.patch_self",
        target_type="USER",
        target_id=user.id,
        details={"password_changed": patch.new_password is not None},
    )
    return user, patch.new_password is not None


SELF_DELETION = "Users cannot delete themselves"


class UserNotDeletable(Forbidden):
    """The system user and the default admin are never deleted."""

    def __init__(self, *, is_system: bool) -> None:
        super().__init__("Cannot delete the system user" if is_system else "Cannot delete the default admin user")
        self.is_system = is_system


def _check_deletable(user: User) -> None:
    if user.role == Role.SYSTEM.value:
        raise UserNotDeletable(is_system=True)
    # By email alone: renaming the default admin must not make it deletable (otherwise the next
    # start, finding no admin, would recreate admin@localhost with the initial password).
    if user.email == DEFAULT_ADMIN_EMAIL:
        raise UserNotDeletable(is_system=False)


async def _remove(session: Session, principal: Principal, users: Sequence[User]) -> list[int]:
    at = now_utc()
    ids = [u.id for u in users]
    for user_id in ids:
        await session_store.revoke_user_sessions(session, user_id, at)
        await key_store.revoke_user_api_keys(session, user_id, at)
        effects.user_changed(session, user_id)
    for user in users:
        await audit.record(
            session, principal, "user.delete", target_type="USER", target_id=user.id, details={"email": user.email}
        )
    await store.delete_users(session, ids)
    return ids


async def delete_users(session: Session, principal: Principal, user_ids: Sequence[int]) -> list[int]:
    """Delete users, with every session and API key they hold, or none when any is missing or
    protected; their cached credentials are forgotten everywhere at commit.

    Raises:
        NotFound: some id names no user.
        UserNotDeletable: the set holds the system user or the default admin.
        Forbidden: the set holds the caller (an admin never locks itself out by mistake).
    """
    require(principal, Action.MANAGE_USERS)
    if not user_ids:
        raise InvalidInput("At least one user ID is required")
    unique = sorted(set(user_ids))
    if principal.role is not Role.SYSTEM and principal.user_id in unique:
        raise Forbidden(SELF_DELETION)
    users = await store.users_by_ids(session, unique)
    if len(users) != len(unique):
        raise NotFound(MISSING_USERS)
    for user in sorted(users, key=lambda u: u.role != Role.SYSTEM.value):
        _check_deletable(user)
    return await _remove(session, principal, users)
