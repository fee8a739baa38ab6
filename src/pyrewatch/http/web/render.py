"""Template rendering: one Jinja2 environment, the page context every template gets, and
fragments (a named block of the same template) for htmx requests."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from pyrewatch import __version__
from pyrewatch.auth.principal import Principal, Via
from pyrewatch.http.middleware import principal_of
from pyrewatch.http.state import AppState
from pyrewatch.http.web import presenters
from pyrewatch.http.web.forms import CSRF_FIELD, csrf_token, set_csrf_cookie

# Short confirmations a redirect names in its query string (never data: only these codes).
NOTICES = {
    "logged-out": "You are logged out.",
    "password-reset": "Your password is set. Log in with it.",
    "password-changed": "Your password is changed.",
    "key-revoked": "The key is revoked. Requests with it are refused from now on.",
    "user-created": "The user is created. They must choose a new password at their first login.",
    "user-deleted": "The user is deleted.",
    "user-updated": "The user is updated.",
    "project-created": "The project is created.",
    "project-renamed": "The project is renamed.",
    "project-deleted": "The project is deleted.",
    "config-created": "The annotation config is created.",
    "config-deleted": "The annotation config is deleted.",
    "spans-added": "The spans are added to the dataset as a new version.",
}
TEMPLATES = Path(__file__).parent / "templates"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(presenters.FILTERS)
    return env


def root_of(request: Request) -> str:
    root: str = request.scope.get("root_path", "")
    return root.rstrip("/")


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.pyrewatch
    return state


def _base_context(request: Request, principal: Principal) -> dict[str, Any]:
    state = state_of(request)
    return {
        "request": request,
        "root": root_of(request),
        "principal": principal,
        "auth_enabled": state.settings.enable_auth,
        "signed_in": principal.via is Via.SESSION,
        "is_admin": principal.is_admin,
        "show_secret_banner": state.settings.admin_secret is not None and principal.is_admin,
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "version": __version__,
        "current_path": request.url.path,
        "notice": NOTICES.get(request.query_params.get("notice", "")),
    }


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-history-restore-request") != "true"


def render(
    request: Request, name: str, context: dict[str, Any], *, status: int = 200, block: str | None = None
) -> Response:
    """Render ``name`` (or only its ``block`` for an htmx request) with the page context."""
    env = environment()
    template = env.get_template(name)
    values = _base_context(request, principal_of(request.scope)) | context
    if block is not None and is_htmx(request) and block in template.blocks:
        html = "".join(template.blocks[block](template.new_context(values)))
    else:
        html = template.render(values)
    response = HTMLResponse(html, status_code=status)
    response.headers["content-security-policy"] = CONTENT_SECURITY_POLICY
    response.headers["cache-control"] = "no-store"
    response.headers["vary"] = "HX-Request"
    set_csrf_cookie(request, response, state_of(request).settings)
    return response


def redirect(request: Request, path: str, *, query: str = "") -> Response:
    """A 303 to a page path (below the root path); htmx follows it as a full navigation."""
    url = f"{root_of(request)}{path}" + (f"?{query}" if query else "")
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def login_redirect(request: Request) -> Response:
    target = request.url.path[len(root_of(request)) :] or "/"
    if request.url.query:
        target += "?" + request.url.query
    if request.method != "GET" or target.startswith("/login"):
        target = "/projects"
    return redirect(request, "/login", query="next=" + quote(target, safe=""))
