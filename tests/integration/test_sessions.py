"""Browser sessions over HTTP: login, cookies, refresh rotation and reuse, logout, lockout, limits."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import ClientFactory
from tests.support.http_auth import bearer, gql
from tests.support.logins import (
    IDENTITY_ENV,
    PASSWORD,
    access_token,
    change_password,
    cookie_headers,
    create_user,
    login,
    member_session,
)

ME = "/v1/user"


def _status(client: TestClient, headers: dict[str, str]) -> int:
    status: int = client.get(ME, headers=headers).status_code
    return status


def test_login_sets_strict_http_only_cookies_and_is_case_insensitive(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    response = client.post("/auth/login", json={"email": " Admin@LocalHost ", "password": "admin"})
    assert response.status_code == 204
    cookies = response.headers.get_list("set-cookie")
    access = next(c for c in cookies if c.startswith("phoenix-access-token="))
    refresh = next(c for c in cookies if c.startswith("phoenix-refresh-token="))
    for cookie, max_age in ((access, 600), (refresh, 604800)):
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
        assert f"Max-Age={max_age}" in cookie and "Secure" not in cookie


def test_cookie_settings_apply_when_setting_and_deleting(make_client: ClientFactory) -> None:
    client = make_client({**IDENTITY_ENV, "PHOENIX_USE_SECURE_COOKIES": "true", "PHOENIX_COOKIES_PATH": "/px"})
    response = client.post("/auth/login", json={"email": "admin@localhost", "password": "admin"})
    assert all("Path=/px" in c and "Secure" in c for c in response.headers.get_list("set-cookie"))
    client.cookies.clear()
    logout = client.post("/auth/logout")
    deleted = logout.headers.get_list("set-cookie")
    assert {c.split("=")[0] for c in deleted} >= {"phoenix-access-token", "phoenix-refresh-token"}
    assert all("Path=/px" in c and "Secure" in c and "Max-Age=0" in c for c in deleted)


def test_bad_logins_are_401_with_www_authenticate(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    cases = [
        ({"email": "admin@localhost", "password": "wrong"}, "Invalid email and/or password"),
        ({"email": "nobody@example.com", "password": "admin"}, "Invalid email and/or password"),
        ({"email": "admin@localhost", "password": ""}, "Email and password required"),
        ({"email": "admin@localhost"}, "Email and password required"),
    ]
    for body, message in cases:
        response = client.post("/auth/login", json=body)
        assert (response.status_code, response.text) == (401, message)
        assert response.headers["www-authenticate"].startswith('Bearer realm="Arize Phoenix"')
    assert client.post("/auth/login", content=b"not json").status_code == 401


def test_session_cookie_and_bearer_authenticate_with_any_case_scheme(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    cookies = login(client, "admin@localhost", "admin")
    assert _status(client, cookie_headers(cookies, "phoenix-access-token")) == 200
    token = cookies["phoenix-access-token"]
    assert _status(client, {"Authorization": f"bEaReR {token}"}) == 200
    # A present but unusable Authorization header is refused even with a valid cookie.
    headers = {**cookie_headers(cookies, "phoenix-access-token"), "Authorization": "Basic YWRtaW46YWRtaW4="}
    assert _status(client, headers) == 401


def test_refresh_rotates_tokens_and_reuse_revokes_the_whole_family(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    first = login(client, "admin@localhost", "admin")
    response = client.post("/auth/refresh", headers=cookie_headers(first, "phoenix-refresh-token"))
    assert response.status_code == 204
    second_access = response.cookies["phoenix-access-token"]
    second_refresh = response.cookies["phoenix-refresh-token"]
    client.cookies.clear()
    assert _status(client, bearer(access_token(first))) == 401  # the old access token died with the exchange
    assert _status(client, {"Authorization": f"Bearer {second_access}"}) == 200
    # The stolen first refresh token comes back: the whole session ends for everyone.
    replay = client.post("/auth/refresh", headers=cookie_headers(first, "phoenix-refresh-token"))
    assert (replay.status_code, replay.text) == (401, "Invalid refresh token")
    assert _status(client, {"Authorization": f"Bearer {second_access}"}) == 401
    legit = client.post("/auth/refresh", headers={"Cookie": f"phoenix-refresh-token={second_refresh}"})
    assert legit.status_code == 401


def test_refresh_without_or_with_a_bad_token_is_401(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    missing = client.post("/auth/refresh")
    assert (missing.status_code, missing.text) == (401, "Missing refresh token")
    cookies = login(client, "admin@localhost", "admin")
    # An access token is not a refresh token.
    wrong_kind = client.post(
        "/auth/refresh", headers={"Cookie": f"phoenix-refresh-token={cookies['phoenix-access-token']}"}
    )
    assert (wrong_kind.status_code, wrong_kind.text) == (401, "Invalid refresh token")


def test_logout_ends_only_that_session_and_everywhere_ends_all(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    one = login(client, "admin@localhost", "admin")
    two = login(client, "admin@localhost", "admin")
    three = login(client, "admin@localhost", "admin")
    assert client.post("/auth/logout", headers=bearer(access_token(one))).status_code == 204
    client.cookies.clear()
    assert _status(client, bearer(access_token(one))) == 401
    assert _status(client, bearer(access_token(two))) == 200
    # The refresh token of the ended session is dead too.
    assert client.post("/auth/refresh", headers=cookie_headers(one, "phoenix-refresh-token")).status_code == 401
    assert client.post("/auth/logout?everywhere=true", headers=bearer(access_token(two))).status_code == 204
    client.cookies.clear()
    assert _status(client, bearer(access_token(two))) == 401
    assert _status(client, bearer(access_token(three))) == 401


def test_get_logout_redirects_and_works_with_only_a_refresh_cookie(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    cookies = login(client, "admin@localhost", "admin")
    response = client.get(
        "/auth/logout", headers=cookie_headers(cookies, "phoenix-refresh-token"), follow_redirects=False
    )
    assert (response.status_code, response.headers["location"]) == (302, "/login")
    client.cookies.clear()
    assert _status(client, bearer(access_token(cookies))) == 401
    anonymous = client.get("/auth/logout", follow_redirects=False)
    assert anonymous.status_code == 302


def test_lockout_is_per_account_and_client_ip(make_client: ClientFactory) -> None:
    env = {**IDENTITY_ENV, "PHOENIX_BRUTE_FORCE_LOGIN_PROTECTION_MAX_ATTEMPTS": "3"}
    attacker = make_client(env, client=("10.0.0.66", 5000))
    for _ in range(3):
        assert attacker.post("/auth/login", json={"email": "admin@localhost", "password": "x"}).status_code == 401
    locked = attacker.post("/auth/login", json={"email": "admin@localhost", "password": "admin"})
    assert (locked.status_code, locked.text) == (429, "Too many failed login attempts. Please try again later.")
    assert 0 < int(locked.headers["retry-after"]) <= 300
    # Another replica on the same database sees the same counters.
    replica = make_client(env, client=("10.0.0.66", 5000))
    assert replica.post("/auth/login", json={"email": "admin@localhost", "password": "admin"}).status_code == 429
    # The same account from another address is not locked: the counters are per (account, IP).
    owner = make_client(env, client=("10.0.0.7", 5000))
    assert owner.post("/auth/login", json={"email": "admin@localhost", "password": "admin"}).status_code == 204


def test_a_success_resets_the_failure_count(make_client: ClientFactory) -> None:
    env = {**IDENTITY_ENV, "PHOENIX_BRUTE_FORCE_LOGIN_PROTECTION_MAX_ATTEMPTS": "3"}
    client = make_client(env)
    for _ in range(2):
        assert client.post("/auth/login", json={"email": "admin@localhost", "password": "x"}).status_code == 401
    assert client.post("/auth/login", json={"email": "admin@localhost", "password": "admin"}).status_code == 204
    for _ in range(2):
        assert client.post("/auth/login", json={"email": "admin@localhost", "password": "x"}).status_code == 401
    assert client.post("/auth/login", json={"email": "admin@localhost", "password": "admin"}).status_code == 204


def test_auth_endpoints_are_rate_limited_per_ip_with_retry_after(make_client: ClientFactory) -> None:
    from tests.support.constants import AUTH_ENV

    client = make_client(AUTH_ENV)
    statuses = [client.post("/auth/refresh").status_code for _ in range(13)]
    assert statuses[:12] == [401] * 12
    assert statuses[12] == 429
    limited = client.post("/auth/login", json={"email": "a@b.co", "password": "x"})
    assert (limited.status_code, limited.text) == (429, "Too Many Requests")
    assert int(limited.headers["retry-after"]) >= 1
    # Other surfaces are not limited.
    assert client.get("/healthz").status_code == 200


def test_auth_routes_do_not_exist_with_auth_off(client: TestClient) -> None:
    assert client.post("/auth/login", json={"email": "admin@localhost", "password": "admin"}).status_code == 404


def test_must_reset_session_may_only_change_its_password_and_log_out(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    cookies = login(client, "admin@localhost", "admin")
    assert _status(client, bearer(access_token(cookies))) == 200  # reading oneself is allowed
    users = client.get("/v1/users", headers=bearer(access_token(cookies)))
    assert (users.status_code, users.text) == (
        403,
        "Password reset required: change your password before using this session.",
    )
    created = client.post(
        "/v1/users",
        json={"user": {"email": "x@example.com", "username": "x", "role": "ADMIN", "auth_method": "LOCAL"}},
        headers=bearer(access_token(cookies)),
    )
    assert created.status_code == 403
    minted = gql(client, 'mutation{createSystemApiKey(input:{name:"ci"}){jwt}}', token=access_token(cookies))
    assert minted["data"] is None
    assert minted["errors"][0]["message"].startswith("Password reset required")
    other = login(client, "admin@localhost", "admin")
    assert client.post("/auth/logout", headers=bearer(access_token(other))).status_code == 204
    client.cookies.clear()
    assert _status(client, bearer(access_token(other))) == 401
    change_password(client, cookies, "admin", "a-better-password-1")
    fresh = login(client, "admin@localhost", "a-better-password-1")
    minted = gql(client, 'mutation{createSystemApiKey(input:{name:"ci"}){jwt}}', token=access_token(fresh))
    assert minted["data"]["createSystemApiKey"]["jwt"].startswith("pwsk_")
    assert client.get("/v1/users", headers=bearer(access_token(fresh))).status_code == 200


def test_new_users_must_reset_and_ready_users_are_not_limited(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    create_user(client, "new@example.com", "MEMBER")
    cookies = login(client, "new@example.com", PASSWORD)
    assert client.get("/v1/user", headers=bearer(access_token(cookies))).json()["data"]["password_needs_reset"] is True
    ready = member_session(client, "ready@example.com", "MEMBER")
    assert client.get("/v1/user", headers=bearer(access_token(ready))).json()["data"]["password_needs_reset"] is False
