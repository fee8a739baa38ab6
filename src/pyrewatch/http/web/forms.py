"""Form bodies and the CSRF check for the pages.

Every state-changing form carries a synchronizer token that is also held in a cookie
(double submit): a page from another site can make the browser send the cookie but cannot read
it, so it cannot put the same value in the form. Session cookies are ``SameSite=Strict`` and
the origin check of ``http/csrf.py`` still applies when trusted origins are configured.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response

from pyrewatch.errors import BadRequest
from pyrewatch.settings import Settings

CSRF_COOKIE = "pyrewatch-csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_FORM_BYTES = 256 * 1024
_TOKEN_SCOPE_KEY = "pyrewatch.csrf"


class CsrfRejected(BadRequest):
    """A form without the token of this browser: refused before any work is done."""


def csrf_token(request: Request) -> str:
    """This browser's token: the cookie's value, or a new one that ``set_csrf_cookie`` sends."""
    existing = request.scope.get(_TOKEN_SCOPE_KEY)
    if isinstance(existing, str):
        return existing
    token = request.cookies.get(CSRF_COOKIE) or ""
    if len(token) != 43:
        token = secrets.token_urlsafe(32)
    request.scope[_TOKEN_SCOPE_KEY] = token
    return token


def set_csrf_cookie(request: Request, response: Response, settings: Settings) -> None:
    token = request.scope.get(_TOKEN_SCOPE_KEY)
    if isinstance(token, str) and token != request.cookies.get(CSRF_COOKIE):
        response.set_cookie(
            CSRF_COOKIE,
            token,
            path=settings.cookies_path,
            secure=settings.use_secure_cookies,
            httponly=True,
            samesite="strict",
        )


class Form:
    """A parsed ``application/x-www-form-urlencoded`` body."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        self._fields = fields

    def get(self, name: str) -> str:
        values = self._fields.get(name)
        return values[0].strip() if values else ""

    def raw(self, name: str) -> str:
        """The value as typed (passwords keep their spaces)."""
        values = self._fields.get(name)
        return values[0] if values else ""

    def all(self, name: str) -> list[str]:
        """Every value sent under ``name`` (checkboxes), stripped, empty ones dropped."""
        return [v.strip() for v in self._fields.get(name, []) if v.strip()]

    def optional(self, name: str) -> str | None:
        return self.get(name) or None


async def read_form(request: Request) -> Form:
    """The checked form body.

    Raises:
        CsrfRejected: the token is missing or is not this browser's.
        BadRequest: the body is too large or not a form.
    """
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise BadRequest("The form is too large.")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=1100)
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("The form could not be read.") from None
    sent = (fields.get(CSRF_FIELD) or [request.headers.get(CSRF_HEADER, "")])[0]
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRejected("This form has expired or did not come from this site. Reload the page and try again.")
    return Form(fields)
