"""FastAPI dependency aliases shared by every router."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends
from starlette.requests import HTTPConnection

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.session import Session, transaction
from pyrewatch.http.middleware import principal_of
from pyrewatch.http.state import AppState
from pyrewatch.services.project_directory import ProjectDirectory
from pyrewatch.services.sessions import Sessions
from pyrewatch.settings import Settings

# Dependencies are ``async def`` on purpose: FastAPI runs plain ``def`` dependencies in a worker
# thread, a hop that costs more than the work they do.


async def get_app_state(conn: HTTPConnection) -> AppState:
    state: AppState = conn.app.state.pyrewatch
    return state


async def get_principal(conn: HTTPConnection) -> Principal:
    return principal_of(conn.scope)


async def get_session(conn: HTTPConnection) -> AsyncIterator[Session]:
    """One session per request, committed when the handler returns, rolled back when it raises."""
    state: AppState = conn.app.state.pyrewatch
    async with transaction(state.session_factory) as session:
        yield session


async def get_settings(conn: HTTPConnection) -> Settings:
    state: AppState = conn.app.state.pyrewatch
    return state.settings


async def get_project_directory(conn: HTTPConnection) -> ProjectDirectory:
    state: AppState = conn.app.state.pyrewatch
    return state.projects


async def get_sessions(conn: HTTPConnection) -> Sessions | None:
    state: AppState = conn.app.state.pyrewatch
    return state.sessions


AppStateDep = Annotated[AppState, Depends(get_app_state)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ProjectDirectoryDep = Annotated[ProjectDirectory, Depends(get_project_directory)]
# ``None`` when no ``PHOENIX_SECRET`` can sign session tokens.
SessionsDep = Annotated[Sessions | None, Depends(get_sessions)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
# scope="function": the transaction commits before the response is sent, so a 2xx means the
# change is stored (and a failed commit is never answered with success).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def guard(action: Action, *, as_owner: bool = False) -> Any:
    """A route dependency that asks the policy before the path, query or body is even parsed,
    so a refused caller gets its 401/403 rather than a validation error (and learns nothing
    from it). ``as_owner`` asks about the caller's own resources (``owner_id`` = the caller).

    This is the only way a route checks the policy itself; the service asks again, in full."""

    async def check(principal: PrincipalDep) -> None:
        require(principal, action, owner_id=principal.user_id if as_owner else None)

    return Depends(check)
