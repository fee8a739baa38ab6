"""Dataset splits (named example groups, not versioned) and dataset labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.models import DatasetLabel, DatasetSplit
from pyrewatch.db.session import Session
from pyrewatch.errors import Conflict, InvalidInput, NotFound
from pyrewatch.ids import MAX_ROW_ID, parse_typed_global_id
from pyrewatch.services.datasets import resolve_dataset
from pyrewatch.services.json_values import check_json
from pyrewatch.store import dataset_splits as store
from pyrewatch.store.integrity import flush_or_conflict

__all__ = [
    "LabelInput",
    "SplitInput",
    "add_dataset_label",
    "create_label",
    "create_split",
    "dataset_labels",
    "delete_label",
    "delete_split",
    "get_label",
    "list_labels",
    "remove_dataset_label",
    "replace_dataset_labels",
    "split_example_count",
    "update_label",
    "update_split",
]

MAX_NAME_LENGTH = 255


@dataclass(frozen=True)
class SplitInput:
    """Fields of a split to create or change; ``None`` means "leave as is"."""

    name: str | None = None
    description: str | None = None
    color: str | None = None
    metadata: dict[str, Any] | None = None
    add_example_ids: Sequence[str] = ()
    remove_example_ids: Sequence[str] = ()
    changed: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class LabelInput:
    name: str | None = None
    color: str | None = None
    description: str | None = None
    changed: frozenset[str] = field(default_factory=frozenset)


def _name(value: str, what: str) -> str:
    if not value.strip():
        raise InvalidInput(f"{what} name must not be empty")
    if len(value) > MAX_NAME_LENGTH or "\x00" in value:
        raise InvalidInput(f"{what} name must be at most {MAX_NAME_LENGTH} characters, without NUL characters")
    return value


async def _example_ids(session: Session, dataset_id: int, gids: Sequence[str]) -> set[int]:
    ids = {parse_typed_global_id(g, "DatasetExample") for g in gids}
    if None in ids or any(i > MAX_ROW_ID for i in ids if i is not None):
        raise InvalidInput("example ids must be DatasetExample GlobalIDs")
    wanted = {i for i in ids if i is not None}
    found = await store.dataset_example_ids(session, dataset_id, sorted(wanted))
    if found != wanted:
        raise InvalidInput(f"{len(wanted - found)} example ids are not examples of this dataset")
    return found


async def _split(session: Session, split_gid: str) -> DatasetSplit:
    split_id = parse_typed_global_id(split_gid, "DatasetSplit")
    if split_id is None:
        raise InvalidInput(f"Invalid dataset split ID: {split_gid}")
    split = await session.get(DatasetSplit, split_id) if split_id <= MAX_ROW_ID else None
    if split is None:
        raise NotFound(f"Dataset split {split_gid} not found")
    return split


async def split_example_count(session: Session, split: DatasetSplit) -> int:
    return await store.split_example_count(session, split.id)


async def create_split(session: Session, principal: Principal, dataset_gid: str, data: SplitInput) -> DatasetSplit:
    require(principal, Action.WRITE)
    dataset = await resolve_dataset(session, dataset_gid)
    name = _name(data.name or "", "Split")
    check_json(data.metadata or {})
    if await store.find_split_by_name(session, name) is not None:
        raise Conflict(f"A dataset split named {name!r} already exists")
    split = DatasetSplit(name=name, description=data.description, metadata_=data.metadata or {})
    if data.color:
        split.color = data.color
    split.user_id = principal.user_id
    session.add(split)
    await flush_or_conflict(session, f"A dataset split named {name!r} already exists")
    await store.add_members(session, split.id, await _example_ids(session, dataset.id, data.add_example_ids))
    return split


async def update_split(
    session: Session, principal: Principal, dataset_gid: str, split_gid: str, data: SplitInput
) -> DatasetSplit:
    require(principal, Action.WRITE)
    dataset = await resolve_dataset(session, dataset_gid)
    split = await _split(session, split_gid)
    if data.name is not None and data.name != split.name:
        if await store.find_split_by_name(session, _name(data.name, "Split")) is not None:
            raise Conflict(f"A dataset split named {data.name!r} already exists")
        split.name = data.name
    if "description" in data.changed:
        split.description = data.description
    if data.color:
        split.color = data.color
    if data.metadata is not None:
        check_json(data.metadata)
        split.metadata_ = data.metadata
    await store.add_members(session, split.id, await _example_ids(session, dataset.id, data.add_example_ids))
    await store.remove_members(session, split.id, await _example_ids(session, dataset.id, data.remove_example_ids))
    await session.flush()
    return split


async def delete_split(session: Session, principal: Principal, dataset_gid: str, split_gid: str) -> None:
    require(principal, Action.WRITE)
    await resolve_dataset(session, dataset_gid)
    await session.delete(await _split(session, split_gid))
    await session.flush()


async def _label(session: Session, label_gid: str) -> DatasetLabel:
    label_id = parse_typed_global_id(label_gid, "DatasetLabel")
    if label_id is None:
        raise InvalidInput(f"Invalid dataset label ID: {label_gid}")
    label = await session.get(DatasetLabel, label_id) if label_id <= MAX_ROW_ID else None
    if label is None:
        raise NotFound(f"Dataset label {label_gid} not found")
    return label


async def list_labels(
    session: Session, principal: Principal, *, limit: int, cursor: int | None
) -> tuple[list[DatasetLabel], int | None]:
    require(principal, Action.READ)
    rows = await store.list_labels_page(session, limit=limit, cursor=cursor)
    return rows[:limit], (rows[limit].id if len(rows) > limit else None)


async def get_label(session: Session, principal: Principal, label_gid: str) -> DatasetLabel:
    require(principal, Action.READ)
    return await _label(session, label_gid)


async def create_label(session: Session, principal: Principal, data: LabelInput) -> DatasetLabel:
    require(principal, Action.WRITE)
    name = _name(data.name or "", "Label")
    if await store.find_label_by_name(session, name) is not None:
        raise Conflict(f"A dataset label named {name!r} already exists")
    label = DatasetLabel(name=name, color=data.color or "#808080", description=data.description)
    session.add(label)
    await flush_or_conflict(session, f"A dataset label named {name!r} already exists")
    return label


async def update_label(session: Session, principal: Principal, label_gid: str, data: LabelInput) -> DatasetLabel:
    require(principal, Action.WRITE)
    label = await _label(session, label_gid)
    if data.name is not None and data.name != label.name:
        if await store.find_label_by_name(session, _name(data.name, "Label")) is not None:
            raise Conflict(f"A dataset label named {data.name!r} already exists")
        label.name = data.name
    if data.color is not None:
        label.color = data.color
    if "description" in data.changed:
        label.description = data.description
    await session.flush()
    return label


async def delete_label(session: Session, principal: Principal, label_gid: str) -> None:
    require(principal, Action.WRITE)
    await session.delete(await _label(session, label_gid))
    await session.flush()


async def dataset_labels(session: Session, principal: Principal, dataset_gid: str) -> list[DatasetLabel]:
    require(principal, Action.READ)
    dataset = await resolve_dataset(session, dataset_gid)
    return await store.labels_of_dataset(session, dataset.id)


async def replace_dataset_labels(
    session: Session, principal: Principal, dataset_gid: str, label_gids: Sequence[str]
) -> list[DatasetLabel]:
    require(principal, Action.WRITE)
    dataset = await resolve_dataset(session, dataset_gid)
    wanted = {(await _label(session, gid)).id for gid in label_gids}
    current = await store.label_links(session, dataset.id)
    await store.set_labels(session, dataset.id, add=wanted - current, remove=current - wanted)
    return await store.labels_of_dataset(session, dataset.id)


async def add_dataset_label(session: Session, principal: Principal, dataset_gid: str, label_gid: str) -> DatasetLabel:
    require(principal, Action.WRITE)
    dataset = await resolve_dataset(session, dataset_gid)
    label = await _label(session, label_gid)
    if label.id not in await store.label_links(session, dataset.id):
        await store.set_labels(session, dataset.id, add={label.id}, remove=set())
    return label


async def remove_dataset_label(session: Session, principal: Principal, dataset_gid: str, label_gid: str) -> None:
    require(principal, Action.WRITE)
    dataset = await resolve_dataset(session, dataset_gid)
    label = await _label(session, label_gid)
    if label.id not in await store.label_links(session, dataset.id):
        raise NotFound(f"Dataset label {label_gid} is not applied to this dataset")
    await store.set_labels(session, dataset.id, add=set(), remove={label.id})
