"""A prompt as a page shows it: its versions (newest first) with their tags, and one version
chosen (the latest by default) with an optional second one to compare it with."""

from __future__ import annotations

from dataclasses import dataclass

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.models import Prompt, PromptVersion, PromptVersionTag
from pyrewatch.db.session import Session
from pyrewatch.errors import InvalidInput, NotFound
from pyrewatch.ids import MAX_ROW_ID, parse_typed_global_id
from pyrewatch.services.prompts import resolve_prompt
from pyrewatch.store import prompts as store

__all__ = ["MAX_VERSIONS_SHOWN", "PromptDetail", "prompt_detail"]

MAX_VERSIONS_SHOWN = 200


@dataclass(frozen=True)
class PromptDetail:
    prompt: Prompt
    versions: list[PromptVersion]
    tags: dict[int, list[PromptVersionTag]]
    selected: PromptVersion | None
    compared: PromptVersion | None
    more_versions: bool


def _pick(versions: list[PromptVersion], gid: str | None, what: str) -> PromptVersion | None:
    if not gid:
        return None
    row_id = parse_typed_global_id(gid, "PromptVersion")
    if row_id is None or row_id > MAX_ROW_ID:
        raise InvalidInput(f"Invalid prompt version ID for {what}: {gid}")
    found = next((v for v in versions if v.id == row_id), None)
    if found is None:
        raise NotFound(f"Prompt version with ID {gid} not found in this prompt")
    return found


async def prompt_detail(
    session: Session, principal: Principal, identifier: str, *, version: str | None, compare: str | None
) -> PromptDetail:
    """Three statements: the prompt, its newest versions, and their tags.

    Raises:
        InvalidInput: a malformed prompt name or version id.
        NotFound: no such prompt, or a version that is not among its newest versions.
    """
    require(principal, Action.READ)
    prompt = await resolve_prompt(session, identifier)
    rows = await store.list_versions_page(session, prompt.id, limit=MAX_VERSIONS_SHOWN, cursor=None)
    versions = rows[:MAX_VERSIONS_SHOWN]
    tags = await store.tags_by_version_ids(session, [v.id for v in versions])
    selected = _pick(versions, version, "the version") or (versions[0] if versions else None)
    compared = _pick(versions, compare, "the comparison")
    return PromptDetail(prompt, versions, tags, selected, compared, len(rows) > MAX_VERSIONS_SHOWN)
