"""Request-limit settings and the JSON text check, without a server."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from pyrewatch.errors import ConfigurationError
from pyrewatch.http.limits import AUTH_BODY_LIMIT, body_limit, json_body_problem
from pyrewatch.settings import load_settings


def test_limits_have_documented_defaults_and_can_be_set() -> None:
    defaults = load_settings({}).limits
    assert (defaults.max_api_body_bytes, defaults.max_graphql_body_bytes, defaults.graphql_max_depth) == (
        16 * 1024 * 1024,
        1024 * 1024,
        15,
    )
    limits = load_settings({"PYREWATCH_MAX_API_BODY_BYTES": "2048", "PYREWATCH_GRAPHQL_MAX_DEPTH": "4"}).limits
    assert (limits.max_api_body_bytes, limits.graphql_max_depth) == (2048, 4)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PYREWATCH_MAX_API_BODY_BYTES", "10"),
        ("PYREWATCH_HEADER_TIMEOUT_SECONDS", "0"),
        ("PYREWATCH_MAX_CONNECTIONS", "many"),
        ("PYREWATCH_GRAPHQL_MAX_TOKENS", "5"),
    ],
)
def test_unusable_limits_stop_start_up(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        load_settings({name: value})


def test_each_route_family_has_its_body_limit() -> None:
    limits = replace(load_settings({}).limits, max_api_body_bytes=5000, max_graphql_body_bytes=3000)
    assert body_limit("/auth/login", limits) == AUTH_BODY_LIMIT
    assert body_limit("/graphql", limits) == 3000
    assert body_limit("/v1/projects", limits) == 5000
    assert body_limit("/v1/traces", limits) is None


@pytest.mark.parametrize(
    "body",
    [b'{"a":"plain"}', b'{"a":"\\ud83d\\ude00"}', b'{"a":"\\\\ud800"}', b"not json \\ud800", b"[" * 100_000],
)
def test_acceptable_or_route_handled_bodies_pass(body: bytes) -> None:
    assert json_body_problem(body) is None


def test_a_lone_surrogate_is_located_even_in_a_key() -> None:
    problem = json_body_problem(b'{"a":[{"\\udc00x":1}]}')
    assert problem is not None and problem.status_code == 422
    assert json.loads(bytes(problem.body))["detail"][0]["loc"] == ["body", "a", 0, "?x"]
