"""Per-request GraphQL context: the principal, the app's collaborators and the raw request."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from strawberry.fastapi import BaseContext

from pyrewatch.auth.principal import Principal
from pyrewatch.http.graphql.loaders import Loaders, make_loaders
from pyrewatch.http.middleware import principal_of
from pyrewatch.http.state import AppState


@dataclass
class Context(BaseContext):
    principal: Principal
    state: AppState
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = make_loaders(self.state.session_factory, self.principal)

    @property
    def http_request(self) -> Request:
        assert self.request is not None and isinstance(self.request, Request)
        return self.request

    @property
    def http_response(self) -> Response:
        assert self.response is not None
        return self.response


async def get_context(request: Request) -> Context:
    return Context(principal=principal_of(request.scope), state=request.app.state.pyrewatch)
