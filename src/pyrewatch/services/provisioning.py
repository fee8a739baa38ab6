"""Start-up provisioning: the system user, the default admin and the PHOENIX_ADMINS accounts."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from pyrewatch.auth.passwords import hash_password
from pyrewatch.auth.principal import Role
from pyrewatch.db.models import User
from pyrewatch.db.session import Session, SessionFactory, transaction
from pyrewatch.store import locks, users

__all__ = ["DEFAULT_ADMIN_EMAIL", "DEFAULT_ADMIN_USERNAME", "SYSTEM_EMAIL", "ProvisioningResult", "provision"]

logger = logging.getLogger(__name__)

SYSTEM_USERNAME = "system"
SYSTEM_EMAIL = "system@localhost"
DEFAULT_ADMIN_USERNAME = "admin"
DEFAULT_ADMIN_EMAIL = "admin@localhost"


@dataclass(frozen=True)
class ProvisioningResult:
    system_user_id: int
    created: tuple[str, ...]


async def provision(
    factory: SessionFactory,
    *,
    default_admin_password: str,
    admins: tuple[tuple[str, str], ...],
) -> ProvisioningResult:
    """Make sure the system user and an admin exist, and create the declared admins.

    Runs on every start, with auth on or off, under a lock so replicas starting together agree.
    Declared admins whose email already exists are left as they are; one whose username is taken
    by another email is reported, never silently dropped.

    Returns:
        the system user's id (the identity behind the admin secret and system keys) and the
        usernames created by this run.
    """
    created: list[str] = []
    async with transaction(factory) as session:
        await locks.lock_startup(session)
        system_user_id = await _ensure_system_user(session, created)
        await _ensure_an_admin(session, default_admin_password, created)
        for username, email in admins:
            await _ensure_declared_admin(session, username, email, created)
    return ProvisioningResult(system_user_id=system_user_id, created=tuple(created))


async def _ensure_system_user(session: Session, created: list[str]) -> int:
    system = await users.first_user_with_role(session, Role.SYSTEM)
    if system is None:
        system = await users.insert_user(
            session,
            User(
                username=SYSTEM_USERNAME,
                email=SYSTEM_EMAIL,
                role=Role.SYSTEM,
                password_hash=None,
                reset_password=False,
            ),
        )
        created.append(SYSTEM_USERNAME)
    return system.id


async def _ensure_an_admin(session: Session, password: str, created: list[str]) -> None:
    if await users.count_users_with_role(session, Role.ADMIN) > 0:
        return
    await users.insert_user(
        session,
        User(
            username=DEFAULT_ADMIN_USERNAME,
            email=DEFAULT_ADMIN_EMAIL,
            role=Role.ADMIN,
            password_hash=await asyncio.to_thread(hash_password, password),
            reset_password=True,
        ),
    )
    created.append(DEFAULT_ADMIN_USERNAME)
    logger.warning("Created the default admin %s; its password must be changed at first login", DEFAULT_ADMIN_EMAIL)


async def _ensure_declared_admin(session: Session, username: str, email: str, created: list[str]) -> None:
    if await users.find_user_by_email(session, email) is not None:
        logger.info("PHOENIX_ADMINS: %s already exists; left unchanged", email)
        return
    holder = await users.find_user_by_username(session, username)
    if holder is not None:
        logger.warning(
            "PHOENIX_ADMINS: username %r is already taken by %s; %s was not created", username, holder.email, email
        )
        return
    # No usable password: the person sets one through a password reset.
    await users.insert_user(
        session, User(username=username, email=email, role=Role.ADMIN, password_hash=None, reset_password=True)
    )
    created.append(username)
    logger.info("PHOENIX_ADMINS: created admin %s (%s)", username, email)
