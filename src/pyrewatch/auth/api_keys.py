"""The opaque API-key format (documented for secret scanners in docs/api-keys.md).

A key reads ``<prefix><key id><secret><checksum>``:

* prefix: ``pwsk_`` for a system key, ``pwuk_`` for a user key;
* key id: 16 base62 characters, public, names the database row;
* secret: 32 base62 characters (about 190 random bits), never stored: only its SHA-256 is;
* checksum: 6 base62 characters, the CRC-32 of everything before it, so a scanner (or the
  server, before touching the database) can tell a real key from a typo or a truncation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import zlib
from dataclasses import dataclass
from enum import StrEnum

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
KEY_ID_LENGTH = 16
SECRET_LENGTH = 32
CHECKSUM_LENGTH = 6


class KeyKind(StrEnum):
    SYSTEM = "SYSTEM"
    USER = "USER"


PREFIXES = {KeyKind.SYSTEM: "pwsk_", KeyKind.USER: "pwuk_"}
_KIND_BY_PREFIX = {prefix: kind for kind, prefix in PREFIXES.items()}
PREFIX_LENGTH = 5
KEY_LENGTH = PREFIX_LENGTH + KEY_ID_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH
# For scanners: a regular expression that matches every Pyrewatch key.
KEY_PATTERN = r"\bpw[su]k_[0-9A-Za-z]{54}\b"


@dataclass(frozen=True)
class ParsedKey:
    kind: KeyKind
    key_id: str
    secret: str


@dataclass(frozen=True)
class NewKey:
    """A freshly minted key: ``token`` is shown once; only ``secret_digest`` is stored."""

    kind: KeyKind
    key_id: str
    token: str
    secret_digest: str


def _random_base62(length: int) -> str:
    return "".join(secrets.choice(BASE62) for _ in range(length))


def _checksum(body: str) -> str:
    value = zlib.crc32(body.encode("ascii"))
    chars = []
    for _ in range(CHECKSUM_LENGTH):
        value, digit = divmod(value, 62)
        chars.append(BASE62[digit])
    return "".join(reversed(chars))


def digest_secret(secret: str) -> str:
    """SHA-256 of the secret part. A fast hash is right here: the secret has ~190 random bits."""
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def generate_key(kind: KeyKind) -> NewKey:
    key_id = _random_base62(KEY_ID_LENGTH)
    secret = _random_base62(SECRET_LENGTH)
    body = PREFIXES[kind] + key_id + secret
    return NewKey(kind=kind, key_id=key_id, token=body + _checksum(body), secret_digest=digest_secret(secret))


def looks_like_key(token: str) -> bool:
    """True when the token carries a Pyrewatch key prefix, whether or not the rest is valid."""
    return token[:PREFIX_LENGTH] in _KIND_BY_PREFIX


def parse_key(token: str) -> ParsedKey | None:
    """Split a presented key, or return ``None`` when its shape or checksum is wrong."""
    if len(token) != KEY_LENGTH or not token.isascii():
        return None
    kind = _KIND_BY_PREFIX.get(token[:PREFIX_LENGTH])
    body, checksum = token[:-CHECKSUM_LENGTH], token[-CHECKSUM_LENGTH:]
    rest = token[PREFIX_LENGTH:]
    if kind is None or not all(c in BASE62 for c in rest):
        return None
    if not hmac.compare_digest(_checksum(body), checksum):
        return None
    key_id = rest[:KEY_ID_LENGTH]
    secret = rest[KEY_ID_LENGTH : KEY_ID_LENGTH + SECRET_LENGTH]
    return ParsedKey(kind=kind, key_id=key_id, secret=secret)


def verify_secret(secret: str, stored_digest: str) -> bool:
    """Constant-time comparison of a presented secret against the stored digest."""
    return hmac.compare_digest(digest_secret(secret), stored_digest)


# A provisioning file names a key by its digest line: ``<prefix><key id>.<SHA-256 of the secret>``.
_DIGEST_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class DigestLine:
    kind: KeyKind
    key_id: str
    secret_digest: str


def digest_line(key: NewKey) -> str:
    """The line an operator commits to a provisioning file instead of the key itself."""
    return f"{PREFIXES[key.kind]}{key.key_id}.{key.secret_digest}"


def parse_digest_line(line: str) -> DigestLine | None:
    """Split a digest line, or ``None`` when its shape is wrong."""
    kind = _KIND_BY_PREFIX.get(line[:PREFIX_LENGTH])
    rest = line[PREFIX_LENGTH:]
    key_id, dot, digest = rest[:KEY_ID_LENGTH], rest[KEY_ID_LENGTH : KEY_ID_LENGTH + 1], rest[KEY_ID_LENGTH + 1 :]
    if kind is None or dot != "." or len(digest) != 64 or not set(digest) <= _DIGEST_HEX:
        return None
    if len(key_id) != KEY_ID_LENGTH or not all(c in BASE62 for c in key_id):
        return None
    return DigestLine(kind=kind, key_id=key_id, secret_digest=digest)
