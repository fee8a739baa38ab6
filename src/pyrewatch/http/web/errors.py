"""Errors on pages speak to a person: a missing login leads to the login page, a pending
password change to the change form, and everything else to an error page without internals."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from pyrewatch.auth.policy import Denial, NotAllowed
from pyrewatch.errors import PyrewatchError, Unauthenticated
from pyrewatch.http.errors import STATUS_BY_ERROR
from pyrewatch.http.middleware import is_protected, route_path
from pyrewatch.http.web.forms import CsrfRejected
from pyrewatch.http.web.render import login_redirect, redirect, render

logger = logging.getLogger(__name__)

_TITLES = {400: "Bad request", 403: "Not allowed", 404: "Not found", 409: "Conflict", 422: "Check your input"}


def error_page(request: Request, status: int, message: str) -> Response:
    template = f"errors/{status}.html" if status in (403, 404, 500) else "errors/error.html"
    title = _TITLES.get(status, "Something went wrong")
    return render(request, template, {"status": status, "title": title, "message": message}, status=status)


def page_for_error(request: Request, exc: PyrewatchError) -> Response:
    if isinstance(exc, NotAllowed):
        if exc.denial is Denial.UNAUTHENTICATED:
            return login_redirect(request)
        if exc.denial is Denial.PASSWORD_RESET_REQUIRED:
            return redirect(request, "/reset-password")
        return error_page(request, exc.denial.status, exc.denial.rest_message)
    if isinstance(exc, Unauthenticated):
        return login_redirect(request)
    if isinstance(exc, CsrfRejected):
        return error_page(request, 403, exc.message)
    status = next((code for kind, code in STATUS_BY_ERROR.items() if isinstance(exc, kind)), 400)
    return error_page(request, status, exc.message)


class WebRoute(APIRoute):
    """A page route: domain errors become pages, unexpected ones a plain 500 page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except PyrewatchError as exc:
                return page_for_error(request, exc)
            except RequestValidationError:
                # Only path parameters are declared (forms are read by hand): a malformed one
                # names no page.
                return error_page(request, 404, "There is no page at this address.")
            except HTTPException:
                raise
            except Exception:
                logger.exception("page %s failed", request.url.path)
                return error_page(request, 500, "The server could not show this page.")

        return page


def _wants_html(request: Request) -> bool:
    path = route_path(request.scope)
    if is_protected(path) or path.startswith(("/auth/", "/v1")):
        return False
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


def install_error_pages(app: FastAPI) -> None:
    """Unknown pages a browser asks for get the HTML 404 page; API clients keep plain text."""
    api_handler: Any = app.exception_handlers.get(HTTPException)

    async def not_found(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException) and exc.status_code == 404 and _wants_html(request):
            return error_page(request, 404, "There is no page at this address.")
        response: Response = await api_handler(request, exc)
        return response

    app.add_exception_handler(HTTPException, not_found)
