"""Credentials for tests: system keys through GraphQL with the admin secret, and a viewer's user
key minted through the services (user management has no public route here)."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from pyrewatch.auth.principal import Principal, Role, Via
from pyrewatch.db.models import User
from pyrewatch.db.session import SessionFactory, transaction
from pyrewatch.services import api_keys
from pyrewatch.store import users
from tests.support.constants import ADMIN_SECRET

MINT_SYSTEM_KEY = 'mutation { createSystemApiKey(input: {name: "ingest"}) { jwt } }'


def mint_system_key(client: httpx.Client | Any) -> str:
    """A system key from ``createSystemApiKey`` (``client`` is a TestClient or an httpx client)."""
    response = client.post(
        "/graphql", json={"query": MINT_SYSTEM_KEY}, headers={"Authorization": f"Bearer {ADMIN_SECRET}"}
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["data"]["createSystemApiKey"]["jwt"]
    return token


async def mint_user_key(factory: SessionFactory, role: str) -> str:
    """Create a user with ``role`` and return a user key it minted for itself."""
    name = f"{role.lower()}-{secrets.token_hex(3)}"
    async with transaction(factory) as session:
        user = await users.insert_user(
            session,
            User(username=name, email=f"{name}@example.com", role=role, password_hash=None, reset_password=False),
        )
        principal = Principal(via=Via.SESSION, user_id=user.id, role=Role(role))
        minted = await api_keys.create_user_key(session, principal, api_keys.KeyInput(name=name))
    return minted.token
