"""The permission matrix: every /v1 and /graphql route, every kind of caller, through HTTP.

Each route is classified with the policy action it performs (``ROUTE_ACTIONS``); a route that
is not classified fails the test, so a new route cannot ship without a decision. ``EXPECTED``
is the matrix itself, written out by hand (it is the specification, not derived from the
policy code): for each action and each kind of caller, either ``OK`` or the ``Denial`` that
must come back.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from pyrewatch.auth.policy import Action, Denial
from tests.conftest import ClientFactory
from tests.support.http_auth import ADMIN_HEADERS, bearer, gql, mint_system_key
from tests.support.logins import IDENTITY_ENV, access_token, login, member_session

OK = "ok"
D = Denial

# Kinds of caller: sessions (S), user API keys (K), a system key, the admin secret, nobody, and
# a session of the default admin that still has to change its password.
KINDS = (
    "none",
    "viewer_s",
    "member_s",
    "admin_s",
    "viewer_k",
    "member_k",
    "admin_k",
    "system_k",
    "admin_secret",
    "must_reset_s",
    # Scoped keys: an ingest-only key of a member and of a viewer, read-only keys of an admin
    # and of the system user. Scopes only ever narrow the owner's role.
    "member_ingest_k",
    "viewer_ingest_k",
    "admin_read_k",
    "system_read_k",
)


def _row(
    none: Any, viewer: Any, member: Any, admin_s: Any, admin_k: Any, system_k: Any, secret: Any, reset: Any
) -> dict[str, Any]:
    return {
        "none": none,
        "viewer_s": viewer,
        "viewer_k": viewer,
        "member_s": member,
        "member_k": member,
        "admin_s": admin_s,
        "admin_k": admin_k,
        "system_k": system_k,
        "admin_secret": secret,
        "must_reset_s": reset,
    }


U, V, A, R, K = D.UNAUTHENTICATED, D.VIEWER, D.NOT_ADMIN, D.PASSWORD_RESET_REQUIRED, D.API_KEY_CANNOT_MINT
# The GraphQL transport only requires a credential; each field then asks the policy.
AUTHENTICATED = "authenticated"
EXPECTED: dict[Action | str, dict[str, Any]] = {
    AUTHENTICATED: _row(U, OK, OK, OK, OK, OK, OK, OK),
    Action.READ: _row(U, OK, OK, OK, OK, OK, OK, R),
    Action.WRITE: _row(U, V, OK, OK, OK, OK, OK, R),
    Action.INGEST: _row(U, V, OK, OK, OK, OK, OK, R),
    Action.ADMIN_WRITE: _row(U, V, A, OK, OK, A, OK, R),
    Action.READ_SELF: _row(U, OK, OK, OK, OK, OK, OK, OK),
    Action.LIST_USERS: _row(U, A, A, OK, OK, A, OK, R),
    Action.MANAGE_USERS: _row(U, V, A, OK, OK, A, OK, R),
    Action.PATCH_SELF: _row(U, OK, OK, OK, OK, OK, OK, OK),
    Action.CREATE_SYSTEM_KEY: _row(U, V, A, OK, K, A, OK, R),
    Action.LIST_SYSTEM_KEYS: _row(U, A, A, OK, OK, A, OK, R),
    Action.REVOKE_SYSTEM_KEY: _row(U, A, A, OK, OK, A, OK, R),
    Action.LIST_ALL_USER_KEYS: _row(U, A, A, OK, OK, A, OK, R),
    Action.LIST_OWN_KEYS: _row(U, OK, OK, OK, OK, OK, OK, R),
    Action.READ_AUDIT: _row(U, A, A, OK, OK, A, OK, R),
    # Revoking an absent key is a 404 for everyone allowed to try; a system key may not try.
    Action.REVOKE_USER_KEY: _row(U, OK, OK, OK, OK, D.SYSTEM_PRINCIPAL_NO_PERSONAL_KEYS, OK, R),
    # Only a person's session mints a personal key: never an API key or the admin secret.
    Action.CREATE_USER_KEY: {
        **_row(U, OK, OK, OK, K, K, K, R),
        "viewer_k": K,
        "member_k": K,
    },
}
S = D.OUT_OF_SCOPE
# (member_ingest_k, viewer_ingest_k, admin_read_k, system_read_k) for each action.
SCOPED: dict[Action | str, tuple[Any, Any, Any, Any]] = {
    AUTHENTICATED: (OK, OK, OK, OK),
    Action.READ: (S, S, OK, OK),
    Action.WRITE: (S, S, S, S),
    Action.INGEST: (OK, V, S, S),
    Action.ADMIN_WRITE: (S, S, S, S),
    Action.READ_SELF: (S, S, OK, OK),
    Action.LIST_USERS: (S, S, OK, A),
    Action.MANAGE_USERS: (S, S, S, S),
    Action.PATCH_SELF: (S, S, S, S),
    Action.CREATE_SYSTEM_KEY: (S, S, S, S),
    Action.LIST_SYSTEM_KEYS: (S, S, OK, A),
    Action.REVOKE_SYSTEM_KEY: (S, S, S, S),
    Action.LIST_ALL_USER_KEYS: (S, S, OK, A),
    Action.LIST_OWN_KEYS: (S, S, OK, OK),
    Action.READ_AUDIT: (S, S, OK, A),
    Action.REVOKE_USER_KEY: (S, S, S, S),
    Action.CREATE_USER_KEY: (S, S, S, S),
}
for _action, _expected in SCOPED.items():
    EXPECTED[_action].update(
        zip(("member_ingest_k", "viewer_ingest_k", "admin_read_k", "system_read_k"), _expected, strict=True)
    )

# (method, path) -> action. GraphQL is one route at the transport level; its operations are
# classified in GRAPHQL_PROBES below.
ROUTE_ACTIONS: dict[tuple[str, str], Action | str] = {
    ("GET", "/v1/user"): Action.READ_SELF,
    ("GET", "/v1/users"): Action.LIST_USERS,
    ("POST", "/v1/users"): Action.MANAGE_USERS,
    ("DELETE", "/v1/users/{user_id}"): Action.MANAGE_USERS,
    ("GET", "/graphql"): AUTHENTICATED,
    ("POST", "/graphql"): AUTHENTICATED,
    ("GET", "/v1/system/api_keys"): Action.LIST_SYSTEM_KEYS,
    ("POST", "/v1/system/api_keys"): Action.CREATE_SYSTEM_KEY,
    ("DELETE", "/v1/system/api_keys/{api_key_id}"): Action.REVOKE_SYSTEM_KEY,
    # Rotation mints a key: the same callers as creation (then the revoke rule for the old one).
    ("POST", "/v1/system/api_keys/{api_key_id}/rotate"): Action.CREATE_SYSTEM_KEY,
    ("POST", "/v1/user/api_keys/{api_key_id}/rotate"): Action.CREATE_USER_KEY,
    ("GET", "/v1/user/api_keys"): Action.LIST_OWN_KEYS,
    ("POST", "/v1/user/api_keys"): Action.CREATE_USER_KEY,
    ("DELETE", "/v1/user/api_keys/{api_key_id}"): Action.REVOKE_USER_KEY,
    ("GET", "/v1/users/api_keys"): Action.LIST_ALL_USER_KEYS,
    ("GET", "/v1/projects"): Action.READ,
    ("POST", "/v1/projects"): Action.WRITE,
    ("GET", "/v1/projects/{project_identifier}"): Action.READ,
    ("PUT", "/v1/projects/{project_identifier}"): Action.ADMIN_WRITE,
    ("DELETE", "/v1/projects/{project_identifier}"): Action.ADMIN_WRITE,
    ("GET", "/v1/projects/{project_identifier}/spans"): Action.READ,
    # A query with a body: reading, so viewers may use it (get_spans_dataframe).
    ("POST", "/v1/spans"): Action.READ,
    ("DELETE", "/v1/spans/{span_identifier}"): Action.WRITE,
    ("GET", "/v1/projects/{project_identifier}/traces"): Action.READ,
    ("DELETE", "/v1/traces/{trace_identifier}"): Action.WRITE,
    ("POST", "/v1/span_annotations"): Action.WRITE,
    ("POST", "/v1/span_notes"): Action.WRITE,
    ("GET", "/v1/projects/{project_identifier}/span_annotations"): Action.READ,
    ("DELETE", "/v1/projects/{project_identifier}/span_annotations"): Action.WRITE,
    ("POST", "/v1/traces"): Action.INGEST,
    # Datasets, splits and labels: viewers read, members and admins (and system keys) write.
    ("GET", "/v1/datasets"): Action.READ,
    ("GET", "/v1/datasets/{id}"): Action.READ,
    ("DELETE", "/v1/datasets/{id}"): Action.WRITE,
    ("GET", "/v1/datasets/{id}/versions"): Action.READ,
    ("GET", "/v1/datasets/{id}/examples"): Action.READ,
    ("GET", "/v1/datasets/{id}/csv"): Action.READ,
    ("GET", "/v1/datasets/{id}/jsonl"): Action.READ,
    ("GET", "/v1/datasets/{id}/jsonl/openai_ft"): Action.READ,
    ("GET", "/v1/datasets/{id}/jsonl/openai_evals"): Action.READ,
    ("POST", "/v1/datasets/upload"): Action.WRITE,
    ("POST", "/v1/datasets/{dataset_identifier}/splits"): Action.WRITE,
    ("PATCH", "/v1/datasets/{dataset_identifier}/splits/{split_id}"): Action.WRITE,
    ("DELETE", "/v1/datasets/{dataset_identifier}/splits/{split_id}"): Action.WRITE,
    ("GET", "/v1/dataset_labels"): Action.READ,
    ("POST", "/v1/dataset_labels"): Action.WRITE,
    ("GET", "/v1/dataset_labels/{label_id}"): Action.READ,
    ("PATCH", "/v1/dataset_labels/{label_id}"): Action.WRITE,
    ("DELETE", "/v1/dataset_labels/{label_id}"): Action.WRITE,
    ("GET", "/v1/datasets/{dataset_identifier}/labels"): Action.READ,
    ("PUT", "/v1/datasets/{dataset_identifier}/labels"): Action.WRITE,
    ("PUT", "/v1/datasets/{dataset_identifier}/labels/{label_id}"): Action.WRITE,
    ("DELETE", "/v1/datasets/{dataset_identifier}/labels/{label_id}"): Action.WRITE,
    # Experiments, runs and evaluations: the same rule.
    ("POST", "/v1/datasets/{dataset_id}/experiments"): Action.WRITE,
    ("GET", "/v1/datasets/{dataset_id}/experiments"): Action.READ,
    ("GET", "/v1/experiments/{experiment_id}"): Action.READ,
    ("PATCH", "/v1/experiments/{experiment_id}"): Action.WRITE,
    ("DELETE", "/v1/experiments/{experiment_id}"): Action.WRITE,
    ("GET", "/v1/experiments/{experiment_id}/tags"): Action.READ,
    ("POST", "/v1/experiments/{experiment_id}/tags"): Action.WRITE,
    ("DELETE", "/v1/experiments/{experiment_id}/tags/{tag_identifier}"): Action.WRITE,
    ("POST", "/v1/experiments/{experiment_id}/runs"): Action.WRITE,
    ("GET", "/v1/experiments/{experiment_id}/runs"): Action.READ,
    ("GET", "/v1/experiments/{experiment_id}/incomplete-runs"): Action.READ,
    ("GET", "/v1/experiments/{experiment_id}/incomplete-evaluations"): Action.READ,
    ("GET", "/v1/experiments/{experiment_id}/json"): Action.READ,
    ("GET", "/v1/experiments/{experiment_id}/csv"): Action.READ,
    ("POST", "/v1/experiment_evaluations"): Action.WRITE,
    # Prompts: viewers read, members and admins (and system keys) write, as in Phoenix.
    ("GET", "/v1/prompts"): Action.READ,
    ("POST", "/v1/prompts"): Action.WRITE,
    ("GET", "/v1/prompts/{prompt_identifier}/versions"): Action.READ,
    ("GET", "/v1/prompt_versions/{prompt_version_id}"): Action.READ,
    ("GET", "/v1/prompts/{prompt_identifier}/tags/{tag_name}"): Action.READ,
    ("GET", "/v1/prompts/{prompt_identifier}/latest"): Action.READ,
    ("GET", "/v1/prompt_versions/{prompt_version_id}/tags"): Action.READ,
    ("POST", "/v1/prompt_versions/{prompt_version_id}/tags"): Action.WRITE,
    ("DELETE", "/v1/prompt_versions/{prompt_version_id}/tags/{tag_name}"): Action.WRITE,
    ("PATCH", "/v1/prompts/{prompt_identifier}"): Action.WRITE,
    ("DELETE", "/v1/prompts/{prompt_identifier}"): Action.WRITE,
    ("GET", "/v1/projects/{project_identifier}/sessions"): Action.READ,
    ("GET", "/v1/sessions/{session_identifier}"): Action.READ,
    ("DELETE", "/v1/sessions/{session_identifier}"): Action.WRITE,
    ("POST", "/v1/sessions/delete"): Action.WRITE,
    ("POST", "/v1/trace_annotations"): Action.WRITE,
    ("POST", "/v1/trace_notes"): Action.WRITE,
    ("GET", "/v1/projects/{project_identifier}/trace_annotations"): Action.READ,
    ("DELETE", "/v1/projects/{project_identifier}/trace_annotations"): Action.WRITE,
    ("POST", "/v1/session_annotations"): Action.WRITE,
    ("POST", "/v1/session_notes"): Action.WRITE,
    ("GET", "/v1/projects/{project_identifier}/session_annotations"): Action.READ,
    ("DELETE", "/v1/projects/{project_identifier}/session_annotations"): Action.WRITE,
    ("POST", "/v1/document_annotations"): Action.WRITE,
    # REST alternative to OTLP export; Phoenix guards it like other data writes.
    ("POST", "/v1/projects/{project_identifier}/spans"): Action.WRITE,
    ("GET", "/v1/projects/{project_identifier}/spans/otlpv1"): Action.READ,
    ("POST", "/v1/traces/transfer"): Action.WRITE,
    ("GET", "/v1/projects/{project_identifier}/retention_policy"): Action.READ,
    ("PUT", "/v1/projects/{project_identifier}/retention_policy"): Action.ADMIN_WRITE,
    ("DELETE", "/v1/projects/{project_identifier}/retention_policy"): Action.ADMIN_WRITE,
    ("POST", "/v1/retention/sweep"): Action.ADMIN_WRITE,
    ("GET", "/v1/annotation_configs"): Action.READ,
    ("POST", "/v1/annotation_configs"): Action.WRITE,
    ("GET", "/v1/annotation_configs/{config_identifier}"): Action.READ,
    ("PUT", "/v1/annotation_configs/{config_id}"): Action.WRITE,
    ("DELETE", "/v1/annotation_configs/{config_id}"): Action.WRITE,
    ("GET", "/v1/projects/{project_identifier}/annotation_configs"): Action.READ,
    ("PUT", "/v1/projects/{project_identifier}/annotation_configs"): Action.WRITE,
    ("PUT", "/v1/projects/{project_identifier}/annotation_configs/{config_identifier}"): Action.WRITE,
    ("DELETE", "/v1/projects/{project_identifier}/annotation_configs/{config_identifier}"): Action.WRITE,
    ("GET", "/v1/audit_events"): Action.READ_AUDIT,
}


@dataclass(frozen=True)
class Probe:
    path: str
    json: Any = None


_counter = itertools.count()


def _probe(method: str, path: str) -> Probe:
    """A concrete request for a route; its result when allowed is anything but 401/403."""
    if (method, path) == ("POST", "/v1/users"):
        n = next(_counter)
        user = {"email": f"probe{n}@example.com", "username": f"probe{n}", "role": "VIEWER", "auth_method": "LOCAL"}
        return Probe(path, {"user": user})
    if (method, path) == ("DELETE", "/v1/users/{user_id}"):
        return Probe("/v1/users/VXNlcjo5OTk5OTk=")  # User:999999, absent: 404 when allowed
    if (method, path) == ("POST", "/graphql"):
        return Probe(path, {"query": "{__typename}"})
    if (method, path) == ("POST", "/v1/projects"):
        return Probe(path, {"name": f"probe-{next(_counter)}"})
    if (method, path) == ("PUT", "/v1/projects/{project_identifier}"):
        return Probe("/v1/projects/absent", {"description": "x"})
    if method == "POST" and path.endswith("/api_keys"):
        return Probe(path, {"data": {"name": "probe"}})
    if (method, path) == ("DELETE", "/v1/system/api_keys/{api_key_id}"):
        return Probe("/v1/system/api_keys/U3lzdGVtQXBpS2V5Ojk5OTk5OQ==")  # absent: 404 when allowed
    if (method, path) == ("DELETE", "/v1/user/api_keys/{api_key_id}"):
        return Probe("/v1/user/api_keys/VXNlckFwaUtleTo5OTk5OTk=")
    return Probe(path.replace("{", "").replace("}", ""))


GRAPHQL_PROBES: list[tuple[str, Action]] = [
    ("{viewer{id}}", Action.READ_SELF),
    ("{users{edges{node{id}}}}", Action.LIST_USERS),
    ("{userRoles{name}}", Action.READ_SELF),
    (
        'mutation{createUser(input:{email:"gql-NUM@example.com",username:"gql-NUM",password:"pw-gql-1",role:VIEWER})'
        "{user{id}}}",
        Action.MANAGE_USERS,
    ),
    ('mutation{deleteUsers(input:{userIds:["VXNlcjo5OTk5OTk="]}){userIds}}', Action.MANAGE_USERS),
    ('mutation{patchUser(input:{userId:"VXNlcjo5OTk5OTk=",newUsername:"x"}){user{id}}}', Action.MANAGE_USERS),
    ('mutation{patchViewer(input:{newUsername:"renamed-NUM"}){user{id}}}', Action.PATCH_SELF),
    ('mutation{createSystemApiKey(input:{name:"gql"}){jwt}}', Action.CREATE_SYSTEM_KEY),
    ('mutation{createUserApiKey(input:{name:"gql"}){jwt}}', Action.CREATE_USER_KEY),
    ('mutation{deleteSystemApiKey(input:{id:"U3lzdGVtQXBpS2V5Ojk5OTk5OQ=="}){apiKeyId}}', Action.REVOKE_SYSTEM_KEY),
    ('mutation{rotateSystemApiKey(input:{id:"U3lzdGVtQXBpS2V5Ojk5OTk5OQ=="}){jwt}}', Action.CREATE_SYSTEM_KEY),
    ("{systemApiKeys{id}}", Action.LIST_SYSTEM_KEYS),
    ("{userApiKeys{id}}", Action.LIST_ALL_USER_KEYS),
    ("{datasets{edges{node{id}}}}", Action.READ),
    ("{prompts{edges{node{id}}}}", Action.READ),
    ('mutation{deleteDataset(input:{datasetId:"RGF0YXNldDo5OTk5OTk="}){dataset{id}}}', Action.WRITE),
    ('mutation{patchDataset(input:{datasetId:"RGF0YXNldDo5OTk5OTk=",name:"x"}){dataset{id}}}', Action.WRITE),
    ('mutation{deleteExperiments(input:{experimentIds:["RXhwZXJpbWVudDo5OTk5OTk="]}){experiments{id}}}', Action.WRITE),
    ('mutation{deletePrompt(input:{promptId:"UHJvbXB0Ojk5OTk5OQ=="}){prompt{id}}}', Action.WRITE),
    (
        'mutation{setPromptVersionTag(input:{promptVersionId:"UHJvbXB0VmVyc2lvbjo5OTk5OTk=",name:"x"})'
        "{promptVersionTag{id}}}",
        Action.WRITE,
    ),
    (
        'mutation{deletePromptVersionTag(input:{promptVersionTagId:"UHJvbXB0VmVyc2lvblRhZzo5OTk5OTk="})'
        "{promptVersionTag{id}}}",
        Action.WRITE,
    ),
    ('{projectRetentionPolicy(projectId:"default"){isDefault}}', Action.READ),
    (
        'mutation{setProjectRetentionPolicy(input:{projectId:"default",useDefault:true}){policy{isDefault}}}',
        Action.ADMIN_WRITE,
    ),
]


def _api_routes(client: TestClient) -> list[tuple[str, str]]:
    routes = []
    for route in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        path = route.path or ""
        if not (path.startswith("/v1/") or path == "/graphql"):
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            routes.append((method, path))
    assert routes, "no API routes found: the route walk is broken"
    return routes


def _credentials(client: TestClient) -> dict[str, dict[str, str]]:
    creds: dict[str, dict[str, str]] = {"none": {}, "admin_secret": dict(ADMIN_HEADERS)}
    for role in ("viewer", "member", "admin"):
        session = member_session(client, f"matrix-{role}@example.com", role.upper())
        creds[f"{role}_s"] = bearer(access_token(session))
        minted = gql(client, 'mutation{createUserApiKey(input:{name:"k"}){jwt}}', token=access_token(session))
        creds[f"{role}_k"] = bearer(minted["data"]["createUserApiKey"]["jwt"])
    creds["system_k"] = bearer(mint_system_key(client, name="s").token)
    creds["must_reset_s"] = bearer(access_token(login(client, "admin@localhost", "admin")))
    for kind, session in (
        ("member_ingest_k", member_session(client, "matrix-ingest@example.com", "MEMBER")),
        ("viewer_ingest_k", member_session(client, "matrix-vingest@example.com", "VIEWER")),
        ("admin_read_k", member_session(client, "matrix-read@example.com", "ADMIN")),
    ):
        scope = "ingest" if "ingest" in kind else "read"
        mutation = f'mutation{{createUserApiKey(input:{{name:"k",scopes:["{scope}"]}}){{jwt}}}}'
        minted = gql(client, mutation, token=access_token(session))
        creds[kind] = bearer(minted["data"]["createUserApiKey"]["jwt"])
    creds["system_read_k"] = bearer(mint_system_key(client, name="r", scopes=["read"]).token)
    return creds


def test_every_api_route_is_classified(make_client: ClientFactory) -> None:
    client = make_client(IDENTITY_ENV)
    unclassified = [r for r in _api_routes(client) if r not in ROUTE_ACTIONS]
    assert unclassified == [], f"classify these routes in ROUTE_ACTIONS: {unclassified}"
    assert set(KINDS) == set(EXPECTED[Action.READ])


def _check(response_status: int, text: str, expected: Any, where: str) -> str | None:
    if expected == OK:
        return None if response_status not in (401, 403) else f"{where}: expected allowed, got {response_status} {text}"
    if (response_status, text) != (expected.status, expected.rest_message):
        return f"{where}: expected {expected.status} {expected.rest_message!r}, got {response_status} {text!r}"
    return None


@pytest.mark.parametrize("surface", ["rest", "graphql"])
def test_permission_matrix(make_client: ClientFactory, surface: str) -> None:
    client = make_client(IDENTITY_ENV)
    creds = _credentials(client)
    failures: list[str] = []
    for kind in KINDS:
        if surface == "rest":
            for method, path in _api_routes(client):
                action = ROUTE_ACTIONS[(method, path)]
                probe = _probe(method, path)
                response = client.request(method, probe.path, json=probe.json, headers=creds[kind])
                problem = _check(response.status_code, response.text, EXPECTED[action][kind], f"{kind} {method} {path}")
                failures += [problem] if problem else []
            continue
        for query, action in GRAPHQL_PROBES:
            text = query.replace("NUM", str(next(_counter)))
            response = client.post("/graphql", json={"query": text}, headers=creds[kind])
            expected = EXPECTED[action][kind]
            where = f"{kind} {query[:40]}"
            if kind == "none":
                problem = _check(response.status_code, response.text, expected, where)
            elif expected == OK:
                errors = response.json().get("errors") or []
                denied = [e["message"] for e in errors if e["message"] in {d.graphql_message for d in Denial}]
                problem = f"{where}: expected allowed, got {denied}" if denied else None
            else:
                errors = response.json().get("errors") or [{"message": None}]
                got = errors[0]["message"]
                problem = (
                    None
                    if got == expected.graphql_message
                    else f"{where}: expected {expected.graphql_message!r}, got {got!r}"
                )
            failures += [problem] if problem else []
    assert failures == []
