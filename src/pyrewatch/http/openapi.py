"""``/openapi.json`` as the server answers: the error responses every operation can give.

FastAPI documents only what each route declares. The answers that come from elsewhere (the
authentication middleware, the policy, the request limits, the domain-error table in
``http/errors.py``) are added here, once, for every operation:

* 401 and 403 (``text/plain``) everywhere: a credential is missing or a role falls short;
* 400 everywhere (``text/plain``): a malformed request;
* 422 with both bodies: FastAPI's JSON validation errors and the domain's ``text/plain`` ones;
* 404 where the path or the body names a resource, 409 where a request creates or changes one;
* 408 and 413 (``text/plain``) where a request has a body.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

TEXT: dict[str, Any] = {"text/plain": {"schema": {"type": "string"}}}
VALIDATION: dict[str, Any] = {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}
_DESCRIPTIONS = {
    "400": "Bad Request",
    "401": "Unauthorized",
    "403": "Forbidden",
    "404": "Not Found",
    "408": "Request Timeout",
    "409": "Conflict",
    "413": "Content Too Large",
    "422": "Unprocessable Content",
}
_CHANGES = ("post", "put", "patch")
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def _add(responses: dict[str, Any], status: str, content: dict[str, Any]) -> None:
    response = responses.setdefault(status, {"description": _DESCRIPTIONS[status]})
    response.setdefault("content", {})
    for media_type, body in content.items():
        response["content"].setdefault(media_type, body)


def _document_errors(method: str, path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status in ("400", "401", "403"):
        _add(responses, status, TEXT)
    _add(responses, "422", {**TEXT, **VALIDATION})
    if "{" in path or "requestBody" in operation:
        _add(responses, "404", TEXT)
    if method in _CHANGES:
        _add(responses, "409", TEXT)
    if "requestBody" in operation:
        _add(responses, "408", TEXT)
        _add(responses, "413", TEXT)


def complete_error_responses(document: dict[str, Any]) -> dict[str, Any]:
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in _METHODS:
                _document_errors(method, path, operation)
    return document


def install_openapi(app: FastAPI) -> None:
    """Serve the completed document at ``/openapi.json`` (built once, on first request)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete_error_responses(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
