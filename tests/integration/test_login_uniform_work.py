"""Login and password-reset requests do the same work whether or not the email has an account,
counted in password verifications rather than measured in time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import argon2
import pytest

from tests.conftest import ClientFactory
from tests.support.logins import IDENTITY_ENV, create_user
from tests.support.server import free_port


class VerificationCounter:
    def __init__(self) -> None:
        self.count = 0


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> Iterator[VerificationCounter]:
    """Count argon2 verifications (the library's, not ours) while still doing them."""
    counter = VerificationCounter()
    real_verify = argon2.PasswordHasher.verify

    def counting_verify(self: argon2.PasswordHasher, hash: str | bytes, password: str | bytes) -> Any:
        counter.count += 1
        return real_verify(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting_verify)
    yield counter


def test_every_login_verifies_exactly_one_password(
    make_client: ClientFactory, verifications: VerificationCounter
) -> None:
    client = make_client(IDENTITY_ENV)
    create_user(client, "known@example.com", "MEMBER")
    for email in ("known@example.com", "unknown@example.com", "not-an-email", "nul\x00@example.com"):
        before = verifications.count
        response = client.post("/auth/login", json={"email": email, "password": "wrong-password"})
        assert (response.status_code, response.text) == (401, "Invalid email and/or password")
        assert verifications.count - before == 1, email


def test_reset_request_answers_204_at_once_even_when_mail_fails(make_client: ClientFactory) -> None:
    # SMTP points at a closed port: the mail fails after the answer, for a known email as for
    # an unknown one, and the answers cannot be told apart.
    smtp_env = {
        "PHOENIX_SMTP_HOSTNAME": "127.0.0.1",
        "PHOENIX_SMTP_PORT": str(free_port()),
        "PHOENIX_SMTP_USERNAME": "u",
        "PHOENIX_SMTP_PASSWORD": "p",
    }
    client = make_client({**IDENTITY_ENV, **smtp_env})
    create_user(client, "known@example.com", "MEMBER")
    answers = {
        email: client.post("/auth/password-reset-email", json={"email": email})
        for email in ("known@example.com", "unknown@example.com")
    }
    assert {(r.status_code, r.text) for r in answers.values()} == {(204, "")}
