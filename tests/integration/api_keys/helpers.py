from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient

from pyrewatch.auth import api_keys as key_format
from pyrewatch.db.models import ApiKey
from pyrewatch.db.session import transaction
from pyrewatch.http.state import AppState
from pyrewatch.store import api_keys as key_store
from tests.support.apps import app_state, in_app

CREATE_USER = (
    "mutation($input: CreateUserApiKeyInput!) { createUserApiKey(input: $input) "
    "{ jwt apiKey { id name description createdAt expiresAt user { username } } } }"
)
DELETE_SYSTEM = "mutation($id: ID!) { deleteSystemApiKey(input: {id: $id}) { apiKeyId } }"
DELETE_USER = "mutation($id: ID!) { deleteUserApiKey(input: {id: $id}) { apiKeyId } }"


def insert_expired_key(client: TestClient, kind: key_format.KeyKind, owner_id: int, expired_at: datetime) -> str:
    """A key whose expiry has already passed (the API refuses to mint one)."""
    state: AppState = app_state(client)
    new = key_format.generate_key(kind)

    async def insert() -> None:
        async with transaction(state.session_factory) as session:
            row = ApiKey(
                key_id=new.key_id,
                secret_digest=new.secret_digest,
                kind=kind.value,
                user_id=owner_id,
                created_by_user_id=None,
                created_via="ADMIN_SECRET",
                name="expired",
                expires_at=expired_at,
            )
            await key_store.insert_api_key(session, row)

    in_app(client, insert)
    return new.token
