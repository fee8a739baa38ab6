"""Projects: list, look up by GlobalID or name, create, describe, delete."""

from __future__ import annotations

from collections.abc import Iterable

from pyrewatch.auth.policy import Action, require, require_project, visible_projects
from pyrewatch.auth.principal import Principal
from pyrewatch.db import effects
from pyrewatch.db.models import Project
from pyrewatch.db.session import Session
from pyrewatch.errors import Conflict, Forbidden, InvalidInput, NotFound
from pyrewatch.ids import MAX_ROW_ID, parse_typed_global_id
from pyrewatch.store import projects as store

__all__ = [
    "DEFAULT_PROJECT_NAME",
    "check_project_name",
    "create_project",
    "delete_project",
    "get_project",
    "list_projects",
    "lookup_project",
    "rename_project",
    "require_project_reach",
    "resolve_project",
    "update_project",
    "validate_text",
]

DEFAULT_PROJECT_NAME = "default"
MAX_NAME_LENGTH = 255
MAX_DESCRIPTION_LENGTH = 10_000
_FORBIDDEN_NAME_CHARACTERS = ("/", "?", "#")


def validate_text(value: str, what: str, max_length: int) -> str:
    """Refuse text no database column can hold: over-long, or with a NUL character."""
    if len(value) > max_length:
        raise InvalidInput(f"{what} must be at most {max_length} characters")
    if "\x00" in value:
        raise InvalidInput(f"{what} must not contain NUL characters")
    return value


def check_project_name(name: str) -> str:
    """Refuse a name no REST path could address (the rule for every way a project is created).

    Raises:
        InvalidInput: empty, over-long, with NUL, with '/', '?' or '#', or a Project GlobalID.
    """
    if not name.strip():
        raise InvalidInput("Project name cannot be empty")
    validate_text(name, "Project name", MAX_NAME_LENGTH)
    if any(c in name for c in _FORBIDDEN_NAME_CHARACTERS):
        raise InvalidInput("Project name cannot contain '/', '?' or '#'")
    if parse_typed_global_id(name, "Project") is not None:
        raise InvalidInput("Project name cannot be a project GlobalID")
    return name


async def resolve_project(session: Session, identifier: str, principal: Principal) -> Project:
    """The project named by a Project GlobalID or, failing that, by name.

    Also checks that ``principal`` may reach that project (a project-bound key may not reach
    others); ``lookup_project`` is the unchecked lookup for the few callers with no caller.

    Raises:
        NotFound: with Phoenix's text for an id or a name.
        NotAllowed: ``principal`` is a key bound to other projects.
    """
    if parse_typed_global_id(identifier, "Project") is None:
        require_project(principal, identifier)  # by name: refused before the lookup, which reveals nothing
    project = await lookup_project(session, identifier)
    require_project(principal, project.name)
    return project


async def require_project_reach(session: Session, principal: Principal, project_ids: Iterable[int]) -> None:
    """Raise ``NotAllowed`` unless ``principal`` may reach every project of ``project_ids`` (rows
    such as spans and traces carry a project id; only a project-bound key costs a query)."""
    if visible_projects(principal) is None:
        return
    for project_id in sorted(set(project_ids)):
        project = await store.find_project(session, project_id)
        require_project(principal, "" if project is None else project.name)


async def lookup_project(session: Session, identifier: str) -> Project:
    """The project named by a Project GlobalID or, failing that, by name, whoever asks."""
    row_id = parse_typed_global_id(identifier, "Project")
    if row_id is not None:
        project = await store.find_project(session, row_id) if row_id <= MAX_ROW_ID else None
        if project is None:
            raise NotFound(f"Project with ID {identifier} not found")
        return project
    project = None
    if "\x00" not in identifier and len(identifier) <= MAX_NAME_LENGTH:
        project = await store.find_project_by_name(session, identifier)
    if project is None:
        raise NotFound(f"Project with name {identifier} not found")
    return project


async def list_projects(
    session: Session, principal: Principal, *, limit: int, cursor: int | None, name_contains: str | None
) -> tuple[list[Project], int | None]:
    """One page of projects, newest first, and the id that starts the next page."""
    require(principal, Action.READ)
    if name_contains is not None and "\x00" in name_contains:
        return [], None
    rows = await store.list_projects_page(
        session, limit=limit, cursor=cursor, name_contains=name_contains, names=visible_projects(principal)
    )
    next_cursor = rows[limit].id if len(rows) > limit else None
    return rows[:limit], next_cursor


async def get_project(session: Session, principal: Principal, identifier: str) -> Project:
    require(principal, Action.READ)
    return await resolve_project(session, identifier, principal)


async def create_project(session: Session, principal: Principal, *, name: str, description: str | None) -> Project:
    """Create a project.

    Raises:
        InvalidInput: an empty or over-long name, or one that could not be used in a URL path.
        Conflict: the name is taken.
    """
    require(principal, Action.WRITE)
    check_project_name(name)
    require_project(principal, name)
    if description is not None:
        validate_text(description, "Description", MAX_DESCRIPTION_LENGTH)
    effects.projects_changed(session)
    return await store.insert_project(session, name=name, description=description)


async def update_project(
    session: Session, principal: Principal, identifier: str, *, description: str | None
) -> Project:
    """Change a project's description (its name is fixed). Admins and system principals only."""
    require(principal, Action.ADMIN_WRITE)
    if description is not None:
        validate_text(description, "Description", MAX_DESCRIPTION_LENGTH)
    project = await resolve_project(session, identifier, principal)
    project.description = description
    await session.flush()
    effects.projects_changed(session)
    return project


async def delete_project(session: Session, principal: Principal, identifier: str) -> None:
    """Delete a project with all its traces, spans and annotations. Never the default project."""
    require(principal, Action.ADMIN_WRITE)
    project = await resolve_project(session, identifier, principal)
    if project.name == DEFAULT_PROJECT_NAME:
        raise Forbidden("The default project cannot be deleted")
    await store.delete_project(session, project.id)
    effects.projects_changed(session)


async def rename_project(session: Session, principal: Principal, identifier: str, *, name: str) -> Project:
    """Give a project a new name (admins). The default project keeps its name, since exports
    without a project name land in it by that name.

    Raises:
        InvalidInput: the name is not usable (the same rules as at creation).
        Conflict: another project has that name.
        Forbidden: the default project.
    """
    require(principal, Action.ADMIN_WRITE)
    check_project_name(name)
    project = await resolve_project(session, identifier, principal)
    if project.name == name:
        return project
    if project.name == DEFAULT_PROJECT_NAME:
        raise Forbidden("The default project cannot be renamed")
    if await store.find_project_by_name(session, name) is not None:
        raise Conflict(f"Project with name {name} already exists")
    project.name = name
    await session.flush()
    effects.projects_changed(session)
    return project
