"""Dataset splits and dataset labels."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select

from pyrewatch.db.models import DatasetExample, DatasetLabel, DatasetLabelLink, DatasetSplit, DatasetSplitExample
from pyrewatch.db.session import Session
from pyrewatch.ids import MAX_ROW_ID, parse_typed_global_id

__all__ = [
    "dataset_example_ids",
    "add_members",
    "find_label_by_name",
    "find_split_by_name",
    "label_links",
    "labels_of_dataset",
    "list_labels_page",
    "remove_members",
    "resolve_splits",
    "set_labels",
    "split_example_count",
]


async def resolve_splits(session: Session, names_or_ids: list[str]) -> list[DatasetSplit]:
    """Splits named by name or by DatasetSplit GlobalID (unknown ones are left out)."""
    ids = [i for i in (parse_typed_global_id(v, "DatasetSplit") for v in names_or_ids) if i and i <= MAX_ROW_ID]
    stmt = select(DatasetSplit).where(DatasetSplit.name.in_(names_or_ids) | DatasetSplit.id.in_(ids))
    return list((await session.execute(stmt.order_by(DatasetSplit.id))).scalars())


async def find_split_by_name(session: Session, name: str) -> DatasetSplit | None:
    return (await session.execute(select(DatasetSplit).where(DatasetSplit.name == name))).scalar_one_or_none()


async def split_example_count(session: Session, split_id: int) -> int:
    stmt = select(func.count()).where(DatasetSplitExample.dataset_split_id == split_id)
    return int((await session.execute(stmt)).scalar_one())


async def dataset_example_ids(session: Session, dataset_id: int, example_ids: list[int]) -> set[int]:
    """Which of ``example_ids`` are examples of the dataset."""
    found: set[int] = set()
    for start in range(0, len(example_ids), 5000):
        chunk = example_ids[start : start + 5000]
        stmt = select(DatasetExample.id).where(DatasetExample.dataset_id == dataset_id, DatasetExample.id.in_(chunk))
        found |= {int(i) for i in (await session.execute(stmt)).scalars()}
    return found


async def add_members(session: Session, split_id: int, example_ids: set[int]) -> None:
    existing_stmt = select(DatasetSplitExample.dataset_example_id).where(
        DatasetSplitExample.dataset_split_id == split_id
    )
    existing = {int(i) for i in (await session.execute(existing_stmt)).scalars()}
    rows = [{"dataset_split_id": split_id, "dataset_example_id": e} for e in sorted(example_ids - existing)]
    if rows:
        await session.execute(insert(DatasetSplitExample), rows)


async def remove_members(session: Session, split_id: int, example_ids: set[int]) -> None:
    ids = sorted(example_ids)
    for start in range(0, len(ids), 5000):
        await session.execute(
            delete(DatasetSplitExample).where(
                DatasetSplitExample.dataset_split_id == split_id,
                DatasetSplitExample.dataset_example_id.in_(ids[start : start + 5000]),
            )
        )


async def find_label_by_name(session: Session, name: str) -> DatasetLabel | None:
    return (await session.execute(select(DatasetLabel).where(DatasetLabel.name == name))).scalar_one_or_none()


async def list_labels_page(session: Session, *, limit: int, cursor: int | None) -> list[DatasetLabel]:
    stmt = select(DatasetLabel).order_by(DatasetLabel.id.desc()).limit(limit + 1)
    if cursor is not None:
        stmt = stmt.where(DatasetLabel.id <= cursor)
    return list((await session.execute(stmt)).scalars())


async def labels_of_dataset(session: Session, dataset_id: int) -> list[DatasetLabel]:
    stmt = (
        select(DatasetLabel)
        .join(DatasetLabelLink, DatasetLabelLink.dataset_label_id == DatasetLabel.id)
        .where(DatasetLabelLink.dataset_id == dataset_id)
        .order_by(DatasetLabel.id)
    )
    return list((await session.execute(stmt)).scalars())


async def label_links(session: Session, dataset_id: int) -> set[int]:
    stmt = select(DatasetLabelLink.dataset_label_id).where(DatasetLabelLink.dataset_id == dataset_id)
    return {int(i) for i in (await session.execute(stmt)).scalars()}


async def set_labels(session: Session, dataset_id: int, *, add: set[int], remove: set[int]) -> None:
    if remove:
        await session.execute(
            delete(DatasetLabelLink).where(
                DatasetLabelLink.dataset_id == dataset_id, DatasetLabelLink.dataset_label_id.in_(remove)
            )
        )
    if add:
        rows = [{"dataset_id": dataset_id, "dataset_label_id": label_id} for label_id in sorted(add)]
        await session.execute(insert(DatasetLabelLink), rows)
