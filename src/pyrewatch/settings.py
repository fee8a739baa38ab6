"""Configuration: read once from the environment at start-up into a frozen ``Settings``.

Only the composition roots (``cli/`` and ``http/app.py``) import this module. Every variable is
declared once in ``SETTINGS``; that registry drives parsing, ``pyrewatch serve --help`` and the
test that keeps ``docs/configuration.md`` complete. A malformed value raises
``ConfigurationError`` with one line that names the variable and the rule it breaks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pyrewatch import environment
from pyrewatch.clock import ensure_utc
from pyrewatch.environment import Env, SmtpSettings, normalize_origin, parse_admins
from pyrewatch.errors import ConfigurationError

__all__ = ["SETTINGS", "EnvVar", "Settings", "SmtpSettings", "load_settings", "normalize_origin", "parse_admins"]

Parser = Callable[["Env", str], Any]


@dataclass(frozen=True)
class EnvVar:
    """One environment variable: its default (as it would be written in the environment), its
    help (for ``serve --help`` and the docs), and, when it maps to one ``Settings`` field, that
    field's name and parser. Variables that combine into one value (the database URL, the
    secrets, SMTP) have no ``field`` and are read by ``load_settings`` itself."""

    name: str
    default: str | None
    help: str
    field: str | None = None
    parse: Parser | None = None
    # The ``pyrewatch serve`` option that overrides the variable, if any.
    cli: str | None = None


def _text(env: Env, name: str) -> str:
    return env.text(name)


def _optional(env: Env, name: str) -> str | None:
    return env.optional(name)


def _flag(env: Env, name: str) -> bool:
    return env.flag(name)


# For the CLI: a setting parsed by this is an on/off switch.
is_flag_parser = _flag


def _minutes(env: Env, name: str) -> timedelta:
    return env.minutes(name)


def _integer(minimum: int, maximum: int | None = None) -> Parser:
    def parse(env: Env, name: str) -> int:
        return env.integer(name, minimum, maximum)

    return parse


def _path(env: Env, name: str) -> Path:
    return Path(env.text(name)).expanduser()


def _optional_path(env: Env, name: str) -> Path | None:
    text = env.optional(name)
    return None if text is None else Path(text).expanduser()


def _text_or_default(env: Env, name: str) -> str:
    """Empty counts as unset."""
    return env.optional(name) or env.default(name)


def _instant(env: Env, name: str) -> datetime | None:
    """An ISO 8601 time (UTC when it names no offset), or ``None`` when unset."""
    text = env.optional(name)
    if text is None:
        return None
    try:
        return ensure_utc(datetime.fromisoformat(text))
    except (ValueError, OverflowError):
        raise ConfigurationError(f"{name} must be an ISO 8601 time such as 2027-01-31T00:00:00Z. Got: {text}") from None


_PORT = _integer(0, 65535)

SETTINGS: tuple[EnvVar, ...] = (
    EnvVar("PHOENIX_HOST", "0.0.0.0", "Interface the HTTP and gRPC servers bind to.", "host", _text, "--host"),
    EnvVar(
        "PHOENIX_PORT",
        "6006",
        "HTTP port: UI, REST /v1, GraphQL /graphql, OTLP/HTTP /v1/traces.",
        "port",
        _PORT,
        "--port",
    ),
    EnvVar("PHOENIX_GRPC_PORT", "4317", "OTLP/gRPC port.", "grpc_port", _PORT, "--grpc-port"),
    EnvVar(
        "PHOENIX_HOST_ROOT_PATH",
        "",
        "Sub-path under which a reverse proxy serves Pyrewatch, e.g. /pyrewatch.",
        "host_root_path",
        lambda env, name: environment.root_path(env),
    ),
    EnvVar(
        "PHOENIX_WORKING_DIR",
        "~/.pyrewatch",
        "Directory for the embedded SQLite database.",
        "working_dir",
        _path,
        "--working-dir",
    ),
    EnvVar(
        "PHOENIX_SQL_DATABASE_URL",
        None,
        "Database URL: sqlite:///path or postgresql://user:pass@host:port/db (default: SQLite in the working dir).",
        cli="--database-url",
    ),
    EnvVar(
        "PHOENIX_SQL_DATABASE_SCHEMA",
        None,
        "PostgreSQL schema to use instead of public.",
        "database_schema",
        _optional,
    ),
    EnvVar("PHOENIX_POSTGRES_HOST", None, "PostgreSQL host (used when PHOENIX_SQL_DATABASE_URL is unset)."),
    EnvVar("PHOENIX_POSTGRES_PORT", "5432", "PostgreSQL port."),
    EnvVar("PHOENIX_POSTGRES_USER", None, "PostgreSQL user."),
    EnvVar("PHOENIX_POSTGRES_PASSWORD", None, "PostgreSQL password."),
    EnvVar("PHOENIX_POSTGRES_DB", None, "PostgreSQL database name."),
    EnvVar(
        "PHOENIX_ENABLE_AUTH",
        "false",
        "Require a credential on every API, GraphQL and OTLP request.",
        "enable_auth",
        _flag,
        "--enable-auth",
    ),
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
        "PYREWATCH_ADMIN_SECRET_EXPIRES_AT",
        None,
        "ISO 8601 time after which PHOENIX_ADMIN_SECRET is refused (start-up warns while it is set).",
        "admin_secret_expires_at",
        _instant,
    ),
    EnvVar(
        "PHOENIX_DEFAULT_ADMIN_INITIAL_PASSWORD",
        "admin",
        "Password of the default admin when it is first created.",
        "default_admin_initial_password",
        _text_or_default,
    ),
    EnvVar(
        "PHOENIX_ADMINS",
        None,
        "Admins created at start-up: username=email pairs separated by ';'.",
        "admins",
        lambda env, name: parse_admins(env.raw(name)),
    ),
    EnvVar(
        "PHOENIX_ACCESS_TOKEN_EXPIRY_MINUTES",
        "10",
        "Lifetime of a session access token, in minutes.",
        "access_token_expiry",
        _minutes,
    ),
    EnvVar(
        "PHOENIX_REFRESH_TOKEN_EXPIRY_MINUTES",
        "10080",
        "Lifetime of a session refresh token, in minutes.",
        "refresh_token_expiry",
        _minutes,
    ),
    EnvVar(
        "PHOENIX_PASSWORD_RESET_TOKEN_EXPIRY_MINUTES",
        "15",
        "Lifetime of a password-reset link, in minutes.",
        "password_reset_token_expiry",
        _minutes,
    ),
    EnvVar(
        "PHOENIX_USE_SECURE_COOKIES",
        "false",
        "Mark session cookies Secure (set it behind HTTPS).",
        "use_secure_cookies",
        _flag,
    ),
    EnvVar("PHOENIX_COOKIES_PATH", "/", "Path attribute of session cookies.", "cookies_path", _text_or_default),
    EnvVar(
        "PHOENIX_CSRF_TRUSTED_ORIGINS",
        None,
        "Comma-separated origins allowed to send cookie-authenticated state-changing requests.",
        "csrf_trusted_origins",
        lambda env, name: environment.origins(env),
    ),
    EnvVar(
        "PHOENIX_ROOT_URL",
        None,
        "Public URL of this server, used in links and WWW-Authenticate headers.",
        "root_url",
        lambda env, name: environment.absolute_url(name, env.optional(name)),
    ),
    EnvVar(
        "PHOENIX_DISABLE_RATE_LIMIT",
        "false",
        "Turn off the per-IP rate limit on /auth/*.",
        "disable_rate_limit",
        _flag,
    ),
    EnvVar(
        "PHOENIX_DISABLE_BASIC_AUTH",
        "false",
        "Turn off email/password login (needs another login method).",
        "disable_basic_auth",
        _flag,
    ),
    EnvVar(
        "PHOENIX_ENABLE_STRONG_PASSWORD_POLICY",
        "false",
        "Require 12+ chars with digit, lower, upper and special.",
        "enable_strong_password_policy",
        _flag,
    ),
    EnvVar(
        "PHOENIX_DISABLE_BRUTE_FORCE_LOGIN_PROTECTION",
        "false",
        "Turn off the lockout of an (account, client IP) pair after repeated failed logins.",
        "disable_brute_force_login_protection",
        _flag,
    ),
    EnvVar(
        "PHOENIX_BRUTE_FORCE_LOGIN_PROTECTION_MAX_ATTEMPTS",
        "5",
        "Failed logins before a lockout.",
        "brute_force_max_attempts",
        _integer(1),
    ),
    EnvVar("PHOENIX_SMTP_HOSTNAME", None, "SMTP server for password-reset mail; mail is off when unset."),
    EnvVar("PHOENIX_SMTP_PORT", "587", "SMTP port."),
    EnvVar("PHOENIX_SMTP_USERNAME", None, "SMTP user (required with PHOENIX_SMTP_HOSTNAME)."),
    EnvVar("PHOENIX_SMTP_PASSWORD", None, "SMTP password (required with PHOENIX_SMTP_HOSTNAME)."),
    EnvVar("PHOENIX_SMTP_MAIL_FROM", "noreply@localhost", "Sender address of outgoing mail."),
    EnvVar("PHOENIX_SMTP_VALIDATE_CERTS", "true", "Verify the SMTP server's TLS certificate."),
    EnvVar(
        "PHOENIX_LOGGING_LEVEL",
        "info",
        "Log level: debug, info, warning or error.",
        "logging_level",
        lambda env, name: environment.logging_level(env),
    ),
    EnvVar(
        "PYREWATCH_MAX_REQUEST_BODY_BYTES",
        "33554432",
        "Largest accepted OTLP/HTTP request body (413 beyond).",
        "max_request_body_bytes",
        _integer(1024),
    ),
    EnvVar(
        "PYREWATCH_MAX_API_BODY_BYTES",
        "16777216",
        "Largest request body on REST /v1 and the other routes (413 while reading); /auth/* allows 64 KiB.",
        "limits.max_api_body_bytes",
        _integer(1024),
    ),
    EnvVar(
        "PYREWATCH_MAX_UPLOAD_BODY_BYTES",
        "1073741824",
        "Largest dataset upload (POST /v1/datasets/upload), streamed rather than held (413 beyond).",
        "limits.max_upload_body_bytes",
        _integer(1024),
    ),
    EnvVar(
        "PYREWATCH_MAX_GRAPHQL_BODY_BYTES",
        "1048576",
        "Largest /graphql request body, document included (413).",
        "limits.max_graphql_body_bytes",
        _integer(1024),
    ),
    EnvVar(
        "PYREWATCH_MAX_HEADER_BYTES",
        "65536",
        "Largest request line plus headers (431 beyond).",
        "limits.max_header_bytes",
        _integer(1024),
    ),
    EnvVar(
        "PYREWATCH_HEADER_TIMEOUT_SECONDS",
        "10",
        "Time a client has to send a request's headers.",
        "limits.header_timeout_seconds",
        _integer(1, 3600),
    ),
    EnvVar(
        "PYREWATCH_BODY_IDLE_TIMEOUT_SECONDS",
        "10",
        "Longest wait for the next piece of a request body (408).",
        "limits.body_idle_timeout_seconds",
        _integer(1, 3600),
    ),
    EnvVar(
        "PYREWATCH_BODY_TIMEOUT_SECONDS",
        "60",
        "Time a client has to send a whole request body (408).",
        "limits.body_timeout_seconds",
        _integer(1, 86400),
    ),
    EnvVar(
        "PYREWATCH_MAX_CONNECTIONS",
        "1000",
        "Open HTTP connections and requests at once; 503 beyond.",
        "limits.max_connections",
        _integer(1),
    ),
    EnvVar(
        "PYREWATCH_GRAPHQL_MAX_TOKENS",
        "5000",
        "Largest GraphQL document, in tokens.",
        "limits.graphql_max_tokens",
        _integer(100),
    ),
    EnvVar(
        "PYREWATCH_GRAPHQL_MAX_ALIASES",
        "30",
        "Most aliases in one GraphQL operation.",
        "limits.graphql_max_aliases",
        _integer(1),
    ),
    EnvVar(
        "PYREWATCH_GRAPHQL_MAX_DEPTH",
        "15",
        "Deepest selection nesting in one GraphQL operation.",
        "limits.graphql_max_depth",
        _integer(3),
    ),
    EnvVar(
        "PYREWATCH_PROVISIONING_FILE",
        None,
        "YAML or TOML file of users and system keys (by digest) applied at every start-up.",
        "provisioning_file",
        _optional_path,
    ),
    EnvVar(
        "PYREWATCH_AUDIT_LOG_FILE",
        None,
        "Also append every audit event to this file as one JSON line (for a SIEM).",
        "audit_log_file",
        _optional_path,
    ),
    EnvVar(
        "PYREWATCH_AUDIT_RETENTION_DAYS",
        "0",
        "Drop audit events older than this many days (0 keeps every event).",
        "audit_retention_days",
        _integer(0),
    ),
    EnvVar(
        "PHOENIX_MAX_SPANS_QUEUE_SIZE",
        "20000",
        "Spans waiting to be committed before OTLP exports are refused (503/UNAVAILABLE, retried by exporters).",
        "max_spans_queue_size",
        _integer(1),
    ),
    EnvVar(
        "PYREWATCH_RETENTION_MAX_AGE_DAYS",
        "0",
        "Default retention: delete traces older than this many days (0 keeps them); projects may set their own.",
        "retention_max_age_days",
        _integer(0, 100_000),
    ),
    EnvVar(
        "PYREWATCH_RETENTION_MAX_SPANS",
        "0",
        "Default retention: keep at most this many spans per project, oldest traces first (0: no bound).",
        "retention_max_spans",
        _integer(0, 2**31 - 1),
    ),
    EnvVar(
        "PYREWATCH_RETENTION_SWEEP_SECONDS",
        "3600",
        "Seconds between retention sweeps.",
        "retention_sweep_seconds",
        _integer(1),
    ),
)


@dataclass(frozen=True)
class RequestLimits:
    """What one request or connection may cost before it is refused (see docs/configuration.md)."""

    max_api_body_bytes: int
    max_upload_body_bytes: int
    max_graphql_body_bytes: int
    max_header_bytes: int
    header_timeout_seconds: float
    body_idle_timeout_seconds: float
    body_timeout_seconds: float
    max_connections: int
    graphql_max_tokens: int
    graphql_max_aliases: int
    graphql_max_depth: int


@dataclass(frozen=True)
class Settings:
    """Every value comes from ``load_settings``; defaults live in ``SETTINGS`` only."""

    host: str
    port: int
    grpc_port: int
    host_root_path: str
    working_dir: Path
    database_url: str
    database_schema: str | None
    enable_auth: bool
    secret: str | None
    previous_secrets: tuple[str, ...]
    admin_secret: str | None
    admin_secret_expires_at: datetime | None
    default_admin_initial_password: str
    admins: tuple[tuple[str, str], ...]
    access_token_expiry: timedelta
    refresh_token_expiry: timedelta
    password_reset_token_expiry: timedelta
    use_secure_cookies: bool
    cookies_path: str
    csrf_trusted_origins: tuple[str, ...]
    root_url: str | None
    disable_rate_limit: bool
    disable_basic_auth: bool
    enable_strong_password_policy: bool
    disable_brute_force_login_protection: bool
    brute_force_max_attempts: int
    smtp: SmtpSettings | None
    logging_level: str
    max_request_body_bytes: int
    max_spans_queue_size: int
    retention_max_age_days: int  # 0: no default bound
    retention_max_spans: int  # 0: no default bound
    retention_sweep_seconds: int
    audit_log_file: Path | None
    provisioning_file: Path | None
    audit_retention_days: int
    limits: RequestLimits


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Parse and validate every variable; raise ``ConfigurationError`` on the first bad one."""
    env = Env(environ, {v.name: v.default for v in SETTINGS})
    values: dict[str, Any] = {}
    limits: dict[str, Any] = {}
    for var in SETTINGS:
        if var.field is not None and var.parse is not None:
            group, _, field = var.field.rpartition(".")
            (limits if group == "limits" else values)[field] = var.parse(env, var.name)
    if values["enable_auth"] and values["disable_basic_auth"]:
        raise ConfigurationError(
            "PHOENIX_DISABLE_BASIC_AUTH is set, but no alternative authentication method is "
            "available: Pyrewatch supports password login only"
        )
    secret, admin_secret, previous = environment.read_secrets(env, values["enable_auth"])
    return Settings(
        **values,
        database_url=environment.database_url(env, values["working_dir"]),
        secret=secret,
        previous_secrets=previous,
        admin_secret=admin_secret,
        smtp=environment.smtp(env),
        limits=RequestLimits(**limits),
    )
