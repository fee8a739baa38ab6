"""Create users, sessions and keys inside a running test app, through the store and services.

Sessions are minted exactly as the login flow stores them (a session row, an access-token row,
a JWT signed by the app's keyring), so the app authenticates them for real.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from pyrewatch.auth.principal import Principal, Role, Via
from pyrewatch.auth.tokens import Keyring, TokenClaims, TokenKind, new_jti
from pyrewatch.clock import now_utc
from pyrewatch.db.models import AccessToken, AuthSession, User
from pyrewatch.db.session import transaction
from pyrewatch.http.state import AppState
from pyrewatch.services import api_keys
from pyrewatch.services.api_keys import KeyInput
from pyrewatch.store import users
from tests.support.apps import app_state, in_app


@dataclass(frozen=True)
class Identity:
    user_id: int
    username: str
    session_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.session_token}"}


def _state(client: TestClient) -> AppState:
    state: AppState = app_state(client)
    return state


def make_user(client: TestClient, role: str, username: str | None = None, *, reset_password: bool = False) -> Identity:
    """A user of ``role`` with a live session (access token) of its own."""
    state = _state(client)
    name = username or f"{role.lower()}-{new_jti()[:8]}"

    async def create() -> Identity:
        async with transaction(state.session_factory) as session:
            user = await users.insert_user(
                session,
                User(
                    username=name,
                    email=f"{name}@example.com",
                    role=role,
                    password_hash=None,
                    reset_password=reset_password,
                ),
            )
            user_id = user.id
        return Identity(user_id=user_id, username=name, session_token=await _session_token(state, user_id))

    result: Identity = in_app(client, create)
    return result


async def _session_token(state: AppState, user_id: int) -> str:
    assert state.settings.secret is not None
    keyring = Keyring(state.settings.secret, state.settings.previous_secrets)
    now = now_utc()
    expires = now + timedelta(minutes=10)
    jti = new_jti()
    async with transaction(state.session_factory) as session:
        auth_session = AuthSession(user_id=user_id)
        session.add(auth_session)
        await session.flush()
        session.add(AccessToken(id=jti, session_id=auth_session.id, expires_at=expires))
        session_id = auth_session.id
    claims = TokenClaims(kind=TokenKind.ACCESS, jti=jti, user_id=user_id, expires_at=expires, session_id=session_id)
    return keyring.encode(claims, now)


def make_user_key(client: TestClient, identity: Identity, role: str, expires_at: datetime | None = None) -> str:
    """A user API key owned by ``identity``, minted through the service as its session would."""
    state = _state(client)
    principal = Principal(via=Via.SESSION, user_id=identity.user_id, role=Role(role))

    async def mint() -> str:
        async with transaction(state.session_factory) as session:
            minted = await api_keys.create_user_key(session, principal, KeyInput(name="k", expires_at=expires_at))
        return minted.token

    token: str = in_app(client, mint)
    return token
