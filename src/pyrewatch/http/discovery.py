"""Discovery documents: ``/auth.md`` and ``/.well-known/oauth-protected-resource`` (RFC 9728)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from pyrewatch.http.deps import AppStateDep
from pyrewatch.http.identity import REFRESH_COOKIE
from pyrewatch.http.json_response import json_response
from pyrewatch.http.origin import public_origin
from pyrewatch.services.authentication import ACCESS_COOKIE

router = APIRouter(include_in_schema=False)

AUTH_MD_DOCS = "https://workos.com/auth-md/docs/apps"


def _auth_md(origin: str, auth_enabled: bool) -> str:
    prm = f"{origin}/.well-known/oauth-protected-resource"
    if not auth_enabled:
        return (
            "# auth.md\n\n"
            "This Pyrewatch deployment runs without authentication: every API accepts requests "
            "with no credential.\n\n"
            f"Protected resource metadata: {prm}\n\n"
            f"About this document: {AUTH_MD_DOCS}\n"
        )
    return (
        "# auth.md\n\n"
        "This Pyrewatch deployment requires a credential on every API request "
        "(REST `/v1`, GraphQL `/graphql`, OTLP).\n\n"
        "## API keys\n\n"
        "Send `Authorization: Bearer <token>` with an API key created under Settings → API Keys "
        "(or by an administrator).\n\n"
        "## Browser sessions\n\n"
        f'`POST {origin}/auth/login` with the JSON body `{{"email": "...", "password": "..."}}` sets the '
        f"`{ACCESS_COOKIE}` and `{REFRESH_COOKIE}` cookies. The access token may also be sent as "
        "`Authorization: Bearer`. Renew it with "
        f"`POST {origin}/auth/refresh`, which reads the `{REFRESH_COOKIE}` cookie.\n\n"
        "## Errors\n\n"
        "A missing, invalid or expired credential is answered with 401 and a `WWW-Authenticate` header "
        f"whose `resource_metadata` points at {prm}. A credential without the needed role gets 403.\n\n"
        f"About this document: {AUTH_MD_DOCS}\n"
    )


@router.api_route("/auth.md", methods=["GET", "HEAD"])
async def auth_md(request: Request, state: AppStateDep) -> Response:
    origin = public_origin(request, state.settings)
    return Response(_auth_md(origin, state.settings.enable_auth), media_type="text/markdown; charset=utf-8")


@router.api_route("/.well-known/oauth-protected-resource", methods=["GET", "HEAD"])
async def protected_resource(request: Request, state: AppStateDep) -> Response:
    origin = public_origin(request, state.settings)
    return json_response(
        {
            "resource": origin,
            "resource_name": "Arize Phoenix",
            # Pyrewatch runs no OAuth2 authorization server.
            "authorization_servers": [],
            "bearer_methods_supported": ["header"],
            "resource_documentation": f"{origin}/auth.md",
        }
    )
