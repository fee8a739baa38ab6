"""Reading configuration values from environment variables: typed, stripped reads (``Env``)
and the rules of the values that need more than a type (secrets, URLs, origins, admins, SMTP).

Every failure raises ``ConfigurationError`` with one line naming the variable and the rule it
breaks. ``settings.py`` holds the registry of variables and builds ``Settings`` with these.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

from pyrewatch.auth.requirements import SECRET_REQUIREMENTS, violation
from pyrewatch.errors import ConfigurationError

_ADMIN_PAIR_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+[.][^@\s]+\Z")
_LOG_LEVELS = ("debug", "info", "warning", "error")


@dataclass(frozen=True)
class SmtpSettings:
    hostname: str
    port: int
    username: str
    password: str
    mail_from: str
    validate_certs: bool


class Env:
    """Typed, stripped reads of one environment mapping, each failing with a one-line message."""

    def __init__(self, environ: Mapping[str, str], defaults: Mapping[str, str | None]) -> None:
        self._environ = environ
        self._defaults = defaults

    def raw(self, name: str) -> str | None:
        value = self._environ.get(name)
        return None if value is None else value.strip()

    def text(self, name: str) -> str:
        value = self.raw(name)
        return self.default(name) if value is None else value

    def default(self, name: str) -> str:
        default = self._defaults.get(name)
        return "" if default is None else default

    def optional(self, name: str) -> str | None:
        value = self.raw(name)
        return value if value else None

    def flag(self, name: str) -> bool:
        value = self.text(name).lower()
        if value not in ("true", "false"):
            raise ConfigurationError(f"{name} must be set to TRUE or FALSE (case-insensitive). Got: {self.raw(name)}")
        return value == "true"

    def integer(self, name: str, minimum: int, maximum: int | None = None) -> int:
        text = self.text(name)
        try:
            value = int(text)
        except ValueError:
            raise ConfigurationError(
                f"Invalid value for environment variable {name}: {text}. Value must be an integer."
            ) from None
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            raise ConfigurationError(f"{name} must be {bound}. Got: {text}")
        return value

    def minutes(self, name: str) -> timedelta:
        text = self.text(name)
        try:
            value = float(text)
        except ValueError:
            raise ConfigurationError(
                f"Invalid value for environment variable {name}: {text}. Value must be a number."
            ) from None
        if not value > 0 or value != value or value == float("inf"):
            raise ConfigurationError(f"{name} must be a positive number of minutes. Got: {text}")
        return timedelta(minutes=value)


def check_secret(name: str, value: str) -> None:
    problem = violation(value, f"{name}", SECRET_REQUIREMENTS)
    if problem is not None:
        raise ConfigurationError(f"{problem} (generate one with `pyrewatch secret generate`)")


def read_secrets(env: Env, enable_auth: bool) -> tuple[str | None, str | None, tuple[str, ...]]:
    secret = env.raw("PHOENIX_SECRET")
    if secret is not None:
        check_secret("PHOENIX_SECRET", secret)
    elif enable_auth:
        raise ConfigurationError("PHOENIX_SECRET must be set when auth is enabled with PHOENIX_ENABLE_AUTH")
    admin_secret = env.raw("PHOENIX_ADMIN_SECRET")
    if admin_secret is not None:
        if secret is None:
            raise ConfigurationError("PHOENIX_ADMIN_SECRET must not be set without setting PHOENIX_SECRET")
        check_secret("PHOENIX_ADMIN_SECRET", admin_secret)
        if admin_secret == secret:
            raise ConfigurationError("PHOENIX_ADMIN_SECRET must be different from PHOENIX_SECRET")
    previous: list[str] = []
    for item in (env.raw("PYREWATCH_PREVIOUS_SECRETS") or "").split(","):
        item = item.strip()
        if item:
            check_secret("PYREWATCH_PREVIOUS_SECRETS entry", item)
            previous.append(item)
    if previous and secret is None:
        raise ConfigurationError("PYREWATCH_PREVIOUS_SECRETS must not be set without setting PHOENIX_SECRET")
    if admin_secret is not None and admin_secret in previous:
        raise ConfigurationError("PHOENIX_ADMIN_SECRET must be different from every PYREWATCH_PREVIOUS_SECRETS entry")
    return secret, admin_secret, tuple(previous)


def parse_admins(value: str | None) -> tuple[tuple[str, str], ...]:
    """Parse ``PHOENIX_ADMINS`` (``username=email;...``); the last ``=`` splits a pair."""
    admins: list[tuple[str, str]] = []
    seen_names: set[str] = set()
    seen_emails: set[str] = set()
    for piece in (value or "").split(";"):
        if not piece.strip():
            continue
        username, sep, email = piece.rpartition("=")
        username, email = username.strip(), email.strip().lower()
        if not sep or not username:
            raise ConfigurationError(
                f"Invalid format in PHOENIX_ADMINS: '{piece.strip()}'. Expected format: 'username=email'"
            )
        if not _ADMIN_PAIR_EMAIL.match(email):
            raise ConfigurationError(f"Invalid email in PHOENIX_ADMINS: '{email}'")
        if username in seen_names:
            raise ConfigurationError(f"Duplicate username in PHOENIX_ADMINS: '{username}'")
        if email in seen_emails:
            raise ConfigurationError(f"Duplicate email in PHOENIX_ADMINS: '{email}'")
        seen_names.add(username)
        seen_emails.add(email)
        admins.append((username, email))
    return tuple(admins)


def absolute_url(name: str, value: str | None) -> str | None:
    if value is None or not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"{name} must be an absolute http(s) URL with a host. Got: {value}")
    return value.rstrip("/")


def origins(env: Env) -> tuple[str, ...]:
    origins: set[str] = set()
    for item in (env.raw("PHOENIX_CSRF_TRUSTED_ORIGINS") or "").split(","):
        item = item.strip()
        if not item:
            continue
        parts = urlsplit(item)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(
                f"PHOENIX_CSRF_TRUSTED_ORIGINS must list absolute http(s) origins with a hostname. Got: {item}"
            )
        origins.add(normalize_origin(item))
    return tuple(sorted(origins))


def normalize_origin(url: str) -> str:
    """``scheme://host[:port]`` in lower case, default ports dropped: the unit of CSRF comparison."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None or (scheme, port) in (("http", 80), ("https", 443)):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def normalize_database_url(url: str) -> str:
    """Map Phoenix-style URLs onto SQLAlchemy async drivers (aiosqlite, asyncpg)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ConfigurationError(
            f"PHOENIX_SQL_DATABASE_URL must look like sqlite:///path or postgresql://host/db. Got: {url}"
        )
    base = scheme.split("+", 1)[0].lower()
    if base == "sqlite":
        return f"sqlite+aiosqlite://{rest}"
    if base in ("postgresql", "postgres"):
        return f"postgresql+asyncpg://{rest}"
    raise ConfigurationError(
        f"PHOENIX_SQL_DATABASE_URL has an unsupported scheme '{scheme}': use sqlite:// or postgresql://"
    )


def database_url(env: Env, working_dir: Path) -> str:
    url = env.optional("PHOENIX_SQL_DATABASE_URL")
    if url is not None:
        return normalize_database_url(url)
    host = env.optional("PHOENIX_POSTGRES_HOST")
    if host is not None:
        user = env.optional("PHOENIX_POSTGRES_USER")
        password = env.optional("PHOENIX_POSTGRES_PASSWORD")
        db = env.optional("PHOENIX_POSTGRES_DB")
        if user is None or db is None:
            raise ConfigurationError(
                "PHOENIX_POSTGRES_HOST needs PHOENIX_POSTGRES_USER and PHOENIX_POSTGRES_DB as well"
            )
        port = env.integer("PHOENIX_POSTGRES_PORT", 1, 65535)
        auth = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
        return f"postgresql+asyncpg://{auth}@{host}:{port}/{db}"
    return f"sqlite+aiosqlite:///{working_dir / 'pyrewatch.db'}"


def smtp(env: Env) -> SmtpSettings | None:
    hostname = env.optional("PHOENIX_SMTP_HOSTNAME")
    if hostname is None:
        return None
    username = env.optional("PHOENIX_SMTP_USERNAME")
    password = env.optional("PHOENIX_SMTP_PASSWORD")
    if username is None or password is None:
        raise ConfigurationError(
            "PHOENIX_SMTP_USERNAME and PHOENIX_SMTP_PASSWORD are required with PHOENIX_SMTP_HOSTNAME"
        )
    return SmtpSettings(
        hostname=hostname,
        port=env.integer("PHOENIX_SMTP_PORT", 1, 65535),
        username=username,
        password=password,
        mail_from=env.text("PHOENIX_SMTP_MAIL_FROM"),
        validate_certs=env.flag("PHOENIX_SMTP_VALIDATE_CERTS"),
    )


def root_path(env: Env) -> str:
    value = env.text("PHOENIX_HOST_ROOT_PATH").rstrip("/")
    if value and not value.startswith("/"):
        raise ConfigurationError(f"PHOENIX_HOST_ROOT_PATH must start with '/'. Got: {value}")
    return value


def logging_level(env: Env) -> str:
    value = env.text("PHOENIX_LOGGING_LEVEL").lower()
    if value not in _LOG_LEVELS:
        raise ConfigurationError(f"PHOENIX_LOGGING_LEVEL must be one of {', '.join(_LOG_LEVELS)}. Got: {value}")
    return value
