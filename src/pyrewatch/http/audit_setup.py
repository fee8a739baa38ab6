"""Start-up wiring of the audit log: the ``server.auth_settings`` event and the running chores
(JSON-lines export, retention). Settings are read here, in the composition root."""

from __future__ import annotations

import hashlib
from contextlib import AsyncExitStack
from typing import Any

from pyrewatch.db.session import SessionFactory
from pyrewatch.services import audit_export
from pyrewatch.settings import Settings


def _fingerprint(secret: str | None) -> str | None:
    """A short digest that tells whether a secret changed without revealing it."""
    return None if secret is None else hashlib.sha256(b"pyrewatch-audit:" + secret.encode()).hexdigest()[:12]


def auth_settings_summary(settings: Settings) -> dict[str, Any]:
    """The authentication settings worth auditing, with no secret in them."""
    expires = settings.admin_secret_expires_at
    return {
        "enable_auth": settings.enable_auth,
        "secret": _fingerprint(settings.secret),
        "previous_secrets": len(settings.previous_secrets),
        "admin_secret": _fingerprint(settings.admin_secret),
        "admin_secret_expires_at": None if expires is None else expires.isoformat(),
        "admins": sorted(email for email, _ in settings.admins),
        "access_token_expiry_seconds": settings.access_token_expiry.total_seconds(),
        "refresh_token_expiry_seconds": settings.refresh_token_expiry.total_seconds(),
        "disable_basic_auth": settings.disable_basic_auth,
        "strong_password_policy": settings.enable_strong_password_policy,
        "brute_force_protection": not settings.disable_brute_force_login_protection,
        "brute_force_max_attempts": settings.brute_force_max_attempts,
    }


async def start_audit(stack: AsyncExitStack, settings: Settings, factory: SessionFactory) -> None:
    await audit_export.note_auth_settings(factory, auth_settings_summary(settings))
    chores = audit_export.audit_chores(
        factory, log_file=settings.audit_log_file, retention_days=settings.audit_retention_days
    )
    await stack.enter_async_context(chores)
