"""Password hashing with Argon2id (argon2-cffi): hash, verify in constant time, rehash on login."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from pyrewatch.auth.requirements import (
    DEFAULT_PASSWORD_REQUIREMENTS,
    STRONG_PASSWORD_REQUIREMENTS,
    violation,
)

_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the user has no usable hash, so an unknown account takes as long as
    a known one and login timing does not reveal which emails exist."""
    return _HASHER.hash("pyrewatch-timing-equalizer")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    try:
        return _HASHER.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def password_violation(password: str, strong: bool) -> str | None:
    """The policy message for ``password``, or ``None`` when it is acceptable."""
    requirements = STRONG_PASSWORD_REQUIREMENTS if strong else DEFAULT_PASSWORD_REQUIREMENTS
    return violation(password, "Password", requirements)
