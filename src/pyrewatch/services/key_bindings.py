"""What narrows an API key: its scopes and the projects it is bound to (input rules and storage)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyrewatch.auth.policy import Scope
from pyrewatch.db.session import Session
from pyrewatch.errors import InvalidInput, NotFound
from pyrewatch.ids import parse_typed_global_id
from pyrewatch.services.projects import check_project_name, lookup_project

__all__ = ["MAX_BOUND_PROJECTS", "resolve_projects", "stored_list", "validate_scopes"]

MAX_BOUND_PROJECTS = 100
_SCOPES = tuple(scope.value for scope in Scope)


def validate_scopes(scopes: Sequence[str]) -> tuple[str, ...]:
    """The scopes, deduplicated and in a fixed order.

    Raises:
        InvalidInput: an empty list or an unknown scope.
    """
    if isinstance(scopes, str):
        raise InvalidInput("scopes must be a list")
    unknown = sorted({s for s in scopes if s not in _SCOPES}, key=str)
    if unknown:
        raise InvalidInput(f"Unknown scope {unknown[0]!r}: expected any of {', '.join(_SCOPES)}")
    if not scopes:
        raise InvalidInput("scopes must not be empty: omit it for the owner's full role")
    return tuple(scope for scope in _SCOPES if scope in scopes)


async def resolve_projects(session: Session, projects: Sequence[str]) -> tuple[str, ...]:
    """Project names for the given names or Project GlobalIDs, deduplicated, sorted.

    A name need not exist yet (ingest creates projects); a GlobalID must name a project.

    Raises:
        InvalidInput: an empty or over-long list, a name no project could have, or an unknown id.
    """
    if isinstance(projects, str):
        raise InvalidInput("projects must be a list")
    if not projects:
        raise InvalidInput("projects must not be empty: omit it for every project")
    if len(projects) > MAX_BOUND_PROJECTS:
        raise InvalidInput(f"A key may be bound to at most {MAX_BOUND_PROJECTS} projects")
    names: set[str] = set()
    for identifier in projects:
        if parse_typed_global_id(identifier, "Project") is not None:
            try:
                names.add((await lookup_project(session, identifier)).name)
            except NotFound as exc:
                raise InvalidInput(exc.message) from None
            continue
        try:
            names.add(check_project_name(identifier))
        except InvalidInput as exc:
            raise InvalidInput(f"Invalid project {identifier!r}: {exc.message}") from None
    return tuple(sorted(names))


def stored_list(document: dict[str, Any] | None, field: str) -> tuple[str, ...] | None:
    """The list under ``field`` of a stored JSON column, or ``None`` when there is none."""
    if document is None or not isinstance(document.get(field), list):
        return None
    return tuple(str(item) for item in document[field])
