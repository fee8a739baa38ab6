"""User management over REST and GraphQL: shapes, validation, protection rules, revocation."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import ClientFactory
from tests.support.http_auth import ADMIN_HEADERS, bearer, gql
from tests.support.logins import IDENTITY_ENV, PASSWORD, access_token, create_user, login, member_session

SYSTEM_ID, DEFAULT_ADMIN_ID = "VXNlcjox", "VXNlcjoy"  # User:1, User:2


def _local(email: str, username: str, role: str = "MEMBER", **extra: Any) -> dict[str, Any]:
    return {"user": {"email": email, "username": username, "role": role, "auth_method": "LOCAL", **extra}}


def test_rest_create_list_and_viewer_shapes(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    created = client.post(
        "/v1/users", json=_local(" Bob@Example.COM ", "bob", password="pw-bob-1"), headers=ADMIN_HEADERS
    )
    assert created.status_code == 201
    user = created.json()["data"]
    assert set(user) == {
        "id",
        "created_at",
        "updated_at",
        "email",
        "username",
        "role",
        "auth_method",
        "password_needs_reset",
    }
    assert (user["email"], user["role"], user["password_needs_reset"]) == ("bob@example.com", "MEMBER", True)
    page = client.get("/v1/users?limit=2", headers=ADMIN_HEADERS).json()
    assert [u["email"] for u in page["data"]] == ["bob@example.com", "admin@localhost"]
    rest = client.get(f"/v1/users?cursor={page['next_cursor']}", headers=ADMIN_HEADERS).json()
    assert [u["email"] for u in rest["data"]] == ["system@localhost"]
    assert rest["next_cursor"] is None
    me = client.get("/v1/user", headers=ADMIN_HEADERS).json()["data"]
    assert (me["id"], me["role"]) == (SYSTEM_ID, "SYSTEM")


def test_rest_validation_errors_are_4xx_with_the_rule(make_client: ClientFactory) -> None:
    client = make_client({**IDENTITY_ENV, "PHOENIX_ENABLE_STRONG_PASSWORD_POLICY": "true"})
    cases = [
        (_local("not-an-email", "x", password="Str0ng!Passw0rd"), 422, "Invalid email address"),
        (
            _local("w@example.com", "w", password="short"),
            422,
            "Password must be at least 12 characters long, contain at least one digit, contain at least one "
            "uppercase letter, and contain at least one special character (!@#$%^&*()_+)",
        ),
        (
            _local("s@example.com", "s", role="SYSTEM", password="Str0ng!Passw0rd"),
            400,
            "Cannot create users with SYSTEM role",
        ),
        (_local("b@example.com", "  ", password="Str0ng!Passw0rd"), 422, "Username cannot be empty"),
        (_local("dup@example.com", "dup", password="Str0ng!Passw0rd"), 201, None),
        (_local("DUP@example.com", "other", password="Str0ng!Passw0rd"), 409, "Email already exists"),
        (_local("new@example.com", "admin", password="Str0ng!Passw0rd"), 409, "Username already exists"),
    ]
    for body, status, message in cases:
        response = client.post("/v1/users", json=body, headers=ADMIN_HEADERS)
        assert response.status_code == status, body
        assert message is None or response.text == message
    unknown_role = client.post("/v1/users", json=_local("r@example.com", "r", role="OWNER"), headers=ADMIN_HEADERS)
    assert unknown_role.status_code == 422
    assert client.get("/v1/users?cursor=%%%", headers=ADMIN_HEADERS).status_code == 422
    assert client.get("/v1/users?limit=0", headers=ADMIN_HEADERS).status_code == 422
    bad_id = client.delete("/v1/users/not-an-id", headers=ADMIN_HEADERS)
    assert (bad_id.status_code, bad_id.text) == (422, "Invalid User GlobalID format: not-an-id")


def test_rest_delete_protects_default_users_and_revokes_everything(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    for protected in (SYSTEM_ID, DEFAULT_ADMIN_ID):
        response = client.delete(f"/v1/users/{protected}", headers=ADMIN_HEADERS)
        assert (response.status_code, response.text) == (403, "Cannot delete the default admin or system user")
    assert client.delete("/v1/users/VXNlcjo5OTk5", headers=ADMIN_HEADERS).status_code == 404
    session = member_session(client, "gone@example.com", "MEMBER")
    second = login(client, "gone@example.com", PASSWORD + "2")
    key = gql(client, 'mutation{createUserApiKey(input:{name:"k"}){jwt}}', token=access_token(session))
    token = key["data"]["createUserApiKey"]["jwt"]
    for headers in (bearer(access_token(session)), bearer(access_token(second)), {"Authorization": f"Bearer {token}"}):
        assert client.get("/v1/user", headers=headers).status_code == 200
    user_id = client.get("/v1/user", headers=bearer(access_token(session))).json()["data"]["id"]
    assert client.delete(f"/v1/users/{user_id}", headers=ADMIN_HEADERS).status_code == 204
    for headers in (bearer(access_token(session)), bearer(access_token(second)), {"Authorization": f"Bearer {token}"}):
        assert client.get("/v1/user", headers=headers).status_code == 401
    refresh = client.post(
        "/auth/refresh", headers={"Cookie": f"phoenix-refresh-token={session['phoenix-refresh-token']}"}
    )
    assert refresh.status_code == 401
    assert client.post("/auth/login", json={"email": "gone@example.com", "password": PASSWORD + "2"}).status_code == 401


CREATE = "mutation($i: CreateUserInput!){createUser(input:$i){user{id email username role{name} passwordNeedsReset authMethod}}}"
PATCH = "mutation($i: PatchUserInput!){patchUser(input:$i){user{id username role{name} passwordNeedsReset}}}"
DELETE = "mutation($i: DeleteUsersInput!){deleteUsers(input:$i){userIds}}"


def _error(result: dict[str, Any]) -> str:
    assert result["data"] is None, result
    message: str = result["errors"][0]["message"]
    return message


def test_graphql_create_patch_and_delete_users(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    admin = member_session(client, "root@example.com", "ADMIN")
    created = gql(
        client,
        CREATE,
        {"i": {"email": "Fred@Example.com", "username": "fred", "password": PASSWORD, "role": "VIEWER"}},
        token=access_token(admin),
    )["data"]["createUser"]["user"]
    assert (created["email"], created["role"]["name"], created["passwordNeedsReset"], created["authMethod"]) == (
        "fred@example.com",
        "VIEWER",
        True,
        "LOCAL",
    )
    duplicate = gql(
        client,
        CREATE,
        {"i": {"email": "FRED@example.com", "username": "f2", "password": PASSWORD, "role": "VIEWER"}},
        token=access_token(admin),
    )
    assert _error(duplicate) == "Email already exists"
    no_password = gql(
        client, CREATE, {"i": {"email": "g@example.com", "username": "g", "role": "VIEWER"}}, token=access_token(admin)
    )
    assert _error(no_password) == "Password is required for local authentication"
    bad_email = gql(
        client,
        CREATE,
        {"i": {"email": "nope", "username": "g", "password": PASSWORD, "role": "VIEWER"}},
        token=access_token(admin),
    )
    assert _error(bad_email) == "Invalid email address"
    fred_session = login(client, "fred@example.com")
    promoted = gql(client, PATCH, {"i": {"userId": created["id"], "newRole": "MEMBER"}}, token=access_token(admin))
    assert promoted["data"]["patchUser"]["user"]["role"]["name"] == "MEMBER"
    # A role change ends the target's sessions at once.
    assert client.get("/v1/user", headers=bearer(access_token(fred_session))).status_code == 401
    assert _error(
        gql(client, PATCH, {"i": {"userId": DEFAULT_ADMIN_ID, "newRole": "MEMBER"}}, token=access_token(admin))
    ) == ("Cannot modify role for the default admin user")
    me = client.get("/v1/user", headers=bearer(access_token(admin))).json()["data"]["id"]
    assert (
        _error(gql(client, PATCH, {"i": {"userId": me, "newRole": "MEMBER"}}, token=access_token(admin)))
        == "Cannot modify own role"
    )
    assert (
        _error(gql(client, PATCH, {"i": {"userId": created["id"]}}, token=access_token(admin)))
        == "At least one field must be set"
    )
    assert _error(gql(client, DELETE, {"i": {"userIds": [DEFAULT_ADMIN_ID]}}, token=access_token(admin))) == (
        "Cannot delete the default admin user"
    )
    missing = gql(
        client, DELETE, {"i": {"userIds": [created["id"], "VXNlcjo5OTk5OTk5OTk="]}}, token=access_token(admin)
    )
    assert _error(missing) == "Some user IDs could not be found"
    assert (
        _error(gql(client, DELETE, {"i": {"userIds": [SYSTEM_ID]}}, token=access_token(admin)))
        == "Some user IDs could not be found"
    )
    deleted = gql(client, DELETE, {"i": {"userIds": [created["id"]]}}, token=access_token(admin))
    assert deleted["data"]["deleteUsers"]["userIds"] == [created["id"]]


def test_graphql_admin_password_change_forces_a_reset(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    target = create_user(client, "gina@example.com", "MEMBER")
    session = login(client, "gina@example.com")
    result = gql(client, PATCH, {"i": {"userId": target["id"], "newPassword": "set-by-admin"}}, headers=ADMIN_HEADERS)
    assert result["data"]["patchUser"]["user"]["passwordNeedsReset"] is True
    assert client.get("/v1/user", headers=bearer(access_token(session))).status_code == 401
    assert client.post("/auth/login", json={"email": "gina@example.com", "password": PASSWORD}).status_code == 401
    login(client, "gina@example.com", "set-by-admin")


def test_patch_viewer_rules_and_cookie_deletion(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    session = member_session(client, "hank@example.com", "VIEWER")
    query = "mutation($i: PatchViewerInput!){patchViewer(input:$i){user{username passwordNeedsReset}}}"
    assert _error(gql(client, query, {"i": {"newPassword": "x-new-pass"}}, token=access_token(session))) == (
        "current_password is required when modifying password"
    )
    wrong = gql(
        client, query, {"i": {"newPassword": "x-new-pass", "currentPassword": "nope"}}, token=access_token(session)
    )
    assert _error(wrong) == "Valid current password is required to modify password"
    renamed = client.post(
        "/graphql",
        json={"query": query, "variables": {"i": {"newUsername": "henry"}}},
        headers=bearer(access_token(session)),
    )
    assert renamed.json()["data"]["patchViewer"]["user"]["username"] == "henry"
    assert "set-cookie" not in renamed.headers
    changed = client.post(
        "/graphql",
        json={"query": query, "variables": {"i": {"newPassword": "x-new-pass", "currentPassword": PASSWORD + "2"}}},
        headers=bearer(access_token(session)),
    )
    assert changed.json()["data"]["patchViewer"]["user"]["passwordNeedsReset"] is False
    assert "phoenix-access-token=" in changed.headers["set-cookie"]
    client.cookies.clear()
    assert client.get("/v1/user", headers=bearer(access_token(session))).status_code == 401
    login(client, "hank@example.com", "x-new-pass")


def test_graphql_queries_users_node_and_roles(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    member = member_session(client, "ivy@example.com", "MEMBER")
    other = create_user(client, "jon@example.com", "VIEWER")
    me = client.get("/v1/user", headers=bearer(access_token(member))).json()["data"]["id"]
    node = "query($id: ID!){node(id:$id){id ... on User{email}}}"
    assert gql(client, node, {"id": me}, token=access_token(member))["data"]["node"]["email"] == "ivy@example.com"
    assert (
        _error(gql(client, node, {"id": other["id"]}, token=access_token(member)))
        == "Only admin can perform this action"
    )
    assert gql(client, node, {"id": other["id"]}, headers=ADMIN_HEADERS)["data"]["node"]["email"] == "jon@example.com"
    assert (
        _error(gql(client, "{users{edges{node{id}}}}", token=access_token(member)))
        == "Only admin can perform this action"
    )
    users = gql(
        client, "{users(first: 2){edges{cursor node{email}} pageInfo{hasNextPage endCursor}}}", headers=ADMIN_HEADERS
    )
    listing = users["data"]["users"]
    assert [e["node"]["email"] for e in listing["edges"]] == ["admin@localhost", "ivy@example.com"]
    assert listing["pageInfo"]["hasNextPage"] is True
    after = gql(
        client,
        "query($a: String){users(after: $a){edges{node{email}}}}",
        {"a": listing["pageInfo"]["endCursor"]},
        headers=ADMIN_HEADERS,
    )
    assert [e["node"]["email"] for e in after["data"]["users"]["edges"]] == ["jon@example.com"]
    roles = gql(client, "{userRoles{name}}", token=access_token(member))["data"]["userRoles"]
    assert [r["name"] for r in roles] == ["ADMIN", "MEMBER", "VIEWER"]


def test_with_auth_off_user_management_is_refused(client: TestClient) -> None:
    refusal = (
        "This action requires authentication to be enabled. Set the PHOENIX_ENABLE_AUTH environment variable to true."
    )
    created = client.post("/v1/users", json=_local("k@example.com", "k", role="ADMIN", password="pw-k-1"))
    assert (created.status_code, created.text) == (403, refusal)
    listed = client.get("/v1/users")
    assert (listed.status_code, listed.text) == (403, refusal)
    assert client.delete(f"/v1/users/{DEFAULT_ADMIN_ID}").status_code == 403
    assert client.get("/v1/user").json() == {"data": {"auth_method": "ANONYMOUS"}}
    result = gql(
        client, CREATE, {"i": {"email": "k@example.com", "username": "k", "password": "pw-k-1", "role": "ADMIN"}}
    )
    assert result["data"] is None and result["errors"]
    assert gql(client, "{viewer{id}}")["data"]["viewer"] is None


def test_reset_password_mutation_changes_only_the_password(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    create_user(client, "kim@example.com", "MEMBER")
    session = login(client, "kim@example.com")
    query = "mutation($i: PatchViewerInput!){resetPassword(input:$i){user{passwordNeedsReset}}}"
    assert (
        _error(gql(client, query, {"i": {"currentPassword": PASSWORD}}, token=access_token(session)))
        == "newPassword is required"
    )
    done = gql(
        client, query, {"i": {"currentPassword": PASSWORD, "newPassword": "kims-new-pw"}}, token=access_token(session)
    )
    assert done["data"]["resetPassword"]["user"]["passwordNeedsReset"] is False
    client.cookies.clear()
    assert client.get("/v1/user", headers=bearer(access_token(session))).status_code == 401
    login(client, "kim@example.com", "kims-new-pw")


def test_a_renamed_default_admin_still_cannot_be_deleted(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    cookies = login(client, "admin@localhost", "admin")
    renamed = gql(
        client, 'mutation{patchViewer(input:{newUsername:"boss"}){user{username}}}', token=access_token(cookies)
    )
    assert renamed["data"]["patchViewer"]["user"]["username"] == "boss"
    result = gql(client, DELETE, {"i": {"userIds": [DEFAULT_ADMIN_ID]}}, headers=ADMIN_HEADERS)
    assert _error(result) == "Cannot delete the default admin user"
    rest = client.delete(f"/v1/users/{DEFAULT_ADMIN_ID}", headers=ADMIN_HEADERS)
    assert rest.status_code == 403


def test_nobody_deletes_themselves_on_any_surface(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    admin = member_session(client, "second-admin@example.com", "ADMIN")
    me = client.get("/v1/user", headers=bearer(access_token(admin))).json()["data"]
    rest = client.delete(f"/v1/users/{me['id']}", headers=bearer(access_token(admin)))
    assert (rest.status_code, rest.text) == (403, "Users cannot delete themselves")
    result = gql(client, DELETE, {"i": {"userIds": [me["id"]]}}, token=access_token(admin))
    assert _error(result) == "Users cannot delete themselves"
    # Another admin (here, the admin secret) may delete that user.
    assert client.delete(f"/v1/users/{me['id']}", headers=ADMIN_HEADERS).status_code == 204
