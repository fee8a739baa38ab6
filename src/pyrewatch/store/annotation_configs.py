"""Annotation configs and their assignment to projects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from pyrewatch.db.models import AnnotationConfig, ProjectAnnotationConfig
from pyrewatch.db.session import Session
from pyrewatch.errors import Conflict

__all__ = [
    "assign_config",
    "configs_by_names",
    "delete_config",
    "find_config",
    "find_config_by_name",
    "insert_config",
    "list_configs",
    "list_project_configs",
    "set_project_configs",
    "unassign_config",
    "update_config",
]


async def insert_config(session: Session, name: str, config: dict[str, Any]) -> AnnotationConfig:
    """Raises ``Conflict`` when the name is taken."""
    row = AnnotationConfig(name=name, config=config)
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        raise Conflict(f"Annotation config with name {name} already exists") from None
    return row


async def update_config(session: Session, row: AnnotationConfig, name: str, config: dict[str, Any]) -> None:
    """Raises ``Conflict`` when another config has the name."""
    try:
        async with session.begin_nested():
            row.name = name
            row.config = config
            await session.flush()
    except IntegrityError:
        raise Conflict(f"Annotation config with name {name} already exists") from None


async def find_config(session: Session, rowid: int) -> AnnotationConfig | None:
    return await session.get(AnnotationConfig, rowid)


async def find_config_by_name(session: Session, name: str) -> AnnotationConfig | None:
    stmt = select(AnnotationConfig).where(AnnotationConfig.name == name)
    return (await session.execute(stmt)).scalar_one_or_none()


async def configs_by_names(session: Session, names: Sequence[str]) -> dict[str, AnnotationConfig]:
    if not names:
        return {}
    stmt = select(AnnotationConfig).where(AnnotationConfig.name.in_(set(names)))
    return {row.name: row for row in (await session.execute(stmt)).scalars()}


async def list_configs(session: Session, *, limit: int, cursor: int | None) -> list[AnnotationConfig]:
    """Up to ``limit + 1`` configs, newest id first, from ``cursor`` (inclusive)."""
    stmt = select(AnnotationConfig).order_by(AnnotationConfig.id.desc()).limit(limit + 1)
    if cursor is not None:
        stmt = stmt.where(AnnotationConfig.id <= cursor)
    return list((await session.execute(stmt)).scalars())


async def list_project_configs(
    session: Session, project_id: int, *, limit: int, cursor: int | None
) -> list[AnnotationConfig]:
    """Up to ``limit + 1`` configs assigned to a project, newest id first, from ``cursor``."""
    stmt = (
        select(AnnotationConfig)
        .join(ProjectAnnotationConfig, ProjectAnnotationConfig.annotation_config_id == AnnotationConfig.id)
        .where(ProjectAnnotationConfig.project_id == project_id)
        .order_by(AnnotationConfig.id.desc())
        .limit(limit + 1)
    )
    if cursor is not None:
        stmt = stmt.where(AnnotationConfig.id <= cursor)
    return list((await session.execute(stmt)).scalars())


async def delete_config(session: Session, rowid: int) -> None:
    await session.execute(delete(AnnotationConfig).where(AnnotationConfig.id == rowid))


async def assign_config(session: Session, project_id: int, config_id: int) -> None:
    """Assign a config to a project (assigning it again changes nothing)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(ProjectAnnotationConfig).values(project_id=project_id, annotation_config_id=config_id)
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["project_id", "annotation_config_id"]))


async def unassign_config(session: Session, project_id: int, config_id: int) -> bool:
    """Remove an assignment; False when there was none."""
    stmt = delete(ProjectAnnotationConfig).where(
        ProjectAnnotationConfig.project_id == project_id, ProjectAnnotationConfig.annotation_config_id == config_id
    )
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


async def set_project_configs(session: Session, project_id: int, config_ids: Sequence[int]) -> None:
    """Make ``config_ids`` exactly the project's assigned configs."""
    stmt = delete(ProjectAnnotationConfig).where(ProjectAnnotationConfig.project_id == project_id)
    if config_ids:
        stmt = stmt.where(ProjectAnnotationConfig.annotation_config_id.not_in(config_ids))
    await session.execute(stmt)
    for config_id in sorted(set(config_ids)):
        await assign_config(session, project_id, config_id)
