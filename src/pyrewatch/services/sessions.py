"""Browser sessions: login, refresh, logout and password reset.

A login opens a session (one row) that owns a family of refresh tokens; each refresh exchanges
the presented refresh token for a new pair inside the same session. Presenting a refresh token
that was already exchanged means it leaked, so the whole session is revoked. Failed logins are
counted per (account, client IP) in the database, so every replica sees the same counters and a
stranger cannot lock an account out from everywhere.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from pyrewatch.auth.passwords import hash_password, needs_rehash, password_violation, verify_password
from pyrewatch.auth.principal import Principal, Via
from pyrewatch.auth.requirements import is_plausible_email, normalize_email
from pyrewatch.auth.tokens import Keyring, TokenClaims, TokenKind, TokenStatus, new_jti
from pyrewatch.clock import now_utc
from pyrewatch.db import effects
from pyrewatch.db.session import SessionFactory, transaction
from pyrewatch.errors import InvalidInput, NotFound, PyrewatchError, Unauthenticated
from pyrewatch.services import audit
from pyrewatch.store import sessions as store
from pyrewatch.store import users as user_store

__all__ = [
    "LOCKOUT",
    "IssuedTokens",
    "LoginLocked",
    "LogoutResult",
    "ResetRequest",
    "SessionConfig",
    "Sessions",
]

LOCKOUT = timedelta(seconds=300)
INVALID_CREDENTIALS = "Invalid email and/or password"
LOCKED_MESSAGE = "Too many failed login attempts. Please try again later."


class LoginLocked(PyrewatchError):
    """Too many failed logins for this (account, client IP): refused until ``retry_after_seconds``."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(LOCKED_MESSAGE)
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True)
class SessionConfig:
    access_ttl: timedelta
    refresh_ttl: timedelta
    reset_ttl: timedelta
    max_attempts: int
    brute_force_protection: bool
    strong_passwords: bool


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    user_id: int
    session_id: int


@dataclass(frozen=True)
class LogoutResult:
    user_id: int | None
    session_ids: tuple[int, ...]


@dataclass(frozen=True)
class ResetRequest:
    email: str
    token: str


class Sessions:
    def __init__(self, factory: SessionFactory, keyring: Keyring, config: SessionConfig) -> None:
        self._factory = factory
        self._keyring = keyring
        self.config = config

    async def _issue(self, session_id: int, user_id: int) -> IssuedTokens:
        """Mint and record an access/refresh pair for a session, in a transaction of its own."""
        now = now_utc()
        access = TokenClaims(TokenKind.ACCESS, new_jti(), user_id, now + self.config.access_ttl, session_id)
        refresh = TokenClaims(TokenKind.REFRESH, new_jti(), user_id, now + self.config.refresh_ttl, session_id)
        async with transaction(self._factory) as session:
            await store.insert_access_token(
                session, jti=access.jti, session_id=session_id, expires_at=access.expires_at
            )
            await store.insert_refresh_token(
                session, jti=refresh.jti, session_id=session_id, expires_at=refresh.expires_at
            )
        return IssuedTokens(
            access_token=self._keyring.encode(access, now),
            refresh_token=self._keyring.encode(refresh, now),
            user_id=user_id,
            session_id=session_id,
        )

    # -- login -----------------------------------------------------------------------------------

    async def login(self, email: str, password: str, client_ip: str, user_agent: str | None) -> IssuedTokens:
        """``_login``, with its outcome in the audit log (a plausible email, never the password)."""
        try:
            tokens = await self._login(email, password, client_ip, user_agent)
        except LoginLocked:
            await self._audit_login(email, client_ip, "auth.lockout", "refused", None)
            raise
        except Unauthenticated:
            await self._audit_login(email, client_ip, "auth.login", "failure", None)
            raise
        await self._audit_login(email, client_ip, "auth.login", "success", tokens.user_id)
        return tokens

    async def _audit_login(self, email: str, client_ip: str, action: str, outcome: str, user_id: int | None) -> None:
        via = Via.ANONYMOUS if user_id is None else Via.SESSION
        principal = Principal(via=via, user_id=user_id, client_ip=client_ip)
        normalized = normalize_email(email)
        details = {"email": normalized[:320] if is_plausible_email(normalized) else None}
        event = audit.build_event(
            principal, action, target_type="USER", target_id=user_id, details=details, outcome=outcome
        )
        async with transaction(self._factory) as session:
            await audit.append(session, event)

    async def _login(self, email: str, password: str, client_ip: str, user_agent: str | None) -> IssuedTokens:
        """Check the password and open a session.

        Every attempt verifies one password hash (the user's, or a dummy one for an unknown or
        implausible email), so the time taken does not tell whether an account exists. The
        attempt is counted before its password is checked, atomically, so parallel attempts
        cannot get past the lockout: at most ``max_attempts`` passwords are checked per lockout.

        Raises:
            LoginLocked: the (email, client IP) pair is locked after repeated failures.
            Unauthenticated: wrong email or password (counted as a failure).
        """
        email = normalize_email(email)
        # An implausible email names no account: no counter row, but the same hashing work.
        plausible = is_plausible_email(email)
        if plausible:
            await self._reserve_attempt(email, client_ip)
        user = None
        if plausible:
            async with transaction(self._factory) as session:
                user = await user_store.find_user_by_email(session, email)
        password_hash = user.password_hash if user is not None and user.auth_method == "LOCAL" else None
        verified = await asyncio.to_thread(verify_password, password, password_hash)
        if user is None or not verified:
            if plausible:
                await self._lock_if_exhausted(email, client_ip)
            raise Unauthenticated(INVALID_CREDENTIALS)
        async with transaction(self._factory) as session:
            if self.config.brute_force_protection:
                await store.clear_login_failures(session, email, client_ip)
            if password_hash is not None and needs_rehash(password_hash):
                fresh = await user_store.get_user(session, user.id)
                fresh.password_hash = await asyncio.to_thread(hash_password, password)
            session_id = await store.insert_session(
                session, user_id=user.id, client_ip=client_ip, user_agent=user_agent
            )
        return await self._issue(session_id, user.id)

    async def _reserve_attempt(self, email: str, client_ip: str) -> None:
        """Count this attempt, then refuse it if the pair is locked or attempts are used up."""
        if not self.config.brute_force_protection:
            return
        now = now_utc()
        async with transaction(self._factory) as session:
            attempts, locked_until = await store.count_login_attempt(session, email=email, client_ip=client_ip, now=now)
        if locked_until is not None and locked_until > now:
            raise LoginLocked(max(1, int((locked_until - now).total_seconds()) + 1))
        if attempts > self.config.max_attempts:
            # Earlier attempts still being checked used up the allowance; they lock the pair.
            raise LoginLocked(int(LOCKOUT.total_seconds()))

    async def _lock_if_exhausted(self, email: str, client_ip: str) -> None:
        if not self.config.brute_force_protection:
            return
        now = now_utc()
        async with transaction(self._factory) as session:
            await store.lock_exhausted_login(
                session, email=email, client_ip=client_ip, until=now + LOCKOUT, max_attempts=self.config.max_attempts
            )

    # -- refresh ---------------------------------------------------------------------------------

    async def refresh(self, refresh_token: str) -> IssuedTokens:
        """Exchange a refresh token for a new pair in the same session.

        Raises:
            Unauthenticated: invalid or expired token; a replayed token also revokes its session.
        """
        decoded = self._keyring.decode(refresh_token, TokenKind.REFRESH)
        claims = decoded.claims
        if claims is None or claims.session_id is None:
            raise Unauthenticated("Invalid refresh token")
        now = now_utc()
        async with transaction(self._factory) as session:
            record = await store.find_refresh_record(session, claims.jti)
            if record is None or record.session_revoked or record.user_id != claims.user_id:
                raise Unauthenticated("Invalid refresh token")
            if decoded.status is TokenStatus.EXPIRED or record.expires_at <= now:
                raise Unauthenticated("Expired refresh token")
            claimed = await store.claim_refresh_token(session, claims.jti, now)
            if claimed:
                await store.revoke_session_access_tokens(session, record.session_id, now)
            else:
                # Reuse after rotation: someone else holds this family. End it for everyone.
                await store.revoke_session(session, record.session_id, now)
            # Exchanged or replayed, no cached access token of the session outlives this.
            effects.session_ended(session, record.session_id)
            user = await user_store.find_user(session, record.user_id)
        if not claimed:
            raise Unauthenticated("Invalid refresh token")
        if user is None:
            raise NotFound("User not found")
        return await self._issue(record.session_id, record.user_id)

    def session_of_refresh_token(self, refresh_token: str | None) -> TokenClaims | None:
        if not refresh_token:
            return None
        decoded = self._keyring.decode(refresh_token, TokenKind.REFRESH)
        return decoded.claims if decoded.status is TokenStatus.VALID else None

    # -- logout ----------------------------------------------------------------------------------

    async def logout(self, principal: Principal, refresh_token: str | None, *, everywhere: bool) -> LogoutResult:
        """End the caller's session (identified by access token or refresh cookie), or every
        session of the caller with ``everywhere``."""
        user_id: int | None = None
        session_id: int | None = None
        if principal.via is Via.SESSION:
            user_id, session_id = principal.user_id, principal.credential_id
        else:
            claims = self.session_of_refresh_token(refresh_token)
            if claims is not None:
                async with transaction(self._factory) as session:
                    record = await store.find_refresh_record(session, claims.jti)
                if record is not None and not record.session_revoked and record.user_id == claims.user_id:
                    user_id, session_id = record.user_id, record.session_id
        if user_id is None:
            return LogoutResult(None, ())
        now = now_utc()
        async with transaction(self._factory) as session:
            if everywhere:
                ended = tuple(await store.revoke_user_sessions(session, user_id, now))
            else:
                assert session_id is not None
                await store.revoke_session(session, session_id, now)
                ended = (session_id,)
            for ended_id in ended:
                effects.session_ended(session, ended_id)
            actor = principal if principal.via is Via.SESSION else Principal(via=Via.SESSION, user_id=user_id)
            await audit.record(
                session, actor, "auth.logout", target_type="USER", target_id=user_id, details={"sessions": len(ended)}
            )
        return LogoutResult(user_id, ended)

    # -- password reset --------------------------------------------------------------------------

    async def start_password_reset(self, email: str) -> ResetRequest | None:
        """A reset token for a LOCAL user (superseding any earlier one), or ``None`` for an
        unknown email, so callers answer the same either way."""
        email = normalize_email(email)
        if not is_plausible_email(email):
            return None
        now = now_utc()
        async with transaction(self._factory) as session:
            user = await user_store.find_user_by_email(session, email)
            if user is None or user.auth_method != "LOCAL" or user.role == "SYSTEM":
                return None
            claims = TokenClaims(TokenKind.PASSWORD_RESET, new_jti(), user.id, now + self.config.reset_ttl)
            await store.replace_reset_token(session, jti=claims.jti, user_id=user.id, expires_at=claims.expires_at)
        return ResetRequest(email=email, token=self._keyring.encode(claims, now))

    async def complete_password_reset(self, token: str, password: str) -> int:
        """Set a new password with a reset token (single use); ends every session of the user.

        Raises:
            Unauthenticated: the token is invalid, superseded, used or expired.
            InvalidInput: the password breaks the policy (the token stays usable).
        """
        decoded = self._keyring.decode(token, TokenKind.PASSWORD_RESET)
        claims = decoded.claims
        if claims is None or decoded.status is not TokenStatus.VALID:
            raise Unauthenticated("Invalid token")
        now = now_utc()
        async with transaction(self._factory) as session:
            row = await store.find_reset_token(session, claims.jti)
            if row is None or row.user_id != claims.user_id or row.expires_at <= now:
                raise Unauthenticated("Invalid token")
            problem = password_violation(password, self.config.strong_passwords)
            if problem is not None:
                raise InvalidInput(problem)
            user = await user_store.get_user(session, row.user_id)
            if not await store.delete_reset_token(session, claims.jti):
                raise Unauthenticated("Invalid token")
            user.password_hash = await asyncio.to_thread(hash_password, password)
            user.reset_password = False
            await store.clear_login_failures_of_email(session, user.email)
            await store.revoke_user_sessions(session, user.id, now)
            effects.user_changed(session, user.id)
            principal = Principal(via=Via.ANONYMOUS, user_id=user.id)
            await audit.record(session, principal, "auth.password_reset", target_type="USER", target_id=user.id)
            return user.id
