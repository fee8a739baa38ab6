"""Projects."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from pyrewatch.db.models import Project
from pyrewatch.db.session import Session
from pyrewatch.errors import Conflict

__all__ = [
    "delete_project",
    "find_project",
    "find_project_by_name",
    "insert_project",
    "list_projects_page",
]


async def find_project(session: Session, project_id: int) -> Project | None:
    return await session.get(Project, project_id)


async def find_project_by_name(session: Session, name: str) -> Project | None:
    result = await session.execute(select(Project).where(Project.name == name))
    return result.scalar_one_or_none()


async def list_projects_page(
    session: Session,
    *,
    limit: int,
    cursor: int | None,
    name_contains: str | None,
    names: frozenset[str] | None = None,
) -> list[Project]:
    """Up to ``limit + 1`` projects by id descending, from ``cursor`` (inclusive); only those
    named in ``names`` when it is given."""
    stmt = select(Project).order_by(Project.id.desc()).limit(limit + 1)
    if names is not None:
        stmt = stmt.where(Project.name.in_(sorted(names)))
    if cursor is not None:
        stmt = stmt.where(Project.id <= cursor)
    if name_contains:
        stmt = stmt.where(func.lower(Project.name).contains(name_contains.lower(), autoescape=True))
    return list((await session.execute(stmt)).scalars())


async def insert_project(session: Session, *, name: str, description: str | None) -> Project:
    """Insert a project.

    Raises:
        Conflict: a project with that name exists (also when a concurrent insert wins the race).
    """
    if await find_project_by_name(session, name) is not None:
        raise Conflict(f"Project with name {name} already exists")
    project = Project(name=name, description=description)
    session.add(project)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"Project with name {name} already exists") from exc
    return project


async def delete_project(session: Session, project_id: int) -> None:
    """Delete a project; its traces, spans and annotations go with it (ON DELETE CASCADE)."""
    await session.execute(delete(Project).where(Project.id == project_id))
