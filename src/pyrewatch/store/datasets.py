"""Datasets, versions, examples and their revisions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, insert, select

from pyrewatch.db.models import (
    Dataset,
    DatasetExample,
    DatasetExampleRevision,
    DatasetSplit,
    DatasetSplitExample,
    DatasetVersion,
    Span,
)
from pyrewatch.db.session import Session

__all__ = [
    "ExampleState",
    "VersionedExample",
    "count_examples",
    "delete_dataset",
    "add_memberships",
    "clear_memberships",
    "examples_at_version",
    "external_id_rows",
    "insert_examples",
    "find_dataset",
    "find_dataset_by_name",
    "find_version",
    "insert_revisions",
    "latest_example_counts",
    "latest_state",
    "latest_version_id",
    "list_datasets_page",
    "list_versions_page",
    "span_rowids",
    "splits_by_names",
    "splits_of_examples",
]


# Ids per IN (...) list: well below the bound-parameter limits of SQLite and asyncpg.
CHUNK = 5000


@dataclass(frozen=True)
class ExampleState:
    """An example as visible in the latest version: enough to match an upload against it."""

    example_id: int
    external_id: str | None
    content_hash: str


@dataclass(frozen=True)
class VersionedExample:
    example: DatasetExample
    revision: DatasetExampleRevision
    span_id: str | None


async def find_dataset(session: Session, dataset_id: int, *, for_update: bool = False) -> Dataset | None:
    stmt = select(Dataset).where(Dataset.id == dataset_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def find_dataset_by_name(session: Session, name: str, *, for_update: bool = False) -> Dataset | None:
    stmt = select(Dataset).where(Dataset.name == name)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_datasets_page(session: Session, *, limit: int, cursor: int | None, name: str | None) -> list[Dataset]:
    stmt = select(Dataset).order_by(Dataset.id.desc()).limit(limit + 1)
    if cursor is not None:
        stmt = stmt.where(Dataset.id <= cursor)
    if name is not None:
        stmt = stmt.where(Dataset.name == name)
    return list((await session.execute(stmt)).scalars())


async def delete_dataset(session: Session, dataset_id: int) -> None:
    """Versions, examples, revisions and experiments go with it (ON DELETE CASCADE)."""
    await session.execute(delete(Dataset).where(Dataset.id == dataset_id))


async def find_version(session: Session, version_id: int) -> DatasetVersion | None:
    return await session.get(DatasetVersion, version_id)


async def latest_version_id(session: Session, dataset_id: int) -> int | None:
    stmt = select(func.max(DatasetVersion.id)).where(DatasetVersion.dataset_id == dataset_id)
    value = (await session.execute(stmt)).scalar_one_or_none()
    return None if value is None else int(value)


async def list_versions_page(
    session: Session, dataset_id: int, *, limit: int, cursor: int | None
) -> list[DatasetVersion]:
    stmt = (
        select(DatasetVersion)
        .where(DatasetVersion.dataset_id == dataset_id)
        .order_by(DatasetVersion.id.desc())
        .limit(limit + 1)
    )
    if cursor is not None:
        stmt = stmt.where(DatasetVersion.id <= cursor)
    return list((await session.execute(stmt)).scalars())


def _visible_revisions(dataset_id: int, version_id: int) -> Any:
    """(example id, version id) of each example's newest revision at ``version_id``."""
    return (
        select(
            DatasetExampleRevision.dataset_example_id.label("example_id"),
            func.max(DatasetExampleRevision.dataset_version_id).label("version_id"),
        )
        .join(DatasetExample, DatasetExample.id == DatasetExampleRevision.dataset_example_id)
        .where(DatasetExample.dataset_id == dataset_id, DatasetExampleRevision.dataset_version_id <= version_id)
        .group_by(DatasetExampleRevision.dataset_example_id)
        .subquery()
    )


def _revisions_at(dataset_id: int, version_id: int) -> Any:
    visible = _visible_revisions(dataset_id, version_id)
    return (
        select(DatasetExampleRevision)
        .join(
            visible,
            and_(
                visible.c.example_id == DatasetExampleRevision.dataset_example_id,
                visible.c.version_id == DatasetExampleRevision.dataset_version_id,
            ),
        )
        .where(DatasetExampleRevision.revision_kind != "DELETE")
    )


async def count_examples(session: Session, dataset_id: int, version_id: int | None) -> int:
    if version_id is None:
        return 0
    stmt = select(func.count()).select_from(_revisions_at(dataset_id, version_id).subquery())
    return int((await session.execute(stmt)).scalar_one())


def _newest_revisions(dataset_ids: list[int]) -> Any:
    """(example id, version id) of the newest revision of each example of some datasets."""
    return (
        select(
            DatasetExampleRevision.dataset_example_id.label("example_id"),
            func.max(DatasetExampleRevision.dataset_version_id).label("version_id"),
        )
        .join(DatasetExample, DatasetExample.id == DatasetExampleRevision.dataset_example_id)
        .where(DatasetExample.dataset_id.in_(dataset_ids))
        .group_by(DatasetExampleRevision.dataset_example_id)
        .subquery()
    )


async def latest_example_counts(session: Session, dataset_ids: list[int]) -> dict[int, int]:
    """Example counts of many datasets' latest versions in one query.

    In the latest version every example shows its newest revision, so this counts examples
    whose newest revision is not a DELETE.
    """
    if not dataset_ids:
        return {}
    newest = _newest_revisions(dataset_ids)
    stmt = (
        select(DatasetExample.dataset_id, func.count())
        .join(newest, newest.c.example_id == DatasetExample.id)
        .join(
            DatasetExampleRevision,
            and_(
                DatasetExampleRevision.dataset_example_id == newest.c.example_id,
                DatasetExampleRevision.dataset_version_id == newest.c.version_id,
            ),
        )
        .where(DatasetExampleRevision.revision_kind != "DELETE")
        .group_by(DatasetExample.dataset_id)
    )
    counts = dict.fromkeys(dataset_ids, 0)
    for dataset_id, count in (await session.execute(stmt)).all():
        counts[int(dataset_id)] = int(count)
    return counts


async def examples_at_version(
    session: Session,
    dataset_id: int,
    version_id: int,
    *,
    example_ids: list[int] | None = None,
    split_ids: list[int] | None = None,
    limit: int | None = None,
) -> list[VersionedExample]:
    """The examples visible in a version, by example id; optionally only some, or some splits,
    or only the first ``limit``."""
    if example_ids is not None and len(example_ids) > CHUNK:
        found: list[VersionedExample] = []
        for start in range(0, len(example_ids), CHUNK):
            chunk = example_ids[start : start + CHUNK]
            found += await examples_at_version(session, dataset_id, version_id, example_ids=chunk, split_ids=split_ids)
        return sorted(found, key=lambda item: item.example.id)
    revision = _revisions_at(dataset_id, version_id).subquery()
    stmt = (
        select(DatasetExample, DatasetExampleRevision, Span.span_id)
        .join(revision, revision.c.dataset_example_id == DatasetExample.id)
        .join(DatasetExampleRevision, DatasetExampleRevision.id == revision.c.id)
        .outerjoin(Span, Span.id == DatasetExample.span_rowid)
        .order_by(DatasetExample.id)
    )
    if example_ids is not None:
        stmt = stmt.where(DatasetExample.id.in_(example_ids))
    if split_ids is not None:
        members = select(DatasetSplitExample.dataset_example_id).where(
            DatasetSplitExample.dataset_split_id.in_(split_ids)
        )
        stmt = stmt.where(DatasetExample.id.in_(members))
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = await session.execute(stmt)
    return [VersionedExample(example, rev_row, span_id) for example, rev_row, span_id in rows.all()]


async def latest_version_ids(session: Session, dataset_ids: list[int]) -> dict[int, int]:
    """The latest version of many datasets in one query (datasets without one are left out)."""
    if not dataset_ids:
        return {}
    stmt = (
        select(DatasetVersion.dataset_id, func.max(DatasetVersion.id))
        .where(DatasetVersion.dataset_id.in_(dataset_ids))
        .group_by(DatasetVersion.dataset_id)
    )
    return {int(dataset_id): int(version_id) for dataset_id, version_id in (await session.execute(stmt)).all()}


async def latest_examples(session: Session, dataset_ids: list[int]) -> dict[int, list[VersionedExample]]:
    """The examples of many datasets' latest versions in one query, each dataset's by example id
    (in the latest version every example shows its newest revision)."""
    found: dict[int, list[VersionedExample]] = {dataset_id: [] for dataset_id in dataset_ids}
    if not dataset_ids:
        return found
    newest = _newest_revisions(dataset_ids)
    stmt = (
        select(DatasetExample, DatasetExampleRevision, Span.span_id)
        .join(newest, newest.c.example_id == DatasetExample.id)
        .join(
            DatasetExampleRevision,
            and_(
                DatasetExampleRevision.dataset_example_id == newest.c.example_id,
                DatasetExampleRevision.dataset_version_id == newest.c.version_id,
            ),
        )
        .outerjoin(Span, Span.id == DatasetExample.span_rowid)
        .where(DatasetExampleRevision.revision_kind != "DELETE")
        .order_by(DatasetExample.id)
    )
    for example, revision, span_id in (await session.execute(stmt)).all():
        found[example.dataset_id].append(VersionedExample(example, revision, span_id))
    return found


async def latest_state(session: Session, dataset_id: int) -> list[ExampleState]:
    """Every example of the latest version with its content hash, by example id."""
    version_id = await latest_version_id(session, dataset_id)
    if version_id is None:
        return []
    revision = _revisions_at(dataset_id, version_id).subquery()
    stmt = (
        select(DatasetExample.id, DatasetExample.external_id, revision.c.content_hash)
        .join(revision, revision.c.dataset_example_id == DatasetExample.id)
        .order_by(DatasetExample.id)
    )
    return [ExampleState(row[0], row[1], row[2]) for row in (await session.execute(stmt)).all()]


async def external_id_rows(session: Session, dataset_id: int, external_ids: list[str]) -> dict[str, int]:
    """Existing example rows (also deleted ones) by external id."""
    if not external_ids:
        return {}
    stmt = select(DatasetExample.external_id, func.max(DatasetExample.id)).where(
        DatasetExample.dataset_id == dataset_id, DatasetExample.external_id.in_(external_ids)
    )
    rows = await session.execute(stmt.group_by(DatasetExample.external_id))
    return {str(ext): int(row_id) for ext, row_id in rows.all()}


async def insert_examples(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert example rows (dataset_id, external_id, span_rowid); their ids in order."""
    if not rows:
        return []
    stmt = insert(DatasetExample).returning(DatasetExample.id, sort_by_parameter_order=True)
    return [int(row_id) for row_id in (await session.execute(stmt, rows)).scalars()]


async def insert_revisions(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(DatasetExampleRevision), rows)


async def span_rowids(session: Session, span_ids: list[str]) -> dict[str, int]:
    if not span_ids:
        return {}
    stmt = select(Span.span_id, Span.id).where(Span.span_id.in_(span_ids))
    return {str(sid): int(rid) for sid, rid in (await session.execute(stmt)).all()}


async def splits_by_names(session: Session, names: list[str]) -> dict[str, DatasetSplit]:
    if not names:
        return {}
    stmt = select(DatasetSplit).where(DatasetSplit.name.in_(names))
    return {split.name: split for split in (await session.execute(stmt)).scalars()}


async def splits_of_examples(session: Session, example_ids: list[int]) -> dict[int, list[DatasetSplit]]:
    result: dict[int, list[DatasetSplit]] = {}
    if not example_ids:
        return result
    for chunk_start in range(0, len(example_ids), 5000):
        chunk = example_ids[chunk_start : chunk_start + 5000]
        stmt = (
            select(DatasetSplitExample.dataset_example_id, DatasetSplit)
            .join(DatasetSplit, DatasetSplit.id == DatasetSplitExample.dataset_split_id)
            .where(DatasetSplitExample.dataset_example_id.in_(chunk))
            .order_by(DatasetSplit.name)
        )
        for example_id, split in (await session.execute(stmt)).all():
            result.setdefault(int(example_id), []).append(split)
    return result


async def clear_memberships(session: Session, *, dataset_id: int, example_ids: list[int] | None) -> None:
    """Drop split memberships of the dataset's examples (all, or only ``example_ids``)."""
    members = select(DatasetExample.id).where(DatasetExample.dataset_id == dataset_id)
    stmt = delete(DatasetSplitExample).where(DatasetSplitExample.dataset_example_id.in_(members))
    if example_ids is None:
        await session.execute(stmt)
        return
    for start in range(0, len(example_ids), 5000):
        chunk = example_ids[start : start + 5000]
        await session.execute(stmt.where(DatasetSplitExample.dataset_example_id.in_(chunk)))


async def add_memberships(session: Session, pairs: set[tuple[int, int]]) -> None:
    """Insert (split id, example id) memberships."""
    if pairs:
        rows = [{"dataset_split_id": s, "dataset_example_id": e} for s, e in sorted(pairs)]
        await session.execute(insert(DatasetSplitExample), rows)
