"""Strength rules shared by the deployment secrets and user passwords.

Both follow Phoenix's order: first the hard rules (non-empty, no whitespace, ASCII only), then
accumulated requirements reported together so a person fixes everything at once.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass

SPECIAL_CHARACTERS = "!@#$%^&*()_+"


@dataclass(frozen=True)
class Requirement:
    phrase: str
    check: Callable[[str], bool]


def min_length(n: int) -> Requirement:
    return Requirement(f"be at least {n} characters long", lambda v: len(v) >= n)


HAS_DIGIT = Requirement("contain at least one digit", lambda v: any(c in string.digits for c in v))
HAS_LOWER = Requirement("contain at least one lowercase letter", lambda v: any(c in string.ascii_lowercase for c in v))
HAS_UPPER = Requirement("contain at least one uppercase letter", lambda v: any(c in string.ascii_uppercase for c in v))
HAS_SPECIAL = Requirement(
    f"contain at least one special character ({SPECIAL_CHARACTERS})",
    lambda v: any(c in SPECIAL_CHARACTERS for c in v),
)

SECRET_REQUIREMENTS = (min_length(32), HAS_DIGIT, HAS_LOWER)
DEFAULT_PASSWORD_REQUIREMENTS = (min_length(4),)
STRONG_PASSWORD_REQUIREMENTS = (min_length(12), HAS_DIGIT, HAS_LOWER, HAS_UPPER, HAS_SPECIAL)


def _join(phrases: list[str]) -> str:
    if len(phrases) == 1:
        return phrases[0]
    if len(phrases) == 2:
        return f"{phrases[0]} and {phrases[1]}"
    return ", ".join(phrases[:-1]) + f", and {phrases[-1]}"


def violation(value: str, subject: str, requirements: tuple[Requirement, ...]) -> str | None:
    """Return a one-line message naming ``subject`` and every rule ``value`` breaks, or ``None``."""
    if not value:
        return f"{subject} must be non-empty"
    if any(c.isspace() for c in value):
        return f"{subject} must not contain whitespace characters"
    if not value.isascii():
        return f"{subject} must contain only ASCII characters"
    failed = [r.phrase for r in requirements if not r.check(value)]
    if failed:
        return f"{subject} must {_join(failed)}"
    return None


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+[.][^@\s]+\Z")


MAX_EMAIL_LENGTH = 320


def normalize_email(email: str) -> str:
    return email.strip().lower()


def has_control_characters(value: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in value)


def is_valid_email(email: str) -> bool:
    """Phoenix's format check (something, ``@``, something, ``.``, something, no whitespace),
    plus a length bound and no control characters, which no database column accepts."""
    return len(email) <= MAX_EMAIL_LENGTH and not has_control_characters(email) and bool(_EMAIL.match(email))


def is_plausible_email(email: str) -> bool:
    """Worth looking up: storable, whatever its format (login accepts any stored email)."""
    return len(email) <= MAX_EMAIL_LENGTH and not has_control_characters(email)
