"""Session-token tampering and signing-secret rotation, through HTTP."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt

from tests.conftest import ClientFactory
from tests.support.constants import OTHER_SECRET, SECRET
from tests.support.http_auth import bearer
from tests.support.logins import IDENTITY_ENV, access_token, cookie_headers, login


def _parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header_b64, payload_b64, _ = token.split(".")

    def decode(part: str) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        return value

    return decode(header_b64), decode(payload_b64)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_tampered_session_tokens_are_refused(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    cookies = login(client, "admin@localhost", "admin")
    token = cookies["phoenix-access-token"]
    header, payload = _parts(token)
    other_kid = "0123456789abcdef"
    forged = {
        "alg none": f"{_b64({**header, 'alg': 'none'})}.{_b64(payload)}.",
        "wrong secret, real kid": jwt.encode(payload, OTHER_SECRET, algorithm="HS256", headers={"kid": header["kid"]}),
        "unknown kid": jwt.encode(payload, SECRET, algorithm="HS256", headers={"kid": other_kid}),
        "no kid": jwt.encode(payload, SECRET, algorithm="HS256"),
        "HS512": jwt.encode(payload, SECRET + SECRET, algorithm="HS512", headers={"kid": header["kid"]}),
        "other user": jwt.encode({**payload, "sub": "1"}, OTHER_SECRET, algorithm="HS256", headers=header),
        "payload edited": ".".join([token.split(".")[0], _b64({**payload, "sub": "1"}), token.split(".")[2]]),
        "refresh token as bearer": cookies["phoenix-refresh-token"],
        "truncated": token[:-3],
    }
    for name, value in forged.items():
        response = client.get("/v1/user", headers={"Authorization": f"Bearer {value}"})
        assert (response.status_code, response.text) == (401, "Invalid token"), name
        assert "www-authenticate" in response.headers
        graphql = client.post("/graphql", json={"query": "{viewer{id}}"}, headers={"Authorization": f"Bearer {value}"})
        assert graphql.status_code == 401, name
    assert client.get("/v1/user", headers=bearer(access_token(cookies))).status_code == 200


def test_a_token_past_its_exp_is_expired_even_with_a_live_row(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    cookies = login(client, "admin@localhost", "admin")
    header, payload = _parts(cookies["phoenix-access-token"])
    expired = jwt.encode({**payload, "exp": int(time.time()) - 5}, SECRET, algorithm="HS256", headers=header)
    response = client.get("/v1/user", headers={"Authorization": f"Bearer {expired}"})
    assert (response.status_code, response.text) == (401, "Expired token")


def test_short_lived_access_tokens_expire(make_client: ClientFactory) -> None:
    client = make_client({**IDENTITY_ENV, "PHOENIX_ACCESS_TOKEN_EXPIRY_MINUTES": "0.02"})
    before = int(time.time())
    cookies = login(client, "admin@localhost", "admin")
    _, payload = _parts(cookies["phoenix-access-token"])
    # The token lives 1.2 s from when it was issued, whenever the test gets to look at it.
    assert before <= payload["exp"] <= int(time.time()) + 2
    while time.time() <= payload["exp"] + 1:  # PyJWT compares whole seconds
        time.sleep(0.1)
    response = client.get("/v1/user", headers=bearer(access_token(cookies)))
    assert (response.status_code, response.text) == (401, "Expired token")
    # The refresh token still renews the session.
    assert client.post("/auth/refresh", headers=cookie_headers(cookies, "phoenix-refresh-token")).status_code == 204


def test_rotating_the_secret_keeps_sessions_listed_in_previous_secrets(make_client: ClientFactory) -> None:
    old_app = make_client(IDENTITY_ENV)
    cookies = login(old_app, "admin@localhost", "admin")
    untouched = login(old_app, "admin@localhost", "admin")
    rotated_env = {**IDENTITY_ENV, "PHOENIX_SECRET": OTHER_SECRET, "PYREWATCH_PREVIOUS_SECRETS": SECRET}
    rotated = make_client(rotated_env)
    assert rotated.get("/v1/user", headers=bearer(access_token(cookies))).status_code == 200
    renewed = rotated.post("/auth/refresh", headers=cookie_headers(cookies, "phoenix-refresh-token"))
    assert renewed.status_code == 204
    new_access = renewed.cookies["phoenix-access-token"]
    rotated.cookies.clear()
    assert _parts(new_access)[0]["kid"] != _parts(cookies["phoenix-access-token"])[0]["kid"]
    assert rotated.get("/v1/user", headers={"Authorization": f"Bearer {new_access}"}).status_code == 200
    # Once the old secret is no longer listed, tokens it signed are refused.
    second = login(rotated, "admin@localhost", "admin")
    dropped = make_client({**IDENTITY_ENV, "PHOENIX_SECRET": OTHER_SECRET})
    assert dropped.get("/v1/user", headers=bearer(access_token(second))).status_code == 200
    assert rotated.get("/v1/user", headers=bearer(access_token(untouched))).status_code == 200
    assert dropped.get("/v1/user", headers=bearer(access_token(untouched))).status_code == 401
    # A secret never configured anywhere cannot sign tokens that verify.
    header, payload = _parts(second["phoenix-access-token"])
    unknown = jwt.encode(payload, "x" * 20 + "unlisted0secret0value", algorithm="HS256", headers=header)
    assert dropped.get("/v1/user", headers={"Authorization": f"Bearer {unknown}"}).status_code == 401
