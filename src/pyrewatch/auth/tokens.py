"""Session tokens (access, refresh, password reset): HS256 JWTs with a ``kid`` header.

The current ``PHOENIX_SECRET`` signs; retired secrets listed in ``PYREWATCH_PREVIOUS_SECRETS``
still verify, so the secret can rotate without logging everyone out. Every token carries a random
``jti`` that names a database row, so logout and revocation work; ``exp`` bounds its life even if
that row were never cleaned up. This is the only module that imports ``jwt``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import jwt

ALGORITHM = "HS256"


class TokenKind(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"
    PASSWORD_RESET = "password_reset"


class TokenStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"


@dataclass(frozen=True)
class TokenClaims:
    kind: TokenKind
    jti: str
    user_id: int
    expires_at: datetime
    session_id: int | None = None


@dataclass(frozen=True)
class DecodedToken:
    status: TokenStatus
    claims: TokenClaims | None = None


def new_jti() -> str:
    """A random token id (256 bits), never reused, so a revoked token cannot come back."""
    return secrets.token_urlsafe(32)


def key_id(secret: str) -> str:
    """A short public name for a signing secret; it reveals nothing usable about the secret."""
    return hashlib.sha256(b"pyrewatch-kid:" + secret.encode()).hexdigest()[:16]


class Keyring:
    """Signs with the current secret; verifies with the current or any previous one."""

    def __init__(self, current: str, previous: tuple[str, ...] = ()) -> None:
        self._current = current
        self._current_kid = key_id(current)
        self._by_kid = {key_id(s): s for s in (*previous, current)}

    def encode(self, claims: TokenClaims, issued_at: datetime) -> str:
        payload: dict[str, object] = {
            "jti": claims.jti,
            "sub": str(claims.user_id),
            "typ": claims.kind.value,
            "iat": int(issued_at.timestamp()),
            "exp": int(claims.expires_at.timestamp()),
        }
        if claims.session_id is not None:
            payload["sid"] = claims.session_id
        return jwt.encode(payload, self._current, algorithm=ALGORITHM, headers={"kid": self._current_kid})

    def decode(self, token: str, expected: TokenKind) -> DecodedToken:
        """Verify signature, kind and expiry. Unknown ``kid``, other algorithms (``none``
        included), a wrong kind or any malformed part give ``INVALID``."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return DecodedToken(TokenStatus.INVALID)
        secret = self._by_kid.get(str(header.get("kid")))
        if secret is None or header.get("alg") != ALGORITHM:
            return DecodedToken(TokenStatus.INVALID)
        expired = False
        try:
            payload = jwt.decode(
                token, secret, algorithms=[ALGORITHM], options={"require": ["jti", "sub", "typ", "exp"]}
            )
        except jwt.ExpiredSignatureError:
            expired = True
            payload = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"verify_exp": False})
        except jwt.PyJWTError:
            return DecodedToken(TokenStatus.INVALID)
        claims = _claims(payload, expected)
        if claims is None:
            return DecodedToken(TokenStatus.INVALID)
        return DecodedToken(TokenStatus.EXPIRED if expired else TokenStatus.VALID, claims)


def _claims(payload: dict[str, object], expected: TokenKind) -> TokenClaims | None:
    if payload.get("typ") != expected.value:
        return None
    jti, sub, exp, sid = payload.get("jti"), payload.get("sub"), payload.get("exp"), payload.get("sid")
    if not isinstance(jti, str) or not isinstance(sub, str) or not sub.isdigit() or not isinstance(exp, int):
        return None
    if sid is not None and not isinstance(sid, int):
        return None
    return TokenClaims(
        kind=expected,
        jti=jti,
        user_id=int(sub),
        expires_at=datetime.fromtimestamp(exp, UTC),
        session_id=sid,
    )
