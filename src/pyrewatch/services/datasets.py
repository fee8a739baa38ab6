"""Datasets: list, read (any version), versions, delete, and split membership for reading."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.models import Dataset, DatasetSplit, DatasetVersion
from pyrewatch.db.session import Session
from pyrewatch.errors import Conflict, InvalidInput, NotFound
from pyrewatch.ids import MAX_ROW_ID, decode_global_id, parse_typed_global_id
from pyrewatch.services.json_values import check_json
from pyrewatch.store import dataset_splits as split_store
from pyrewatch.store import datasets as store
from pyrewatch.store import pages
from pyrewatch.store.datasets import VersionedExample
from pyrewatch.store.integrity import flush_or_conflict

MAX_NAME_LENGTH = 255
# Datasets whose examples are read together (GraphQL listings).
DATASET_CHUNK = 500

__all__ = [
    "VersionedExample",
    "DatasetSummary",
    "ExamplesAtVersion",
    "delete_dataset",
    "get_dataset",
    "list_dataset_versions",
    "list_datasets",
    "list_examples",
    "patch_dataset",
    "resolve_dataset",
    "resolve_version",
]


@dataclass(frozen=True)
class DatasetSummary:
    dataset: Dataset
    example_count: int


@dataclass(frozen=True)
class ExamplesAtVersion:
    dataset: Dataset
    version_id: int
    filtered_splits: list[DatasetSplit]
    examples: list[VersionedExample]
    splits: dict[int, list[DatasetSplit]]


async def resolve_dataset(session: Session, global_id: str, *, for_update: bool = False) -> Dataset:
    """The dataset a GlobalID names. 422 when it is not a GlobalID, 404 when absent."""
    decoded = parse_typed_global_id(global_id, "Dataset")
    if decoded is None:
        if decode_global_id(global_id) is not None:
            raise NotFound(f"Dataset with ID {global_id} not found")
        raise InvalidInput(f"Invalid dataset ID format: {global_id}")
    dataset = await store.find_dataset(session, decoded, for_update=for_update) if decoded <= MAX_ROW_ID else None
    if dataset is None:
        raise NotFound(f"Dataset with ID {global_id} not found")
    return dataset


async def resolve_version(session: Session, dataset: Dataset, version_gid: str | None) -> int:
    """The version id to read: the given one (of this dataset) or the latest."""
    if version_gid is None:
        latest = await store.latest_version_id(session, dataset.id)
        if latest is None:
            raise NotFound(f"Dataset {dataset.name!r} has no versions")
        return latest
    version_id = parse_typed_global_id(version_gid, "DatasetVersion")
    if version_id is None:
        raise InvalidInput(f"Invalid dataset version ID: {version_gid}")
    version = await store.find_version(session, version_id) if version_id <= MAX_ROW_ID else None
    if version is None or version.dataset_id != dataset.id:
        raise NotFound(f"DatasetVersion with ID {version_gid} does not exist")
    return version.id


async def _summary(session: Session, dataset: Dataset) -> DatasetSummary:
    latest = await store.latest_version_id(session, dataset.id)
    return DatasetSummary(dataset, await store.count_examples(session, dataset.id, latest))


async def list_datasets(
    session: Session, principal: Principal, *, limit: int, cursor: int | None, name: str | None
) -> tuple[list[DatasetSummary], int | None]:
    """One page of datasets, newest first, with their example counts."""
    require(principal, Action.READ)
    rows = await store.list_datasets_page(session, limit=limit, cursor=cursor, name=name)
    counts = await store.latest_example_counts(session, [row.id for row in rows[:limit]])
    summaries = [DatasetSummary(row, counts[row.id]) for row in rows[:limit]]
    return summaries, (rows[limit].id if len(rows) > limit else None)


async def get_dataset(session: Session, principal: Principal, dataset_gid: str) -> DatasetSummary:
    require(principal, Action.READ)
    return await _summary(session, await resolve_dataset(session, dataset_gid))


async def delete_dataset(session: Session, principal: Principal, dataset_gid: str) -> None:
    require(principal, Action.WRITE)
    decoded = parse_typed_global_id(dataset_gid, "Dataset")
    if decoded is None:
        raise InvalidInput(f"Invalid dataset ID format: {dataset_gid}")
    dataset = await store.find_dataset(session, decoded) if decoded <= MAX_ROW_ID else None
    if dataset is None:
        raise NotFound("Dataset does not exist")
    await store.delete_dataset(session, dataset.id)


async def patch_dataset(
    session: Session, principal: Principal, dataset_gid: str, changes: dict[str, Any]
) -> DatasetSummary:
    """Rename a dataset or change its description or metadata (only the keys given).

    Raises:
        InvalidInput: an empty or over-long name, or metadata that cannot be stored.
        Conflict: another dataset has that name.
    """
    require(principal, Action.WRITE)
    dataset = await resolve_dataset(session, dataset_gid)
    if changes.get("name") is not None:
        name = str(changes["name"])
        if not name.strip() or len(name) > MAX_NAME_LENGTH or "\x00" in name:
            raise InvalidInput(f"Dataset name must be 1 to {MAX_NAME_LENGTH} characters, without NUL characters")
        if name != dataset.name and await store.find_dataset_by_name(session, name) is not None:
            raise Conflict(f'A dataset named "{name}" already exists.')
        dataset.name = name
    if "description" in changes:
        dataset.description = changes["description"]
    if changes.get("metadata") is not None:
        check_json(changes["metadata"])
        dataset.metadata_ = changes["metadata"]
    await flush_or_conflict(session, f'A dataset named "{dataset.name}" already exists.')
    return await _summary(session, dataset)


async def list_dataset_versions(
    session: Session, principal: Principal, dataset_gid: str, *, limit: int, cursor: int | None
) -> tuple[list[DatasetVersion], int | None]:
    require(principal, Action.READ)
    dataset = await resolve_dataset(session, dataset_gid)
    rows = await store.list_versions_page(session, dataset.id, limit=limit, cursor=cursor)
    return rows[:limit], (rows[limit].id if len(rows) > limit else None)


async def versions_of_datasets(
    session: Session, principal: Principal, dataset_ids: Sequence[int], *, limit: int, cursor: int | None
) -> dict[int, tuple[list[DatasetVersion], int | None]]:
    """A page of versions (newest first) of each of many datasets, by row id, in one query."""
    require(principal, Action.READ)
    found = await pages.pages_by_parent(
        session, DatasetVersion, DatasetVersion.dataset_id, dataset_ids, limit=limit, cursor=cursor
    )
    return {dataset_id: pages.split_page(rows, limit) for dataset_id, rows in found.items()}


@dataclass
class LatestExamples:
    """The examples of a dataset's latest version, with the splits each example is in."""

    examples: list[VersionedExample]
    splits: dict[int, list[DatasetSplit]]


async def latest_examples_of_datasets(
    session: Session, principal: Principal, dataset_ids: Sequence[int]
) -> dict[int, LatestExamples | None]:
    """The latest examples of many datasets (by row id) in a fixed number of queries; None for
    a dataset without versions. Datasets are taken in chunks to keep the statements small."""
    require(principal, Action.READ)
    found: dict[int, LatestExamples | None] = {}
    unique = list(dict.fromkeys(dataset_ids))
    for start in range(0, len(unique), DATASET_CHUNK):
        chunk = unique[start : start + DATASET_CHUNK]
        versions = await store.latest_version_ids(session, chunk)
        examples = await store.latest_examples(session, chunk)
        memberships = await store.splits_of_examples(
            session, [e.example.id for rows in examples.values() for e in rows]
        )
        for dataset_id in chunk:
            rows = examples[dataset_id]
            splits = {e.example.id: memberships[e.example.id] for e in rows if e.example.id in memberships}
            found[dataset_id] = LatestExamples(rows, splits) if dataset_id in versions else None
    return found


async def list_examples(
    session: Session,
    principal: Principal,
    dataset_gid: str,
    version_gid: str | None,
    splits: Sequence[str] = (),
    limit: int | None = None,
) -> ExamplesAtVersion:
    """The examples of a version (latest by default), optionally only those in some splits, or
    only the first ``limit``."""
    require(principal, Action.READ)
    dataset = await resolve_dataset(session, dataset_gid)
    version_id = await resolve_version(session, dataset, version_gid)
    filtered = await split_store.resolve_splits(session, list(splits)) if splits else []
    if splits and len(filtered) < len(set(splits)):
        found = {s.name for s in filtered} | {str(s.id) for s in filtered}
        missing = [s for s in splits if s not in found and parse_typed_global_id(s, "DatasetSplit") is None]
        raise NotFound(f"Dataset splits not found: {', '.join(missing) or ', '.join(splits)}")
    examples = await store.examples_at_version(
        session, dataset.id, version_id, split_ids=[s.id for s in filtered] if splits else None, limit=limit
    )
    memberships = await store.splits_of_examples(session, [e.example.id for e in examples])
    return ExamplesAtVersion(dataset, version_id, filtered, examples, memberships)
