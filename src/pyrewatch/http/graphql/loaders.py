"""Per-request DataLoaders: a field resolved once per row (a key's ``user``, a dataset's
``versions``) is loaded for every row in one service call, not one transaction per row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from strawberry.dataloader import DataLoader

from pyrewatch.auth.policy import NotAllowed
from pyrewatch.auth.principal import Principal
from pyrewatch.db.models import DatasetVersion, PromptVersion, PromptVersionTag, User
from pyrewatch.db.session import Session, SessionFactory, transaction
from pyrewatch.errors import NotFound
from pyrewatch.services import api_keys as key_service
from pyrewatch.services import datasets as dataset_service
from pyrewatch.services import experiments as experiment_service
from pyrewatch.services import prompts as prompt_service
from pyrewatch.services import users as user_service
from pyrewatch.services.api_keys import KeyView
from pyrewatch.services.datasets import LatestExamples
from pyrewatch.services.experiments import ExperimentSummary

T = TypeVar("T")
# (parent row id, page size, id the page starts at) of a paginated per-row field.
PageKey = tuple[int, int, int | None]
# The rows of a page and the id the next page starts at (None on the last page).
Page = tuple[list[T], int | None]
PagesOf = Callable[[Session, Principal, Sequence[int], int, int | None], Awaitable[dict[int, Page[T]]]]


@dataclass(frozen=True)
class Loaders:
    users: DataLoader[int, User]
    # A user's live API keys, newest first.
    user_keys: DataLoader[int, list[KeyView]]
    # A prompt version's tags (by version row id), newest first.
    version_tags: DataLoader[int, list[PromptVersionTag]]
    # The examples of a dataset's latest version (None when it has no version).
    latest_examples: DataLoader[int, LatestExamples | None]
    # Pages of a dataset's versions and experiments, and of a prompt's versions.
    dataset_versions: DataLoader[PageKey, Page[DatasetVersion]]
    dataset_experiments: DataLoader[PageKey, Page[ExperimentSummary]]
    prompt_versions: DataLoader[PageKey, Page[PromptVersion]]


def _pages(factory: SessionFactory, principal: Principal, pages_of: PagesOf[T]) -> DataLoader[PageKey, Page[T]]:
    """Pages for many parents in one transaction: one service call per distinct (size, start),
    which in a listing is a single call, however many rows ask."""

    async def load(keys: Sequence[PageKey]) -> list[Page[T] | BaseException]:
        parents: dict[tuple[int, int | None], list[int]] = {}
        for parent_id, limit, cursor in keys:
            parents.setdefault((limit, cursor), []).append(parent_id)
        try:
            async with transaction(factory) as session:
                found = {
                    (limit, cursor): await pages_of(session, principal, ids, limit, cursor)
                    for (limit, cursor), ids in parents.items()
                }
        except NotAllowed as exc:
            return [exc for _ in keys]
        return [found[(limit, cursor)][parent_id] for parent_id, limit, cursor in keys]

    return DataLoader(load_fn=load)


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

    async def load_latest_examples(dataset_ids: Sequence[int]) -> list[LatestExamples | None | BaseException]:
        try:
            async with transaction(factory) as session:
                found = await dataset_service.latest_examples_of_datasets(session, principal, dataset_ids)
        except NotAllowed as exc:
            return [exc for _ in dataset_ids]
        return [found[dataset_id] for dataset_id in dataset_ids]

    return Loaders(
        users=DataLoader(load_fn=load_users),
        user_keys=DataLoader(load_fn=load_user_keys),
        version_tags=DataLoader(load_fn=load_version_tags),
        latest_examples=DataLoader(load_fn=load_latest_examples),
        dataset_versions=_pages(
            factory,
            principal,
            lambda s, p, ids, limit, cursor: dataset_service.versions_of_datasets(
                s, p, ids, limit=limit, cursor=cursor
            ),
        ),
        dataset_experiments=_pages(
            factory,
            principal,
            lambda s, p, ids, limit, cursor: experiment_service.experiments_of_datasets(
                s, p, ids, limit=limit, cursor=cursor
            ),
        ),
        prompt_versions=_pages(
            factory,
            principal,
            lambda s, p, ids, limit, cursor: prompt_service.versions_of_prompts(s, p, ids, limit=limit, cursor=cursor),
        ),
    )
