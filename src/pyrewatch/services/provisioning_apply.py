"""Applying a provisioning file: the plan (what would change) and, unless it is a dry run, the
change itself, in one transaction under the start-up lock. Applying the same file twice changes
nothing the second time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyrewatch.auth.api_keys import KeyKind
from pyrewatch.auth.principal import Principal, Role, Via
from pyrewatch.clock import now_utc
from pyrewatch.db import effects
from pyrewatch.db.models import ApiKey, User
from pyrewatch.db.session import Session, SessionFactory, transaction
from pyrewatch.services import audit
from pyrewatch.services.provisioning_file import Declaration, DeclaredKey, DeclaredUser
from pyrewatch.store import api_keys as key_store
from pyrewatch.store import locks
from pyrewatch.store import sessions as session_store
from pyrewatch.store import users as user_store

__all__ = ["apply_declaration"]

_PROVISIONER = Principal(via=Via.ANONYMOUS)


class _DryRun(Exception):
    """Raised to roll the transaction of a dry run back."""


@dataclass
class _Plan:
    lines: list[str]
    dry_run: bool


async def apply_declaration(
    factory: SessionFactory, declaration: Declaration, *, system_user_id: int | None = None, dry_run: bool = False
) -> list[str]:
    """Bring the database to the declaration; return the plan, one line per change (empty when
    nothing differs). With ``dry_run`` nothing is kept. Without ``system_user_id`` the system
    user is looked up (a database no server has started on yet has none: keys go to id 0 in a
    dry run)."""
    plan = _Plan(lines=[], dry_run=dry_run)
    try:
        async with transaction(factory) as session:
            await locks.lock_startup(session)
            if system_user_id is None:
                system = await user_store.first_user_with_role(session, Role.SYSTEM)
                system_user_id = 0 if system is None else system.id
            await _apply_users(session, declaration.users, plan)
            await _apply_keys(session, declaration.system_keys, system_user_id, plan)
            if plan.lines and not dry_run:
                details = {"changes": plan.lines[:200]}
                await audit.record(session, _PROVISIONER, "provisioning.apply", target_type="SERVER", details=details)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return plan.lines


async def _apply_users(session: Session, declared: tuple[DeclaredUser, ...], plan: _Plan) -> None:
    managed = {user.email: user for user in await user_store.list_provisioned_users(session)}
    for want in declared:
        user = managed.pop(want.email, None) or await user_store.find_user_by_email(session, want.email)
        if user is None:
            plan.lines.append(f"create user {want.email} ({want.username}, {want.role})")
            await user_store.insert_user(
                session,
                User(
                    username=want.username,
                    email=want.email,
                    role=want.role,
                    password_hash=None,
                    reset_password=True,
                    provisioned=True,
                ),
            )
        elif not user.provisioned:
            plan.lines.append(f"skip user {want.email}: it exists and the file does not manage it")
        elif (user.username, user.role) != (want.username, want.role):
            plan.lines.append(f"update user {want.email}: username {want.username}, role {want.role}")
            if user.role != want.role:
                await session_store.revoke_user_sessions(session, user.id, now_utc())
            user.username, user.role = want.username, want.role
            effects.user_changed(session, user.id)
    for email, user in sorted(managed.items()):
        plan.lines.append(f"remove user {email}")
        at = now_utc()
        await session_store.revoke_user_sessions(session, user.id, at)
        await key_store.revoke_user_api_keys(session, user.id, at)
        effects.user_changed(session, user.id)
        await user_store.delete_users(session, [user.id])
    await session.flush()


def _key_fields(want: DeclaredKey) -> dict[str, Any]:
    return {
        "name": want.name,
        "description": want.description,
        "secret_digest": want.secret_digest,
        "expires_at": want.expires_at,
        "scopes": None if want.scopes is None else {"scopes": list(want.scopes)},
        "projects": None if want.projects is None else {"names": list(want.projects)},
    }


async def _apply_keys(session: Session, declared: tuple[DeclaredKey, ...], system_user_id: int, plan: _Plan) -> None:
    managed = {key.key_id: key for key in await key_store.list_provisioned_api_keys(session)}
    for want in declared:
        row = managed.pop(want.key_id, None) or await key_store.find_api_key_by_key_id(session, want.key_id)
        fields = _key_fields(want)
        if row is None:
            plan.lines.append(f"create system key {want.name} ({want.key_id})")
            await key_store.insert_api_key(
                session,
                ApiKey(
                    key_id=want.key_id,
                    kind=KeyKind.SYSTEM.value,
                    user_id=system_user_id,
                    created_by_user_id=None,
                    created_via=key_store.PROVISIONED_VIA,
                    **fields,
                ),
            )
        elif row.created_via != key_store.PROVISIONED_VIA or row.revoked_at is not None:
            reason = "is revoked" if row.revoked_at is not None else "exists and the file does not manage it"
            plan.lines.append(f"skip system key {want.name} ({want.key_id}): it {reason}")
        else:
            changed = sorted(name for name, value in fields.items() if getattr(row, name) != value)
            if changed:
                plan.lines.append(f"update system key {want.name} ({want.key_id}): {', '.join(changed)}")
                for name in changed:
                    setattr(row, name, fields[name])
                effects.api_key_revoked(session, row.key_id)  # evict the cached record
    for key_id, row in sorted(managed.items()):
        plan.lines.append(f"remove system key {row.name} ({key_id})")
        await key_store.revoke_api_key(session, row, now_utc())
        effects.api_key_revoked(session, key_id)
    await session.flush()
