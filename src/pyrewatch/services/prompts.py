"""Prompts: versioned templates with model settings, and tags that name one version."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.models import Prompt, PromptVersion, PromptVersionTag
from pyrewatch.db.session import Session
from pyrewatch.errors import InvalidInput, NotFound
from pyrewatch.ids import MAX_ROW_ID, parse_typed_global_id
from pyrewatch.services.json_values import check_json
from pyrewatch.store import pages
from pyrewatch.store import prompts as store
from pyrewatch.store.integrity import flush_or_conflict

__all__ = [
    "IDENTIFIER_PATTERN",
    "PromptVersionInput",
    "add_prompt_version",
    "delete_prompt",
    "delete_tag_by_id",
    "delete_version_tag",
    "get_latest_version",
    "get_version",
    "get_version_by_tag",
    "list_prompts",
    "list_version_tags",
    "list_versions",
    "patch_prompt",
    "resolve_prompt",
    "tag_version",
]

IDENTIFIER_PATTERN = r"^[a-z0-9]([_a-z0-9-]*[a-z0-9])?$"
_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
MAX_NAME_LENGTH = 255
# GraphQL lists at most this many tags of one version.
MAX_TAGS_PER_VERSION = 1000
_TEMPLATE_TYPES = {"CHAT": "chat", "STR": "string"}


@dataclass(frozen=True)
class PromptVersionInput:
    """A version as received; structure is checked by the transport, rules here."""

    model_provider: str
    model_name: str
    template: dict[str, Any]
    template_type: str
    template_format: str
    invocation_parameters: dict[str, Any]
    description: str | None = None
    tools: dict[str, Any] | None = None
    response_format: dict[str, Any] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def is_identifier(name: str) -> bool:
    return len(name) <= MAX_NAME_LENGTH and _IDENTIFIER.match(name) is not None


async def resolve_prompt(session: Session, identifier: str, missing: str = "Prompt not found") -> Prompt:
    """The prompt named by a Prompt GlobalID or by its name.

    Raises:
        InvalidInput: neither a Prompt GlobalID nor a valid prompt name.
        NotFound: no such prompt (with ``missing`` as the text).
    """
    row_id = parse_typed_global_id(identifier, "Prompt")
    if row_id is not None:
        prompt = await store.find_prompt(session, row_id) if row_id <= MAX_ROW_ID else None
    elif is_identifier(identifier):
        prompt = await store.find_prompt_by_name(session, identifier)
    else:
        raise InvalidInput("Invalid prompt name")
    if prompt is None:
        raise NotFound(missing)
    return prompt


async def _version(session: Session, global_id: str) -> PromptVersion:
    row_id = parse_typed_global_id(global_id, "PromptVersion")
    if row_id is None:
        raise InvalidInput("Invalid prompt version ID")
    version = await store.find_version(session, row_id) if row_id <= MAX_ROW_ID else None
    if version is None:
        raise NotFound(f"Prompt version with ID {global_id} not found")
    return version


def _check_version(version: PromptVersionInput) -> None:
    if version.template_type != "CHAT":
        raise InvalidInput("Only CHAT template type is supported for prompts")
    if version.template.get("type") != _TEMPLATE_TYPES[version.template_type]:
        raise InvalidInput(f"Template type {version.template_type} does not match template {version.template!r:.80}")
    tag = version.model_provider.lower()
    params = version.invocation_parameters
    if params.get("type") != tag or not isinstance(params.get(tag), dict):
        raise InvalidInput(
            f"invocation_parameters must be {{'type': '{tag}', '{tag}': {{...}}}} for model provider "
            f"{version.model_provider}"
        )
    if tag == "anthropic" and "max_tokens" not in params[tag]:
        raise InvalidInput("invocation_parameters.anthropic.max_tokens is required for Anthropic models")
    if not version.model_name.strip():
        raise InvalidInput("model_name must not be empty")
    for value in (version.template, params, version.tools, version.response_format, version.metadata):
        check_json(value)


async def add_prompt_version(
    session: Session,
    principal: Principal,
    prompt: dict[str, Any],
    version: PromptVersionInput,
) -> PromptVersion:
    """Store a new version; the prompt is created when its name is new (Phoenix: no 409).

    ``prompt`` holds ``name`` and optionally ``description`` and ``metadata``, used only when the
    prompt is created.
    """
    require(principal, Action.WRITE)
    name = str(prompt.get("name", ""))
    if not is_identifier(name):
        raise InvalidInput(f"Invalid prompt name: {name!r}")
    _check_version(version)
    row = await store.find_prompt_by_name(session, name)
    if row is None:
        check_json(prompt.get("metadata") or {})
        row = Prompt(name=name, description=prompt.get("description"), metadata_=prompt.get("metadata") or {})
        session.add(row)
        await flush_or_conflict(session, f"Prompt {name!r} was created concurrently; retry")
    created = PromptVersion(
        prompt_id=row.id,
        description=version.description,
        template_type=version.template_type,
        template_format=version.template_format,
        template=version.template,
        invocation_parameters=version.invocation_parameters,
        tools=version.tools,
        response_format=version.response_format,
        model_provider=version.model_provider,
        model_name=version.model_name,
        metadata_=version.metadata,
        user_id=principal.user_id,
    )
    session.add(created)
    await session.flush()
    return created


async def list_prompts(
    session: Session, principal: Principal, *, limit: int, cursor: int | None
) -> tuple[list[Prompt], int | None]:
    require(principal, Action.READ)
    rows = await store.list_prompts_page(session, limit=limit, cursor=cursor)
    return rows[:limit], (rows[limit].id if len(rows) > limit else None)


async def list_versions(
    session: Session, principal: Principal, identifier: str, *, limit: int, cursor: int | None
) -> tuple[list[PromptVersion], int | None]:
    require(principal, Action.READ)
    prompt = await resolve_prompt(session, identifier)
    rows = await store.list_versions_page(session, prompt.id, limit=limit, cursor=cursor)
    return rows[:limit], (rows[limit].id if len(rows) > limit else None)


async def versions_of_prompts(
    session: Session, principal: Principal, prompt_ids: Sequence[int], *, limit: int, cursor: int | None
) -> dict[int, tuple[list[PromptVersion], int | None]]:
    """A page of versions (newest first) of each of many prompts, by row id, in one query."""
    require(principal, Action.READ)
    found = await pages.pages_by_parent(
        session, PromptVersion, PromptVersion.prompt_id, prompt_ids, limit=limit, cursor=cursor
    )
    return {prompt_id: pages.split_page(rows, limit) for prompt_id, rows in found.items()}


async def get_version(session: Session, principal: Principal, version_id: str) -> PromptVersion:
    require(principal, Action.READ)
    return await _version(session, version_id)


async def get_latest_version(session: Session, principal: Principal, identifier: str) -> PromptVersion:
    require(principal, Action.READ)
    prompt = await resolve_prompt(session, identifier, missing="Not Found")
    version = await store.latest_version(session, prompt.id)
    if version is None:
        raise NotFound("Not Found")
    return version


async def get_version_by_tag(session: Session, principal: Principal, identifier: str, tag: str) -> PromptVersion:
    require(principal, Action.READ)
    if not is_identifier(tag):
        raise InvalidInput("Invalid tag name")
    prompt = await resolve_prompt(session, identifier, missing="Not Found")
    found = await store.find_tag(session, prompt.id, tag)
    version = await store.find_version(session, found.prompt_version_id) if found else None
    if version is None:
        raise NotFound("Not Found")
    return version


async def tag_version(
    session: Session, principal: Principal, version_id: str, *, name: str, description: str | None
) -> PromptVersionTag:
    """Point the prompt's tag ``name`` at this version, moving it if it named another one."""
    require(principal, Action.WRITE)
    if not is_identifier(name):
        raise InvalidInput("Invalid tag name")
    version = await _version(session, version_id)
    tag = await store.find_tag(session, version.prompt_id, name)
    if tag is None:
        tag = PromptVersionTag(prompt_id=version.prompt_id, name=name)
        session.add(tag)
    tag.prompt_version_id = version.id
    tag.description = description
    tag.user_id = principal.user_id
    await flush_or_conflict(session, f"Tag {name!r} was set concurrently; retry")
    return tag


async def list_version_tags(
    session: Session, principal: Principal, version_id: str, *, limit: int, cursor: int | None
) -> tuple[list[PromptVersionTag], int | None]:
    require(principal, Action.READ)
    version = await _version(session, version_id)
    rows = await store.list_tags_page(session, version.id, limit=limit, cursor=cursor)
    return rows[:limit], (rows[limit].id if len(rows) > limit else None)


async def tags_of_versions(
    session: Session, principal: Principal, version_ids: Sequence[int]
) -> dict[int, list[PromptVersionTag]]:
    """The tags of many versions (by row id) in one query, each version's newest first."""
    require(principal, Action.READ)
    found = await store.tags_by_version_ids(session, list(version_ids))
    return {vid: tags[::-1][:MAX_TAGS_PER_VERSION] for vid, tags in found.items()}


async def delete_version_tag(session: Session, principal: Principal, version_id: str, name: str) -> None:
    require(principal, Action.WRITE)
    version = await _version(session, version_id)
    if not await store.delete_tag(session, version.id, name):
        raise NotFound(f"Tag {name!r} not found on prompt version {version_id}")


async def delete_tag_by_id(session: Session, principal: Principal, tag_gid: str) -> PromptVersionTag:
    """Delete a tag named by its GlobalID; returns the deleted tag."""
    require(principal, Action.WRITE)
    tag_id = parse_typed_global_id(tag_gid, "PromptVersionTag")
    tag = await session.get(PromptVersionTag, tag_id) if tag_id is not None and tag_id <= MAX_ROW_ID else None
    if tag is None:
        raise NotFound(f"Prompt version tag {tag_gid} not found")
    await session.delete(tag)
    await session.flush()
    return tag


async def patch_prompt(session: Session, principal: Principal, identifier: str, changes: dict[str, Any]) -> Prompt:
    """Change a prompt's ``description`` and/or ``metadata`` (only the keys given)."""
    require(principal, Action.WRITE)
    prompt = await resolve_prompt(session, identifier)
    if "description" in changes:
        prompt.description = changes["description"]
    if "metadata" in changes:
        check_json(changes["metadata"] or {})
        prompt.metadata_ = changes["metadata"] or {}
    await session.flush()
    return prompt


async def delete_prompt(session: Session, principal: Principal, identifier: str) -> None:
    require(principal, Action.WRITE)
    prompt = await resolve_prompt(session, identifier)
    await store.delete_prompt(session, prompt.id)
