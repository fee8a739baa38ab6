"""Per-request DataLoaders: a field resolved once per row (a key's ``user``) is loaded for
every row in one service call, not one transaction per row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from pyrewatch.auth.policy import NotAllowed
from pyrewatch.auth.principal import Principal
from pyrewatch.db.models import PromptVersionTag, User
from pyrewatch.db.session import SessionFactory, transaction
from pyrewatch.errors import NotFound
from pyrewatch.services import api_keys as key_service
from pyrewatch.services import prompts as prompt_service
from pyrewatch.services import users as user_service
from pyrewatch.services.api_keys import KeyView


@dataclass(frozen=True)
class Loaders:
    users: DataLoader[int, User]
    # A user's live API keys, newest first.
    user_keys: DataLoader[int, list[KeyView]]
    # A prompt version's tags (by version row id), newest first.
    version_tags: DataLoader[int, list[PromptVersionTag]]


def make_loaders(factory: SessionFactory, principal: Principal) -> Loaders:
    async def load_users(user_ids: Sequence[int]) -> list[User | BaseException]:
        try:
            async with transaction(factory) as session:
                found = await user_service.users_by_ids(session, principal, user_ids)
        except NotAllowed as exc:
            return [exc for _ in user_ids]
        return [found.get(user_id) or NotFound("User not found") for user_id in user_ids]

    async def load_user_keys(user_ids: Sequence[int]) -> list[list[KeyView] | BaseException]:
        try:
            async with transaction(factory) as session:
                found = await key_service.list_keys_of_users(session, principal, user_ids)
        except NotAllowed as exc:
            return [exc for _ in user_ids]
        return [found[user_id] for user_id in user_ids]

    async def load_version_tags(version_ids: Sequence[int]) -> list[list[PromptVersionTag] | BaseException]:
        try:
            async with transaction(factory) as session:
                found = await prompt_service.tags_of_versions(session, principal, version_ids)
        except NotAllowed as exc:
            return [exc for _ in version_ids]
        return [found[version_id] for version_id in version_ids]

    return Loaders(
        users=DataLoader(load_fn=load_users),
        user_keys=DataLoader(load_fn=load_user_keys),
        version_tags=DataLoader(load_fn=load_version_tags),
    )
