from __future__ import annotations

from datetime import timedelta

import pytest

from pyrewatch.errors import ConfigurationError
from pyrewatch.settings import load_settings, parse_admins
from tests.support.constants import ADMIN_SECRET, SECRET


def _error(env: dict[str, str]) -> str:
    with pytest.raises(ConfigurationError) as info:
        load_settings(env)
    message = info.value.message
    assert "\n" not in message
    return message


def test_defaults_match_phoenix() -> None:
    settings = load_settings({})
    assert (settings.port, settings.grpc_port, settings.enable_auth) == (6006, 4317, False)
    assert settings.access_token_expiry == timedelta(minutes=10)
    assert settings.refresh_token_expiry == timedelta(days=7)
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.database_url.endswith(".pyrewatch/pyrewatch.db")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PHOENIX_ENABLE_AUTH": "true"}, "PHOENIX_SECRET must be set when auth is enabled"),
        ({"PHOENIX_SECRET": "short1"}, "PHOENIX_SECRET must be at least 32 characters long"),
        ({"PHOENIX_SECRET": "a" * 40}, "PHOENIX_SECRET must contain at least one digit"),
        ({"PHOENIX_SECRET": "A1" * 20}, "PHOENIX_SECRET must contain at least one lowercase letter"),
        ({"PHOENIX_SECRET": "ABC"}, "PHOENIX_SECRET must be at least 32 characters long, contain at least one"),
        ({"PHOENIX_SECRET": ""}, "PHOENIX_SECRET must be non-empty"),
        ({"PHOENIX_SECRET": "abc 123" * 6}, "PHOENIX_SECRET must not contain whitespace"),
        ({"PHOENIX_SECRET": SECRET, "PHOENIX_ADMIN_SECRET": "short1"}, "PHOENIX_ADMIN_SECRET must be at least 32"),
        (
            {"PHOENIX_SECRET": SECRET, "PHOENIX_ADMIN_SECRET": "abcdefghij0123456789abcdefghij0"},
            "PHOENIX_ADMIN_SECRET must be at least 32",
        ),
        (
            {"PHOENIX_SECRET": SECRET, "PHOENIX_ADMIN_SECRET": "b" * 40},
            "PHOENIX_ADMIN_SECRET must contain at least one digit",
        ),
        (
            {"PHOENIX_SECRET": SECRET, "PHOENIX_ADMIN_SECRET": "B1" * 20},
            "PHOENIX_ADMIN_SECRET must contain at least one lowercase",
        ),
        (
            {"PHOENIX_SECRET": SECRET, "PHOENIX_ADMIN_SECRET": SECRET},
            "PHOENIX_ADMIN_SECRET must be different from PHOENIX_SECRET",
        ),
        ({"PHOENIX_ADMIN_SECRET": ADMIN_SECRET}, "PHOENIX_ADMIN_SECRET must not be set without setting PHOENIX_SECRET"),
        ({"PHOENIX_ENABLE_AUTH": "yes"}, "PHOENIX_ENABLE_AUTH must be set to TRUE or FALSE"),
        ({"PHOENIX_ACCESS_TOKEN_EXPIRY_MINUTES": "-5"}, "PHOENIX_ACCESS_TOKEN_EXPIRY_MINUTES must be a positive"),
        (
            {"PHOENIX_REFRESH_TOKEN_EXPIRY_MINUTES": "soon"},
            "PHOENIX_REFRESH_TOKEN_EXPIRY_MINUTES: soon. Value must be a number",
        ),
        ({"PHOENIX_PORT": "http"}, "PHOENIX_PORT: http. Value must be an integer"),
        ({"PHOENIX_PORT": "70000"}, "PHOENIX_PORT must be between 0 and 65535"),
        ({"PHOENIX_SQL_DATABASE_URL": "mysql://x/y"}, "PHOENIX_SQL_DATABASE_URL has an unsupported scheme 'mysql'"),
        ({"PHOENIX_SQL_DATABASE_URL": "nonsense"}, "PHOENIX_SQL_DATABASE_URL must look like"),
        ({"PHOENIX_ROOT_URL": "example.com"}, "PHOENIX_ROOT_URL must be an absolute http(s) URL"),
        ({"PHOENIX_CSRF_TRUSTED_ORIGINS": "http://ok,nohost"}, "PHOENIX_CSRF_TRUSTED_ORIGINS must list absolute"),
        ({"PHOENIX_BRUTE_FORCE_LOGIN_PROTECTION_MAX_ATTEMPTS": "0"}, "MAX_ATTEMPTS must be at least 1"),
        ({"PHOENIX_ADMINS": "bob"}, "Invalid format in PHOENIX_ADMINS: 'bob'"),
        ({"PHOENIX_SMTP_HOSTNAME": "mail"}, "PHOENIX_SMTP_USERNAME and PHOENIX_SMTP_PASSWORD are required"),
        ({"PHOENIX_LOGGING_LEVEL": "loud"}, "PHOENIX_LOGGING_LEVEL must be one of"),
        ({"PHOENIX_SECRET": SECRET, "PYREWATCH_PREVIOUS_SECRETS": "weak"}, "PYREWATCH_PREVIOUS_SECRETS entry must be"),
        ({"PHOENIX_POSTGRES_HOST": "db"}, "PHOENIX_POSTGRES_HOST needs PHOENIX_POSTGRES_USER"),
    ],
)
def test_invalid_settings_name_the_variable_and_rule(env: dict[str, str], expected: str) -> None:
    assert expected in _error(env)


def test_valid_secrets_load() -> None:
    settings = load_settings(
        {"PHOENIX_ENABLE_AUTH": "TRUE", "PHOENIX_SECRET": f" {SECRET} ", "PHOENIX_ADMIN_SECRET": ADMIN_SECRET}
    )
    assert settings.enable_auth and settings.secret == SECRET and settings.admin_secret == ADMIN_SECRET


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///tmp/x.db", "sqlite+aiosqlite:///tmp/x.db"),
        ("postgresql://u:p@h:5433/db", "postgresql+asyncpg://u:p@h:5433/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_database_urls_map_to_async_drivers(url: str, expected: str) -> None:
    assert load_settings({"PHOENIX_SQL_DATABASE_URL": url}).database_url == expected


def test_postgres_variables_build_a_url() -> None:
    settings = load_settings(
        {
            "PHOENIX_POSTGRES_HOST": "db.local",
            "PHOENIX_POSTGRES_USER": "px",
            "PHOENIX_POSTGRES_PASSWORD": "p@ss:word",
            "PHOENIX_POSTGRES_DB": "traces",
        }
    )
    assert settings.database_url == "postgresql+asyncpg://px:p%40ss%3Aword@db.local:5432/traces"


def test_admins_are_parsed_with_the_last_equals_sign() -> None:
    assert parse_admins(" a=b=A@Example.com ; ;carol=carol@example.com") == (
        ("a=b", "a@example.com"),
        ("carol", "carol@example.com"),
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("x=not-an-email", "Invalid email in PHOENIX_ADMINS: 'not-an-email'"),
        ("x=a@b.co;x=c@d.co", "Duplicate username in PHOENIX_ADMINS: 'x'"),
        ("x=a@b.co;y=A@b.co", "Duplicate email in PHOENIX_ADMINS: 'a@b.co'"),
    ],
)
def test_malformed_admins_are_refused(value: str, expected: str) -> None:
    assert _error({"PHOENIX_ADMINS": value}) == expected


def test_csrf_origins_are_normalized_and_deduplicated() -> None:
    settings = load_settings(
        {"PHOENIX_CSRF_TRUSTED_ORIGINS": ",HTTP://LocalHost:80/x,http://localhost,https://a.b:8443,"}
    )
    assert settings.csrf_trusted_origins == ("http://localhost", "https://a.b:8443")
