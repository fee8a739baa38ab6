"""Talking to an app over HTTP as a caller: bearer headers, GraphQL calls and system keys.

``client`` is a ``TestClient`` or an ``httpx.Client`` with a ``base_url`` (a served process).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import httpx

from tests.support.constants import ADMIN_SECRET

CREATE_SYSTEM = (
    "mutation($input: CreateApiKeyInput!) { createSystemApiKey(input: $input) "
    "{ jwt apiKey { id name description createdAt expiresAt } } }"
)


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header presenting ``token`` (a session token, a key or the admin secret)."""
    return {"Authorization": f"Bearer {token}"}


ADMIN_HEADERS = bearer(ADMIN_SECRET)


def gql(
    client: httpx.Client,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """POST ``query`` to ``/graphql`` (as ``token`` when given) and return the JSON body; the
    status must be 200 (GraphQL reports refusals in ``errors``)."""
    sent = {**(headers or {}), **(bearer(token) if token else {})}
    response = client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=sent)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def gql_error(body: dict[str, Any]) -> str | None:
    """The first error message of a GraphQL answer, or None when it has none."""
    errors = body.get("errors")
    if not errors:
        return None
    message: str = errors[0]["message"]
    return message


class MintedKey(NamedTuple):
    token: str
    id: str


def mint_system_key(client: httpx.Client, token: str = ADMIN_SECRET, name: str = "k", **extra: Any) -> MintedKey:
    """A system key from ``createSystemApiKey``, asked for by ``token`` (the admin secret by
    default); returns the key and its GlobalID."""
    body = gql(client, CREATE_SYSTEM, {"input": {"name": name, **extra}}, token=token)
    assert gql_error(body) is None, body
    payload = body["data"]["createSystemApiKey"]
    return MintedKey(payload["jwt"], payload["apiKey"]["id"])
