"""The public origin of this deployment, as used in links and ``WWW-Authenticate``."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from pyrewatch.settings import Settings, normalize_origin


def public_origin(conn: HTTPConnection, settings: Settings) -> str:
    """``PHOENIX_ROOT_URL`` when set, else the request's base URL plus the root path; no trailing slash."""
    if settings.root_url:
        return settings.root_url.rstrip("/")
    base = normalize_origin(str(conn.base_url))
    return base + settings.host_root_path


def www_authenticate(conn: HTTPConnection, settings: Settings) -> str:
    origin = public_origin(conn, settings)
    return f'Bearer realm="Arize Phoenix", resource_metadata="{origin}/.well-known/oauth-protected-resource"'
