"""The policy's scope and project-binding rules, caller by caller."""

from __future__ import annotations

import pytest

from pyrewatch.auth.policy import (
    Action,
    Denial,
    decide,
    decide_graphql_query,
    decide_project,
    visible_projects,
)
from pyrewatch.auth.principal import Principal, Role, Via

MEMBER_KEY = Principal(via=Via.USER_KEY, user_id=2, role=Role.MEMBER, credential_id=9)
ADMIN_KEY = Principal(via=Via.USER_KEY, user_id=1, role=Role.ADMIN, credential_id=8)


def _scoped(base: Principal, *scopes: str, projects: tuple[str, ...] | None = None) -> Principal:
    return Principal(
        via=base.via,
        user_id=base.user_id,
        role=base.role,
        credential_id=base.credential_id,
        scopes=frozenset(scopes),
        projects=None if projects is None else frozenset(projects),
    )


@pytest.mark.parametrize("action", list(Action))
def test_an_ingest_key_may_only_ingest(action: Action) -> None:
    expected = None if action is Action.INGEST else Denial.OUT_OF_SCOPE
    assert decide(_scoped(MEMBER_KEY, "ingest"), action) == expected


@pytest.mark.parametrize("action", list(Action))
def test_a_read_key_only_narrows_its_owners_role(action: Action) -> None:
    full = decide(ADMIN_KEY, action)
    narrowed = decide(_scoped(ADMIN_KEY, "read"), action)
    reads = {
        Action.READ,
        Action.READ_SELF,
        Action.LIST_OWN_KEYS,
        Action.LIST_USERS,
        Action.LIST_SYSTEM_KEYS,
        Action.LIST_ALL_USER_KEYS,
        Action.READ_AUDIT,
    }
    assert narrowed == (full if action in reads else Denial.OUT_OF_SCOPE)


def test_both_scopes_together_still_refuse_writes() -> None:
    both = _scoped(MEMBER_KEY, "ingest", "read")
    assert decide(both, Action.INGEST) is None and decide(both, Action.READ) is None
    assert decide(both, Action.WRITE) is Denial.OUT_OF_SCOPE


def test_graphql_queries_need_the_read_scope_only_for_scoped_keys() -> None:
    assert decide_graphql_query(MEMBER_KEY) is None
    assert decide_graphql_query(_scoped(MEMBER_KEY, "read")) is None
    assert decide_graphql_query(_scoped(MEMBER_KEY, "ingest")) is Denial.OUT_OF_SCOPE


def test_project_binding() -> None:
    bound = _scoped(MEMBER_KEY, "read", projects=("a", "b"))
    assert decide_project(bound, "a") is None
    assert decide_project(bound, "c") is Denial.PROJECT_NOT_BOUND
    assert decide_project(MEMBER_KEY, "c") is None
    assert visible_projects(bound) == frozenset({"a", "b"}) and visible_projects(MEMBER_KEY) is None
