"""Hostile or oversized input gets a clear 4xx (or a quiet refusal), never a 5xx."""

from __future__ import annotations

import base64

from tests.conftest import ClientFactory
from tests.support.http_auth import ADMIN_HEADERS, gql
from tests.support.logins import IDENTITY_ENV

HUGE_USER = base64.b64encode(b"User:9223372036854775807").decode()
BIG_USER = base64.b64encode(b"User:99999999999").decode()


def test_out_of_range_ids_are_not_found(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    for user_id in (HUGE_USER, BIG_USER):
        assert client.delete(f"/v1/users/{user_id}", headers=ADMIN_HEADERS).status_code == 404
        assert client.get(f"/v1/users?cursor={user_id}", headers=ADMIN_HEADERS).status_code == 200
        node = gql(client, "query($id: ID!){node(id:$id){id}}", {"id": user_id}, headers=ADMIN_HEADERS)
        assert node["errors"][0]["message"] == "User not found"
        deleted = gql(
            client,
            "mutation($i: DeleteUsersInput!){deleteUsers(input:$i){userIds}}",
            {"i": {"userIds": [user_id]}},
            headers=ADMIN_HEADERS,
        )
        assert deleted["errors"][0]["message"] == "Some user IDs could not be found"
        patched = gql(
            client,
            "mutation($i: PatchUserInput!){patchUser(input:$i){user{id}}}",
            {"i": {"userId": user_id, "newUsername": "x"}},
            headers=ADMIN_HEADERS,
        )
        assert patched["errors"][0]["message"] == "User not found"


def test_control_characters_and_oversized_fields_are_refused_cleanly(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    long_email = "a" * 400 + "@example.com"
    for email in ("nul\x00@example.com", long_email):
        login = client.post("/auth/login", json={"email": email, "password": "whatever"})
        assert (login.status_code, login.text) == (401, "Invalid email and/or password")
        assert client.post("/auth/password-reset-email", json={"email": email}).status_code in (204, 503)
        body = {"user": {"email": email, "username": "u", "role": "MEMBER", "auth_method": "LOCAL"}}
        created = client.post("/v1/users", json=body, headers=ADMIN_HEADERS)
        assert (created.status_code, created.text) == (422, "Invalid email address")
    body = {"user": {"email": "ok@example.com", "username": "bad\x00name", "role": "MEMBER", "auth_method": "LOCAL"}}
    created = client.post("/v1/users", json=body, headers=ADMIN_HEADERS)
    assert (created.status_code, created.text) == (422, "Username must not contain control characters")
    renamed = gql(client, 'mutation{patchViewer(input:{newUsername:"a\\u0000b"}){user{id}}}', headers=ADMIN_HEADERS)
    assert renamed["errors"][0]["message"] == "Username must not contain control characters"
    long_password = {
        "user": {
            "email": "p@example.com",
            "username": "p",
            "role": "MEMBER",
            "auth_method": "LOCAL",
            "password": "x" * 5000,
        }
    }
    created = client.post("/v1/users", json=long_password, headers=ADMIN_HEADERS)
    assert (created.status_code, created.text) == (422, "Password must be at most 1024 characters long")
