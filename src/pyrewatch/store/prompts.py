"""Prompts, their versions and version tags."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from pyrewatch.db.models import Prompt, PromptVersion, PromptVersionTag
from pyrewatch.db.session import Session

__all__ = [
    "delete_prompt",
    "delete_tag",
    "find_prompt",
    "find_prompt_by_name",
    "find_tag",
    "find_version",
    "latest_version",
    "list_prompts_page",
    "list_tags_page",
    "list_versions_page",
    "tags_by_version_ids",
]


async def find_prompt(session: Session, prompt_id: int) -> Prompt | None:
    return await session.get(Prompt, prompt_id)


async def find_prompt_by_name(session: Session, name: str) -> Prompt | None:
    return (await session.execute(select(Prompt).where(Prompt.name == name))).scalar_one_or_none()


async def list_prompts_page(session: Session, *, limit: int, cursor: int | None) -> list[Prompt]:
    """Up to ``limit + 1`` prompts by id descending, from ``cursor`` (inclusive)."""
    stmt = select(Prompt).order_by(Prompt.id.desc()).limit(limit + 1)
    if cursor is not None:
        stmt = stmt.where(Prompt.id <= cursor)
    return list((await session.execute(stmt)).scalars())


async def find_version(session: Session, version_id: int) -> PromptVersion | None:
    return await session.get(PromptVersion, version_id)


async def latest_version(session: Session, prompt_id: int) -> PromptVersion | None:
    stmt = select(PromptVersion).where(PromptVersion.prompt_id == prompt_id).order_by(PromptVersion.id.desc())
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def list_versions_page(
    session: Session, prompt_id: int, *, limit: int, cursor: int | None
) -> list[PromptVersion]:
    """Up to ``limit + 1`` versions of a prompt, newest first, from ``cursor`` (inclusive)."""
    stmt = (
        select(PromptVersion)
        .where(PromptVersion.prompt_id == prompt_id)
        .order_by(PromptVersion.id.desc())
        .limit(limit + 1)
    )
    if cursor is not None:
        stmt = stmt.where(PromptVersion.id <= cursor)
    return list((await session.execute(stmt)).scalars())


async def find_tag(session: Session, prompt_id: int, name: str) -> PromptVersionTag | None:
    stmt = select(PromptVersionTag).where(PromptVersionTag.prompt_id == prompt_id, PromptVersionTag.name == name)
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_tags_page(
    session: Session, version_id: int, *, limit: int, cursor: int | None
) -> list[PromptVersionTag]:
    stmt = (
        select(PromptVersionTag)
        .where(PromptVersionTag.prompt_version_id == version_id)
        .order_by(PromptVersionTag.id.desc())
        .limit(limit + 1)
    )
    if cursor is not None:
        stmt = stmt.where(PromptVersionTag.id <= cursor)
    return list((await session.execute(stmt)).scalars())


async def tags_by_version_ids(session: Session, version_ids: list[int]) -> dict[int, list[PromptVersionTag]]:
    """Tags of many versions in one query (GraphQL)."""
    result: dict[int, list[PromptVersionTag]] = {vid: [] for vid in version_ids}
    if not version_ids:
        return result
    stmt = select(PromptVersionTag).where(PromptVersionTag.prompt_version_id.in_(version_ids))
    for tag in (await session.execute(stmt.order_by(PromptVersionTag.id))).scalars():
        result[tag.prompt_version_id].append(tag)
    return result


async def delete_tag(session: Session, version_id: int, name: str) -> int:
    stmt = delete(PromptVersionTag).where(
        PromptVersionTag.prompt_version_id == version_id, PromptVersionTag.name == name
    )
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


async def delete_prompt(session: Session, prompt_id: int) -> None:
    """Delete a prompt; its versions and tags go with it (ON DELETE CASCADE)."""
    await session.execute(delete(Prompt).where(Prompt.id == prompt_id))


async def count_versions(session: Session, prompt_id: int) -> int:
    stmt = select(func.count()).select_from(PromptVersion).where(PromptVersion.prompt_id == prompt_id)
    return int((await session.execute(stmt)).scalar_one())
