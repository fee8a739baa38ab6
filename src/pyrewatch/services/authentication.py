"""One ``authenticate`` for every transport: a presented credential becomes a ``Principal``.

Credentials, in the order they are recognized:

1. ``PHOENIX_ADMIN_SECRET`` as a bearer token (constant-time comparison): the system user with
   admin authority.
2. A Pyrewatch API key (``pwsk_``/``pwuk_`` prefix): shape and checksum are checked before any
   database access, then the digest of its secret is compared in constant time.
3. A session access token (JWT, from the bearer header or the ``phoenix-access-token`` cookie).

A credential that is present but not valid raises ``Unauthenticated``: never an anonymous
fallback. Verified credentials are cached in memory for a few seconds. The transaction that
revokes a credential announces it (``db.effects``); the ``Dispatcher`` then evicts the entry here
(``apply``) and on every other replica. While announcements may be missed, the cache is
suspended and every lookup reads the database.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from pyrewatch.auth import api_keys
from pyrewatch.auth.principal import ANONYMOUS, AUTH_DISABLED, Principal, Role, Via
from pyrewatch.auth.tokens import Keyring, TokenKind, TokenStatus
from pyrewatch.clock import now_utc
from pyrewatch.db import effects
from pyrewatch.db.models import AuditEvent
from pyrewatch.db.session import SessionFactory, transaction
from pyrewatch.errors import Unauthenticated
from pyrewatch.services import audit
from pyrewatch.services.cache_guard import CacheGuard
from pyrewatch.store import api_keys as api_key_store
from pyrewatch.store import audit as audit_store
from pyrewatch.store import credentials
from pyrewatch.store.credentials import AccessTokenRecord, ApiKeyRecord

__all__ = ["ACCESS_COOKIE", "Authenticator", "INVALID_TOKEN", "EXPIRED_TOKEN", "UsageRecorder"]

ACCESS_COOKIE = "phoenix-access-token"
INVALID_TOKEN = "Invalid token"
EXPIRED_TOKEN = "Expired token"
CACHE_TTL_SECONDS = 5.0
USAGE_FLUSH_SECONDS = 30.0
AUDIT_FLUSH_SECONDS = 1.0

logger = logging.getLogger(__name__)
_CACHE_MAX_ENTRIES = 100_000

T = TypeVar("T")


@dataclass(frozen=True)
class _Hit(Generic[T]):
    value: T


class _TtlCache(Generic[T]):
    """A bounded map whose entries expire ``ttl`` seconds after they were loaded. It caches
    negative answers too (a key id that does not exist), so guessing costs no database work."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[str, tuple[float, T]] = {}

    def get(self, key: str) -> _Hit[T] | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] < self._clock():
            self._entries.pop(key, None)
            return None
        return _Hit(entry[1])

    def put(self, key: str, value: T) -> None:
        if len(self._entries) >= _CACHE_MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (self._clock() + self._ttl, value)

    def pop(self, key: str) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()

    def evict_where(self, predicate: Callable[[T], bool]) -> None:
        for key in [k for k, (_, v) in self._entries.items() if predicate(v)]:
            del self._entries[key]


class UsageRecorder:
    """Coalesces ``last_used_at`` updates: requests only touch memory; a periodic flush writes."""

    def __init__(self) -> None:
        self._pending: dict[int, datetime] = {}

    def touch(self, key_row_id: int, at: datetime) -> None:
        self._pending[key_row_id] = at

    def touched(self, key_row_id: int) -> bool:
        """Whether the key authenticated a request since the last flush."""
        return key_row_id in self._pending

    def drain(self) -> dict[int, datetime]:
        pending, self._pending = self._pending, {}
        return pending


class Authenticator:
    def __init__(
        self,
        factory: SessionFactory,
        *,
        auth_enabled: bool,
        admin_secret: str | None,
        keyring: Keyring | None,
        system_user_id: int,
        cache_ttl_seconds: float = CACHE_TTL_SECONDS,
    ) -> None:
        self._factory = factory
        self.auth_enabled = auth_enabled
        self._admin_secret = admin_secret.encode() if admin_secret else None
        self._admin_secret_expires_at: datetime | None = None
        self._keyring = keyring
        self.system_user_id = system_user_id
        self._keys: _TtlCache[ApiKeyRecord | None] = _TtlCache(cache_ttl_seconds)
        self._access: _TtlCache[AccessTokenRecord | None] = _TtlCache(cache_ttl_seconds)
        self.usage = UsageRecorder()
        self._guard = CacheGuard()
        self._admin_uses: list[AuditEvent] = []
        self._noted: set[tuple[int | str, str | int]] = set()

    def expire_admin_secret_at(self, expires_at: datetime | None) -> None:
        """Refuse the admin secret from ``expires_at`` on (``PYREWATCH_ADMIN_SECRET_EXPIRES_AT``);
        warn, at start-up, while an expiry is configured."""
        if self._admin_secret is None or expires_at is None:
            return
        self._admin_secret_expires_at = expires_at
        logger.warning(
            "PHOENIX_ADMIN_SECRET is refused after %s (PYREWATCH_ADMIN_SECRET_EXPIRES_AT); "
            "move automation to API keys and unset the admin secret",
            expires_at.isoformat(),
        )

    # -- entry points ---------------------------------------------------------------------------

    async def authenticate_request(self, authorization: str | None, access_cookie: str | None) -> Principal:
        """Authenticate an HTTP request from its ``Authorization`` header or access cookie.

        Raises:
            Unauthenticated: a credential is present but unusable, or none is present.
        """
        if not self.auth_enabled:
            return AUTH_DISABLED
        if authorization is not None:
            return await self.authenticate_bearer(_bearer_token(authorization))
        if access_cookie:
            return await self._authenticate_session_token(access_cookie)
        raise Unauthenticated(INVALID_TOKEN)

    async def authenticate_bearer(self, token: str | None) -> Principal:
        """Authenticate a bearer token (HTTP ``Authorization`` or gRPC ``authorization`` metadata)."""
        if not self.auth_enabled:
            return AUTH_DISABLED
        if not token:
            raise Unauthenticated(INVALID_TOKEN)
        if self._admin_secret is not None and hmac.compare_digest(token.encode(), self._admin_secret):
            principal = Principal(via=Via.ADMIN_SECRET, user_id=self.system_user_id, role=Role.SYSTEM)
            expires_at = self._admin_secret_expires_at
            if expires_at is not None and expires_at <= now_utc():
                if ("admin_secret", 0) not in self._noted:
                    self._noted.add(("admin_secret", 0))
                    event = audit.build_event(principal, "admin_secret.expired_refused", outcome="refused")
                    self._admin_uses.append(event)
                raise Unauthenticated(EXPIRED_TOKEN)
            return principal
        if api_keys.looks_like_key(token):
            return await self._authenticate_api_key(token)
        return await self._authenticate_session_token(token)

    async def optional_principal(self, authorization: str | None, access_cookie: str | None) -> Principal:
        """Like ``authenticate_request`` but ``ANONYMOUS`` when no credential is present at all."""
        if not self.auth_enabled:
            return AUTH_DISABLED
        if authorization is None and not access_cookie:
            return ANONYMOUS
        return await self.authenticate_request(authorization, access_cookie)

    def record_admin_secret_use(self, principal: Principal, surface: str) -> None:
        """Every use of the bootstrap credential goes to the audit log, with where it was used.

        The events are written together about once a second (``usage_flusher``) rather than one
        transaction per request. Whatever the admin secret changes (keys, users) is audited in the
        same transaction as the change itself, so a crash can only lose the record of reads.
        """
        self._admin_uses.append(audit.build_event(principal, "admin_secret.use", details={"surface": surface}))

    def _note_key_event(self, record: ApiKeyRecord, via: Via, action: str, outcome: str) -> None:
        """Queue an audit event about a key, at most once per key and action between flushes."""
        if (record.row_id, action) in self._noted:
            return
        self._noted.add((record.row_id, action))
        principal = Principal(via=via, user_id=record.user_id, role=Role(record.role), credential_id=record.row_id)
        event = audit.build_event(
            principal, action, target_type=f"{record.kind}_API_KEY", target_id=record.row_id, outcome=outcome
        )
        self._admin_uses.append(event)

    # -- usage ----------------------------------------------------------------------------------

    async def flush_usage(self, *, keys: bool = True) -> None:
        """Write the pending admin-secret audit events and (with ``keys``) the coalesced
        ``last_used_at`` values gathered since the previous flush."""
        pending = self.usage.drain() if keys else {}
        events, self._admin_uses = self._admin_uses, []
        self._noted.clear()
        if pending or events:
            async with transaction(self._factory) as session:
                await api_key_store.touch_last_used(session, pending)
                for event in events:
                    await audit_store.insert_audit_event(session, event)

    @asynccontextmanager
    async def usage_flusher(self, interval_seconds: float = USAGE_FLUSH_SECONDS) -> AsyncIterator[None]:
        """While the block runs, write admin-secret audit events every second and key usage every
        ``interval_seconds``; flush both once more at exit."""

        async def loop() -> None:
            ticks = 0
            while True:
                await asyncio.sleep(AUDIT_FLUSH_SECONDS)
                ticks += 1
                try:
                    await self.flush_usage(keys=ticks * AUDIT_FLUSH_SECONDS >= interval_seconds)
                except Exception:
                    logger.exception("could not record API key usage; will retry")
                    continue
                if ticks * AUDIT_FLUSH_SECONDS >= interval_seconds:
                    ticks = 0

        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            await self.flush_usage()

    # -- invalidation (called by the dispatcher, see db.effects) -----------------------------

    def apply(self, message: str) -> None:
        """Evict what a committed change names: ``key:<key id>``, ``user:<id>`` (every
        credential of the user) or ``session:<id>``; anything else clears the whole cache."""
        kind, _, value = message.partition(":")
        self._guard.invalidated()
        if kind == "key":
            self._keys.pop(value)
        elif kind == "user" and value.isdigit():
            user_id = int(value)
            self._keys.evict_where(lambda r: r is not None and r.user_id == user_id)
            self._access.evict_where(lambda r: r is not None and r.user_id == user_id)
        elif kind == "session" and value.isdigit():
            session_id = int(value)
            self._access.evict_where(lambda r: r is not None and r.session_id == session_id)
        elif message != effects.PROJECTS_CHANGED:
            self._clear()

    def suspend(self) -> None:
        """Announcements may be missed: read every credential from the database until ``resume``."""
        self._guard.suspend()
        self._clear()

    def resume(self) -> None:
        self._clear()
        self._guard.resume()

    def _clear(self) -> None:
        self._keys.clear()
        self._access.clear()

    # -- credential kinds -----------------------------------------------------------------------

    async def _authenticate_api_key(self, token: str) -> Principal:
        parsed = api_keys.parse_key(token)
        if parsed is None:
            # Wrong shape or checksum: refused without touching the database.
            raise Unauthenticated(INVALID_TOKEN)
        hit = self._keys.get(parsed.key_id) if self._guard.trusted else None
        if hit is None:
            started = self._guard.begin_load()
            async with self._factory() as session:
                record = await credentials.find_api_key_record(session, parsed.key_id)
            if self._guard.may_keep(started):
                self._keys.put(parsed.key_id, record)
        else:
            record = hit.value
        if (
            record is None
            or record.kind != parsed.kind
            or not api_keys.verify_secret(parsed.secret, record.secret_digest)
            or record.revoked_at is not None
        ):
            raise Unauthenticated(INVALID_TOKEN)
        now = now_utc()
        via = Via.SYSTEM_KEY if record.kind == api_keys.KeyKind.SYSTEM else Via.USER_KEY
        if record.expires_at is not None and record.expires_at <= now:
            self._note_key_event(record, via, "api_key.expired_refused", "refused")
            raise Unauthenticated(EXPIRED_TOKEN)
        if record.replaced_by_id is not None and (
            record.replacement_used_at is not None or self.usage.touched(record.replaced_by_id)
        ):
            # The old key of a rotation, used after its replacement: a client not yet updated,
            # or a copy of the old key in someone else's hands.
            self._note_key_event(record, via, "api_key.superseded_use", "flagged")
        self.usage.touch(record.row_id, now)
        return Principal(
            via=via,
            user_id=record.user_id,
            role=Role(record.role),
            credential_id=record.row_id,
            scopes=record.scopes,
            projects=record.projects,
        )

    async def _authenticate_session_token(self, token: str) -> Principal:
        if self._keyring is None:
            raise Unauthenticated(INVALID_TOKEN)
        decoded = self._keyring.decode(token, TokenKind.ACCESS)
        if decoded.claims is None:
            raise Unauthenticated(INVALID_TOKEN)
        jti = decoded.claims.jti
        hit = self._access.get(jti) if self._guard.trusted else None
        if hit is None:
            started = self._guard.begin_load()
            async with self._factory() as session:
                access = await credentials.find_access_token_record(session, jti)
            if self._guard.may_keep(started):
                self._access.put(jti, access)
        else:
            access = hit.value
        record = access
        if record is None or record.revoked or record.user_id != decoded.claims.user_id:
            raise Unauthenticated(INVALID_TOKEN)
        if decoded.status is TokenStatus.EXPIRED or record.expires_at <= now_utc():
            raise Unauthenticated(EXPIRED_TOKEN)
        return Principal(
            via=Via.SESSION,
            user_id=record.user_id,
            role=Role(record.role),
            credential_id=record.session_id,
            must_reset_password=record.reset_password,
        )


def _bearer_token(authorization: str) -> str | None:
    """The token of a ``Bearer`` header (scheme case-insensitive), else ``None``."""
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None
