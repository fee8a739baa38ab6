"""Generation of deployment secrets that satisfy the secret rules."""

from __future__ import annotations

import secrets
import string

from pyrewatch.auth.requirements import SECRET_REQUIREMENTS, violation

_ALPHABET = string.ascii_letters + string.digits


def generate_secret(length: int = 64) -> str:
    """A random alphanumeric secret (about 5.95 bits per character) that passes the secret rules."""
    if length < 32:
        raise ValueError("a secret must be at least 32 characters long")
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if violation(candidate, "secret", SECRET_REQUIREMENTS) is None:
            return candidate
