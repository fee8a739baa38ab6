"""GraphQL documents over the token, alias or depth limit are refused before anything runs, and
large documents never enter the parse cache."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from graphql import get_introspection_query

from pyrewatch.http.graphql.limits import CACHEABLE_DOCUMENT_CHARS, SmallDocumentParserCache
from tests.conftest import ClientFactory
from tests.support.http_auth import ADMIN_HEADERS, gql
from tests.support.logins import IDENTITY_ENV


@pytest.fixture(params=["sqlite"])
def dialect(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def admin_client(make_client: ClientFactory) -> TestClient:
    return make_client(IDENTITY_ENV)


def _aliases(count: int) -> str:
    return "{" + " ".join(f"a{i}: viewer {{ username }}" for i in range(count)) + "}"


def test_ten_thousand_aliases_are_refused_without_running(admin_client: TestClient) -> None:
    result = gql(admin_client, _aliases(10_000), headers=ADMIN_HEADERS)
    assert result.get("data") is None
    assert "more than 5000 tokens" in result["errors"][0]["message"]


def test_aliases_and_depth_have_their_own_limits(make_client: ClientFactory) -> None:
    client = make_client({**IDENTITY_ENV, "PYREWATCH_GRAPHQL_MAX_ALIASES": "3", "PYREWATCH_GRAPHQL_MAX_DEPTH": "3"})
    assert gql(client, _aliases(3), headers=ADMIN_HEADERS).get("errors") is None
    refused = gql(client, _aliases(4), headers=ADMIN_HEADERS)
    assert refused.get("data") is None
    assert "4 aliases" in refused["errors"][0]["message"]
    shallow = "{ viewer { apiKeys { user { username } } } }"
    assert "exceeds maximum operation depth" not in str(gql(client, shallow, headers=ADMIN_HEADERS))
    deep = "{ viewer { apiKeys { user { apiKeys { user { username } } } } } }"
    result = gql(client, deep, headers=ADMIN_HEADERS)
    assert result.get("data") is None
    assert "exceeds maximum operation depth of 3" in result["errors"][0]["message"]


def test_introspection_fits_the_default_limits(admin_client: TestClient) -> None:
    result = gql(admin_client, get_introspection_query(), headers=ADMIN_HEADERS)
    assert "errors" not in result, result.get("errors")
    assert result["data"]["__schema"]["queryType"]["name"] == "Query"


def test_large_documents_are_not_cached(admin_client: TestClient) -> None:
    cache: Any = SmallDocumentParserCache(maxsize=512).cached_parse_document  # functools' LRU wrapper
    cache.cache_clear()
    padding = " " * CACHEABLE_DOCUMENT_CHARS
    for i in range(5):
        assert gql(admin_client, f"{{ viewer {{ username }} }}{padding}#{i}", headers=ADMIN_HEADERS)["data"]
    assert cache.cache_info().currsize == 0
    for _ in range(3):
        assert gql(admin_client, "{ viewer { username } }", headers=ADMIN_HEADERS)["data"]
    assert cache.cache_info().currsize == 1


def test_node_errors_do_not_echo_a_huge_id(admin_client: TestClient) -> None:
    huge = "%" * 500_000
    result = gql(admin_client, "query($id: ID!){node(id:$id){id}}", {"id": huge}, headers=ADMIN_HEADERS)
    message = result["errors"][0]["message"]
    assert message.startswith("Invalid GlobalID: %%%")
    assert message.endswith("(500000 characters)")
    assert len(message) < 200
