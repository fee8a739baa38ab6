"""Actors: users of a role that hold a credential of their own, created inside the app's
database through the store and services (no HTTP round trip).

``via="session"`` gives the user a live login session, minted exactly as the login flow stores
it (a session row, an access-token row, a JWT signed with the app's secret), so the app
authenticates it for real. ``via="key"`` gives the user a personal API key minted through the
service, as its session would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from fastapi.testclient import TestClient

from pyrewatch.auth.principal import Principal, Role, Via
from pyrewatch.auth.tokens import Keyring, TokenClaims, TokenKind, new_jti
from pyrewatch.clock import now_utc
from pyrewatch.db.models import AccessToken, AuthSession, User
from pyrewatch.db.session import Session, transaction
from pyrewatch.services import api_keys
from pyrewatch.services.api_keys import KeyInput
from pyrewatch.settings import Settings
from pyrewatch.store import users
from tests.factories import Database
from tests.support.apps import app_state, in_app
from tests.support.http_auth import bearer

ActorVia = Literal["session", "key"]


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    role: str
    token: str
    """The session's access token (``via="session"``) or the user's API key (``via="key"``)."""

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


@dataclass(frozen=True)
class ActorSpec:
    role: str
    via: ActorVia = "session"
    username: str | None = None
    reset_password: bool = False


def make_actor(
    target: TestClient | Database,
    role: str,
    via: ActorVia = "session",
    *,
    username: str | None = None,
    reset_password: bool = False,
) -> Actor:
    """A new user of ``role`` with its own credential, in the database of ``target``: the app a
    ``TestClient`` drives, or a served process's database (``Database``)."""
    spec = ActorSpec(role, via, username, reset_password)
    if isinstance(target, Database):
        settings = target.settings
        return target.run(lambda session: add_actor(session, settings, spec))
    state = app_state(target)

    async def create() -> Actor:
        async with transaction(state.session_factory) as session:
            return await add_actor(session, state.settings, spec)

    actor: Actor = in_app(target, create)
    return actor


async def add_actor(session: Session, settings: Settings, spec: ActorSpec) -> Actor:
    """Insert the user of ``spec`` and its credential in ``session``."""
    name = spec.username or f"{spec.role.lower()}-{new_jti()[:8]}"
    user = await users.insert_user(
        session,
        User(
            username=name,
            email=f"{name}@example.com",
            role=spec.role,
            password_hash=None,
            reset_password=spec.reset_password,
        ),
    )
    if spec.via == "key":
        token = await _user_key(session, user.id, spec.role, None)
    else:
        token = await _session_token(session, settings, user.id)
    return Actor(user_id=user.id, username=name, role=spec.role, token=token)


def add_key(client: TestClient, actor: Actor, expires_at: datetime | None = None) -> str:
    """One more API key owned by ``actor``, minted through the service as its session would."""
    state = app_state(client)

    async def mint() -> str:
        async with transaction(state.session_factory) as session:
            return await _user_key(session, actor.user_id, actor.role, expires_at)

    token: str = in_app(client, mint)
    return token


async def _user_key(session: Session, user_id: int, role: str, expires_at: datetime | None) -> str:
    principal = Principal(via=Via.SESSION, user_id=user_id, role=Role(role))
    minted = await api_keys.create_user_key(session, principal, KeyInput(name="k", expires_at=expires_at))
    return minted.token


async def _session_token(session: Session, settings: Settings, user_id: int) -> str:
    assert settings.secret is not None
    keyring = Keyring(settings.secret, settings.previous_secrets)
    now = now_utc()
    expires = now + timedelta(minutes=10)
    jti = new_jti()
    auth_session = AuthSession(user_id=user_id)
    session.add(auth_session)
    await session.flush()
    session.add(AccessToken(id=jti, session_id=auth_session.id, expires_at=expires))
    claims = TokenClaims(
        kind=TokenKind.ACCESS, jti=jti, user_id=user_id, expires_at=expires, session_id=auth_session.id
    )
    return keyring.encode(claims, now)
