"""PYREWATCH_ADMIN_SECRET_EXPIRES_AT: the admin secret is refused after that time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pyrewatch.clock import now_utc
from pyrewatch.errors import ConfigurationError
from pyrewatch.settings import load_settings
from tests.conftest import ClientFactory
from tests.support.apps import app_state, in_app
from tests.support.http_auth import ADMIN_HEADERS
from tests.support.logins import IDENTITY_ENV
from tests.support.otlp import query

EXPIRES = "PYREWATCH_ADMIN_SECRET_EXPIRES_AT"


def test_the_admin_secret_is_refused_after_its_expiry(
    make_client: ClientFactory, database_env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    past = (now_utc() - timedelta(minutes=1)).isoformat()
    client = make_client({**IDENTITY_ENV, EXPIRES: past})
    assert "PHOENIX_ADMIN_SECRET is refused after" in caplog.text
    response = client.get("/v1/users", headers=ADMIN_HEADERS)
    assert (response.status_code, response.text) == (401, "Expired token")
    in_app(client, app_state(client).authenticator.flush_usage)
    events = query(database_env, "SELECT action, outcome FROM audit_events WHERE action LIKE 'admin_secret.%'")
    assert events == [{"action": "admin_secret.expired_refused", "outcome": "refused"}]


def test_the_admin_secret_works_until_its_expiry(make_client: ClientFactory) -> None:
    future = (now_utc() + timedelta(days=1)).isoformat()
    client = make_client({**IDENTITY_ENV, EXPIRES: future})
    assert client.get("/v1/users", headers=ADMIN_HEADERS).status_code == 200


def test_without_an_expiry_start_up_does_not_warn(make_client: ClientFactory, caplog: pytest.LogCaptureFixture) -> None:
    client = make_client(IDENTITY_ENV)
    assert "PHOENIX_ADMIN_SECRET is refused after" not in caplog.text
    assert client.get("/v1/users", headers=ADMIN_HEADERS).status_code == 200


@pytest.mark.parametrize("value", ["tomorrow", "2027-13-01"])
def test_a_malformed_expiry_stops_start_up(value: str) -> None:
    with pytest.raises(ConfigurationError, match=EXPIRES):
        load_settings({**IDENTITY_ENV, EXPIRES: value})


def test_a_naive_expiry_is_utc() -> None:
    settings = load_settings({**IDENTITY_ENV, EXPIRES: "2027-01-31T00:00:00"})
    assert settings.admin_secret_expires_at is not None
    assert settings.admin_secret_expires_at.isoformat() == "2027-01-31T00:00:00+00:00"
