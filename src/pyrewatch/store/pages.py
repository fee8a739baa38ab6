"""Newest-first pages of child rows for many parents in one statement (GraphQL listings)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import InstrumentedAttribute

from pyrewatch.db.session import Session

T = TypeVar("T")

# Parents asked about in one statement (bound parameters stay far below every dialect's limit).
PARENT_CHUNK = 500


async def pages_by_parent(
    session: Session,
    model: type[T],
    parent: InstrumentedAttribute[Any],
    parent_ids: Sequence[int],
    *,
    limit: int,
    cursor: int | None,
) -> dict[int, list[T]]:
    """Each parent's rows with ``id <= cursor`` (every row when None), newest first, at most
    ``limit + 1`` of them: the extra row tells that another page follows. The same page as one
    ``ORDER BY id DESC LIMIT limit + 1`` per parent, ranked with a window function instead."""
    found: dict[int, list[T]] = {parent_id: [] for parent_id in parent_ids}
    unique = list(found)
    row_id: Any = inspect(model).primary_key[0]
    for start in range(0, len(unique), PARENT_CHUNK):
        rank = func.row_number().over(partition_by=parent, order_by=row_id.desc()).label("rank")
        ranked = select(row_id.label("row_id"), rank).where(parent.in_(unique[start : start + PARENT_CHUNK]))
        if cursor is not None:
            ranked = ranked.where(row_id <= cursor)
        page = ranked.subquery()
        stmt = select(model).join(page, page.c.row_id == row_id).where(page.c.rank <= limit + 1).order_by(row_id.desc())
        for row in (await session.execute(stmt)).scalars():
            found[getattr(row, parent.key)].append(row)
    return found


def split_page(rows: list[T], limit: int) -> tuple[list[T], int | None]:
    """(the page, the id the next page starts at, or None) from ``limit + 1`` rows."""
    if len(rows) <= limit:
        return rows, None
    following: Any = rows[limit]
    return rows[:limit], int(following.id)
