"""Configuration: read once from the environment at start-up into a frozen ``Settings``.

Only the composition roots (``cli/`` and ``http/app.py``) import this module. Every variable is
declared once in ``SETTINGS``; that registry drives parsing, ``pyrewatch serve --help`` and the
test that keeps ``docs/configuration.md`` complete. A malformed value raises
``ConfigurationError`` with one line that names the variable and the rule it breaks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

from pyrewatch.auth.requirements import SECRET_REQUIREMENTS, violation
from pyrewatch.errors import ConfigurationError


@dataclass(frozen=True)
class EnvVar:
    name: str
    default: str | None
    help: str


SETTINGS: tuple[EnvVar, ...] = (
    EnvVar("PHOENIX_HOST", "0.0.0.0", "Interface the HTTP and gRPC servers bind to."),
    EnvVar("PHOENIX_PORT", "6006", "HTTP port: UI, REST /v1, GraphQL /graphql, OTLP/HTTP /v1/traces."),
    EnvVar("PHOENIX_GRPC_PORT", "4317", "OTLP/gRPC port."),
    EnvVar("PHOENIX_HOST_ROOT_PATH", "", "Sub-path under which a reverse proxy serves Pyrewatch, e.g. /pyrewatch."),
    EnvVar("PHOENIX_WORKING_DIR", "~/.pyrewatch", "Directory for the embedded SQLite database."),
    EnvVar(
        "PHOENIX_SQL_DATABASE_URL",
        None,
        "Database URL: sqlite:///path or postgresql://user:pass@host:port/db (default: SQLite in the working dir).",
    ),
    EnvVar("PHOENIX_SQL_DATABASE_SCHEMA", None, "PostgreSQL schema to use instead of public."),
    EnvVar("PHOENIX_POSTGRES_HOST", None, "PostgreSQL host (used when PHOENIX_SQL_DATABASE_URL is unset)."),
    EnvVar("PHOENIX_POSTGRES_PORT", "5432", "PostgreSQL port."),
    EnvVar("PHOENIX_POSTGRES_USER", None, "PostgreSQL user."),
    EnvVar("PHOENIX_POSTGRES_PASSWORD", None, "PostgreSQL password."),
    EnvVar("PHOENIX_POSTGRES_DB", None, "PostgreSQL database name."),
    EnvVar("PHOENIX_ENABLE_AUTH", "false", "Require a credential on every API, GraphQL and OTLP request."),
    EnvVar(
        "PHOENIX_SECRET", None, "Signs session tokens. Required with auth; >= 32 chars, a digit and a lowercase letter."
    ),
    EnvVar(
        "PYREWATCH_PREVIOUS_SECRETS",
        None,
        "Comma-separated retired PHOENIX_SECRET values that still verify (never sign) session tokens.",
    ),
    EnvVar(
        "PHOENIX_ADMIN_SECRET",
        None,
        "Bootstrap bearer credential with admin rights; same rules as PHOENIX_SECRET and different from it.",
    ),
    EnvVar(
        "PHOENIX_DEFAULT_ADMIN_INITIAL_PASSWORD", "admin", "Password of the default admin when it is first created."
    ),
    EnvVar("PHOENIX_ADMINS", None, "Admins created at start-up: username=email pairs separated by ';'."),
    EnvVar("PHOENIX_ACCESS_TOKEN_EXPIRY_MINUTES", "10", "Lifetime of a session access token, in minutes."),
    EnvVar("PHOENIX_REFRESH_TOKEN_EXPIRY_MINUTES", "10080", "Lifetime of a session refresh token, in minutes."),
    EnvVar("PHOENIX_PASSWORD_RESET_TOKEN_EXPIRY_MINUTES", "15", "Lifetime of a password-reset link, in minutes."),
    EnvVar("PHOENIX_USE_SECURE_COOKIES", "false", "Mark session cookies Secure (set it behind HTTPS)."),
    EnvVar("PHOENIX_COOKIES_PATH", "/", "Path attribute of session cookies."),
    EnvVar(
        "PHOENIX_CSRF_TRUSTED_ORIGINS",
        None,
        "Comma-separated origins allowed to send cookie-authenticated state-changing requests.",
    ),
    EnvVar("PHOENIX_ROOT_URL", None, "Public URL of this server, used in links and WWW-Authenticate headers."),
    EnvVar("PHOENIX_DISABLE_RATE_LIMIT", "false", "Turn off the per-IP rate limit on /auth/*."),
    EnvVar("PHOENIX_DISABLE_BASIC_AUTH", "false", "Turn off email/password login (needs another login method)."),
    EnvVar("PHOENIX_ENABLE_STRONG_PASSWORD_POLICY", "false", "Require 12+ chars with digit, lower, upper and special."),
    EnvVar(
        "PHOENIX_DISABLE_BRUTE_FORCE_LOGIN_PROTECTION",
        "false",
        "Turn off the lockout of an (account, client IP) pair after repeated failed logins.",
    ),
    EnvVar("PHOENIX_BRUTE_FORCE_LOGIN_PROTECTION_MAX_ATTEMPTS", "5", "Failed logins before a lockout."),
    EnvVar("PHOENIX_SMTP_HOSTNAME", None, "SMTP server for password-reset mail; mail is off when unset."),
    EnvVar("PHOENIX_SMTP_PORT", "587", "SMTP port."),
    EnvVar("PHOENIX_SMTP_USERNAME", None, "SMTP user (required with PHOENIX_SMTP_HOSTNAME)."),
    EnvVar("PHOENIX_SMTP_PASSWORD", None, "SMTP password (required with PHOENIX_SMTP_HOSTNAME)."),
    EnvVar("PHOENIX_SMTP_MAIL_FROM", "noreply@localhost", "Sender address of outgoing mail."),
    EnvVar("PHOENIX_SMTP_VALIDATE_CERTS", "true", "Verify the SMTP server's TLS certificate."),
    EnvVar("PHOENIX_LOGGING_LEVEL", "info", "Log level: debug, info, warning or error."),
    EnvVar("PYREWATCH_MAX_REQUEST_BODY_BYTES", "33554432", "Largest accepted OTLP/HTTP request body (413 beyond)."),
    EnvVar(
        "PHOENIX_MAX_SPANS_QUEUE_SIZE",
        "20000",
        "Spans waiting to be committed before OTLP exports are refused (503/UNAVAILABLE, retried by exporters).",
    ),
    EnvVar(
        "PYREWATCH_RETENTION_MAX_AGE_DAYS",
        "0",
        "Default retention: delete traces older than this many days (0 keeps them); projects may set their own.",
    ),
    EnvVar(
        "PYREWATCH_RETENTION_MAX_SPANS",
        "0",
        "Default retention: keep at most this many spans per project, oldest traces first (0: no bound).",
    ),
    EnvVar("PYREWATCH_RETENTION_SWEEP_SECONDS", "3600", "Seconds between retention sweeps."),
)

_KNOWN = {v.name: v for v in SETTINGS}
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


@dataclass(frozen=True)
class Settings:
    host: str = "0.0.0.0"
    port: int = 6006
    grpc_port: int = 4317
    host_root_path: str = ""
    working_dir: Path = field(default_factory=lambda: Path("~/.pyrewatch").expanduser())
    database_url: str = ""
    database_schema: str | None = None
    enable_auth: bool = False
    secret: str | None = None
    previous_secrets: tuple[str, ...] = ()
    admin_secret: str | None = None
    default_admin_initial_password: str = "admin"
    admins: tuple[tuple[str, str], ...] = ()
    access_token_expiry: timedelta = timedelta(minutes=10)
    refresh_token_expiry: timedelta = timedelta(minutes=10080)
    password_reset_token_expiry: timedelta = timedelta(minutes=15)
    use_secure_cookies: bool = False
    cookies_path: str = "/"
    csrf_trusted_origins: tuple[str, ...] = ()
    root_url: str | None = None
    disable_rate_limit: bool = False
    disable_basic_auth: bool = False
    enable_strong_password_policy: bool = False
    disable_brute_force_login_protection: bool = False
    brute_force_max_attempts: int = 5
    smtp: SmtpSettings | None = None
    logging_level: str = "info"
    max_request_body_bytes: int = 32 * 1024 * 1024
    max_spans_queue_size: int = 20_000
    retention_max_age_days: int = 0  # 0: no default bound
    retention_max_spans: int = 0  # 0: no default bound
    retention_sweep_seconds: int = 3600


class _Env:
    """Typed, stripped reads of one environment mapping, each failing with a one-line message."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def raw(self, name: str) -> str | None:
        value = self._environ.get(name)
        return None if value is None else value.strip()

    def text(self, name: str) -> str:
        value = self.raw(name)
        if value is None:
            default = _KNOWN[name].default
            return "" if default is None else default
        return value

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


def _check_secret(name: str, value: str) -> None:
    problem = violation(value, f"{name}", SECRET_REQUIREMENTS)
    if problem is not None:
        raise ConfigurationError(f"{problem} (generate one with `pyrewatch secret generate`)")


def _secrets(env: _Env, enable_auth: bool) -> tuple[str | None, str | None, tuple[str, ...]]:
    secret = env.raw("PHOENIX_SECRET")
    if secret is not None:
        _check_secret("PHOENIX_SECRET", secret)
    elif enable_auth:
        raise ConfigurationError("PHOENIX_SECRET must be set when auth is enabled with PHOENIX_ENABLE_AUTH")
    admin_secret = env.raw("PHOENIX_ADMIN_SECRET")
    if admin_secret is not None:
        if secret is None:
            raise ConfigurationError("PHOENIX_ADMIN_SECRET must not be set without setting PHOENIX_SECRET")
        _check_secret("PHOENIX_ADMIN_SECRET", admin_secret)
        if admin_secret == secret:
            raise ConfigurationError("PHOENIX_ADMIN_SECRET must be different from PHOENIX_SECRET")
    previous: list[str] = []
    for item in (env.raw("PYREWATCH_PREVIOUS_SECRETS") or "").split(","):
        item = item.strip()
        if item:
            _check_secret("PYREWATCH_PREVIOUS_SECRETS entry", item)
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


def _absolute_url(name: str, value: str | None) -> str | None:
    if value is None or not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"{name} must be an absolute http(s) URL with a host. Got: {value}")
    return value.rstrip("/")


def _origins(env: _Env) -> tuple[str, ...]:
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


def _database_url(env: _Env, working_dir: Path) -> str:
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


def _smtp(env: _Env) -> SmtpSettings | None:
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


def _root_path(env: _Env) -> str:
    value = env.text("PHOENIX_HOST_ROOT_PATH").rstrip("/")
    if value and not value.startswith("/"):
        raise ConfigurationError(f"PHOENIX_HOST_ROOT_PATH must start with '/'. Got: {value}")
    return value


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Parse and validate every variable; raise ``ConfigurationError`` on the first bad one."""
    env = _Env(environ)
    enable_auth = env.flag("PHOENIX_ENABLE_AUTH")
    secret, admin_secret, previous = _secrets(env, enable_auth)
    disable_basic_auth = env.flag("PHOENIX_DISABLE_BASIC_AUTH")
    if enable_auth and disable_basic_auth:
        raise ConfigurationError(
            "PHOENIX_DISABLE_BASIC_AUTH is set, but no alternative authentication method is "
            "available: Pyrewatch supports password login only"
        )
    working_dir = Path(env.text("PHOENIX_WORKING_DIR")).expanduser()
    logging_level = env.text("PHOENIX_LOGGING_LEVEL").lower()
    if logging_level not in _LOG_LEVELS:
        raise ConfigurationError(f"PHOENIX_LOGGING_LEVEL must be one of {', '.join(_LOG_LEVELS)}. Got: {logging_level}")
    return Settings(
        host=env.text("PHOENIX_HOST"),
        port=env.integer("PHOENIX_PORT", 0, 65535),
        grpc_port=env.integer("PHOENIX_GRPC_PORT", 0, 65535),
        host_root_path=_root_path(env),
        working_dir=working_dir,
        database_url=_database_url(env, working_dir),
        database_schema=env.optional("PHOENIX_SQL_DATABASE_SCHEMA"),
        enable_auth=enable_auth,
        secret=secret,
        previous_secrets=previous,
        admin_secret=admin_secret,
        default_admin_initial_password=env.optional("PHOENIX_DEFAULT_ADMIN_INITIAL_PASSWORD") or "admin",
        admins=parse_admins(env.raw("PHOENIX_ADMINS")),
        access_token_expiry=env.minutes("PHOENIX_ACCESS_TOKEN_EXPIRY_MINUTES"),
        refresh_token_expiry=env.minutes("PHOENIX_REFRESH_TOKEN_EXPIRY_MINUTES"),
        password_reset_token_expiry=env.minutes("PHOENIX_PASSWORD_RESET_TOKEN_EXPIRY_MINUTES"),
        use_secure_cookies=env.flag("PHOENIX_USE_SECURE_COOKIES"),
        cookies_path=env.text("PHOENIX_COOKIES_PATH") or "/",
        csrf_trusted_origins=_origins(env),
        root_url=_absolute_url("PHOENIX_ROOT_URL", env.optional("PHOENIX_ROOT_URL")),
        disable_rate_limit=env.flag("PHOENIX_DISABLE_RATE_LIMIT"),
        disable_basic_auth=disable_basic_auth,
        enable_strong_password_policy=env.flag("PHOENIX_ENABLE_STRONG_PASSWORD_POLICY"),
        disable_brute_force_login_protection=env.flag("PHOENIX_DISABLE_BRUTE_FORCE_LOGIN_PROTECTION"),
        brute_force_max_attempts=env.integer("PHOENIX_BRUTE_FORCE_LOGIN_PROTECTION_MAX_ATTEMPTS", 1),
        smtp=_smtp(env),
        logging_level=logging_level,
        max_request_body_bytes=env.integer("PYREWATCH_MAX_REQUEST_BODY_BYTES", 1024),
        max_spans_queue_size=env.integer("PHOENIX_MAX_SPANS_QUEUE_SIZE", 1),
        retention_max_age_days=env.integer("PYREWATCH_RETENTION_MAX_AGE_DAYS", 0, 100_000),
        retention_max_spans=env.integer("PYREWATCH_RETENTION_MAX_SPANS", 0, 2**31 - 1),
        retention_sweep_seconds=env.integer("PYREWATCH_RETENTION_SWEEP_SECONDS", 1),
    )
