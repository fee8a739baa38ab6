"""Our own /openapi.json describes the server: a bounded, derandomized schemathesis run finds no
5xx and no status code or content type the document does not list, and every 405 carries an
``Allow`` header that lists exactly the documented methods of the path."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from tests.support.http_auth import ADMIN_HEADERS
from tests.support.logins import IDENTITY_ENV
from tests.support.server import ServerProcess

MAX_EXAMPLES = 25
HTTP_METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(params=["sqlite"])
def dialect(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def server(start_server: Callable[..., ServerProcess]) -> ServerProcess:
    return start_server(IDENTITY_ENV)


def _run_operation(server: ServerProcess, operation: Any) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Case[Any]) -> None:
        case.call_and_validate(
            base_url=server.url,
            headers=ADMIN_HEADERS,
            checks=[not_a_server_error, status_code_conformance, content_type_conformance],
        )

    run()


def test_generated_requests_get_documented_answers(server: ServerProcess) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    failures: list[str] = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        try:
            _run_operation(server, operation)
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label}: {exc}"[:2000])
    assert not failures, "\n\n".join(failures)


def _documented_methods(document: dict[str, Any], concrete: str) -> set[str]:
    """The methods documented for every path template that covers this concrete path."""
    methods: set[str] = set()
    for template, item in document["paths"].items():
        pattern = re.sub(r"\\{[^/]+\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, concrete):
            methods |= {method.upper() for method in item if method in HTTP_METHODS}
    return methods


def test_405_lists_the_documented_methods(server: ServerProcess) -> None:
    document = httpx.get(f"{server.url}/openapi.json").json()
    checked = 0
    for path in document["paths"]:
        concrete = path.replace("{", "").replace("}", "")
        documented = _documented_methods(document, concrete)
        for method in sorted({"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"} - documented):
            response = httpx.request(method, f"{server.url}{concrete}", headers=ADMIN_HEADERS)
            assert response.status_code == 405, (method, path, response.status_code)
            allowed = {m.strip() for m in response.headers["allow"].split(",")} - {"HEAD", "OPTIONS"}
            assert allowed == documented, (method, path, allowed, documented)
            checked += 1
    assert checked > 20
