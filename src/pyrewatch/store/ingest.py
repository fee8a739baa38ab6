"""Bulk writes of ingested spans: projects, traces and spans in a few multi-row statements.

Semantics, in one transaction:

* Projects are created on first use (``INSERT ... ON CONFLICT (name) DO NOTHING``).
* A trace is keyed by ``trace_id`` across the database; its project is fixed by the first span
  that created it, and ``start_time``/``end_time`` widen to cover every span.
* A span id that is already stored keeps the stored span: the new copy is ignored. An exporter
  retrying a batch that was in fact stored therefore changes nothing.
* Cumulative counts (errors, prompt and completion tokens) of a new span include its stored
  children, and are added to every stored ancestor, also when the child arrives after them.
  They stop at 2**31 - 1, the largest value their columns hold.
* A trace joins the session named by ``session.id`` (see ``store.project_sessions``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import BigInteger, Table, bindparam, case, cast, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, DBAPIError, StatementError

from pyrewatch.db.models import Project, Span, Trace
from pyrewatch.db.session import Session
from pyrewatch.errors import InvalidInput
from pyrewatch.store.project_sessions import attach_sessions

__all__ = ["VALUE_REFUSED", "NewSpan", "StoredBatch", "write_spans"]

VALUE_REFUSED = "span refused: the database cannot store one of its values"

# Rows per multi-row statement: well under SQLite's and asyncpg's 32,767 bound parameters.
_CHUNK = 500
_MAX_ANCESTOR_DEPTH = 1_000
# Count columns are 32-bit: cumulative counts stop at the largest value rather than fail a batch.
_MAX_COUNT = 2**31 - 1


class NewSpan(Protocol):
    """What the store needs of a span (``ingest.decode.SpanRecord`` satisfies it)."""

    @property
    def project_name(self) -> str: ...
    @property
    def trace_id(self) -> str: ...
    @property
    def span_id(self) -> str: ...
    @property
    def parent_id(self) -> str | None: ...
    @property
    def name(self) -> str: ...
    @property
    def span_kind(self) -> str: ...
    @property
    def start_time(self) -> datetime: ...
    @property
    def end_time(self) -> datetime: ...
    @property
    def attributes(self) -> dict[str, Any]: ...
    @property
    def events(self) -> list[dict[str, Any]]: ...
    @property
    def status_code(self) -> str: ...
    @property
    def status_message(self) -> str: ...
    @property
    def llm_token_count_prompt(self) -> int | None: ...
    @property
    def llm_token_count_completion(self) -> int | None: ...


@dataclass(frozen=True)
class StoredBatch:
    inserted: frozenset[str]  # span ids written by this call
    already_stored: frozenset[str]  # span ids that were in the database (or earlier in the batch)


@dataclass
class _Counts:
    errors: int = 0
    prompt: int = 0
    completion: int = 0

    def add(self, other: _Counts) -> None:
        self.errors += other.errors
        self.prompt += other.prompt
        self.completion += other.completion

    def __bool__(self) -> bool:
        return bool(self.errors or self.prompt or self.completion)


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


async def write_spans(session: Session, spans: Sequence[NewSpan]) -> StoredBatch:
    """Store ``spans`` (from one or many requests) in the caller's transaction.

    Raises:
        InvalidInput: a value of the batch can never be stored (nothing of the batch is kept):
            the database refused it as data, or the driver could not encode it. Other failures
            (connection, locks, timeouts) propagate: they may pass.
    """
    try:
        return await _write_spans(session, spans)
    except Exception as exc:
        if _value_refused(exc):
            # The database's text may quote the value: it goes to logs (``__cause__``), not clients.
            raise InvalidInput(VALUE_REFUSED) from exc
        raise


# SQLSTATE classes of errors that the same values would raise again: data exception (22), and
# program limit exceeded (54, such as a value too large or too deeply nested).
_REFUSED_SQLSTATE_CLASSES = ("22", "54")


def _value_refused(exc: BaseException) -> bool:
    """Whether ``exc`` says a value can never be stored, as opposed to a failure that may pass.

    The database refused it as data, or the driver could not encode it (a Python ``ValueError``,
    such as text UTF-8 cannot encode). Connection, lock and timeout failures are not.
    """
    node: BaseException | None = exc
    for _ in range(8):
        if node is None:
            return False
        if isinstance(node, DataError | ValueError | TypeError | OverflowError | RecursionError):
            return True
        code = getattr(node, "sqlstate", None) or getattr(node, "pgcode", None)
        if isinstance(code, str) and code[:2] in _REFUSED_SQLSTATE_CLASSES:
            return True
        orig = node.orig if isinstance(node, DBAPIError | StatementError) else None
        node = orig if orig is not None else node.__cause__
    return False


async def _write_spans(session: Session, spans: Sequence[NewSpan]) -> StoredBatch:
    first: dict[str, NewSpan] = {}
    for span in spans:
        first.setdefault(span.span_id, span)
    existing = await _existing_span_ids(session, sorted(first))
    new = [span for span_id, span in sorted(first.items()) if span_id not in existing]
    if not new:
        return StoredBatch(inserted=frozenset(), already_stored=frozenset(first))
    project_ids = await _project_ids(session, {span.project_name for span in new})
    traces = await _upsert_traces(session, new, project_ids)
    await attach_sessions(session, new, traces)
    counts = await _cumulative_counts(session, new)
    inserted = await _insert_spans(session, new, traces, counts)
    await _propagate_to_ancestors(session, new, inserted, counts)
    return StoredBatch(inserted=frozenset(inserted), already_stored=frozenset(first) - frozenset(inserted))


async def _existing_span_ids(session: Session, span_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(span_ids):
        rows = await session.execute(select(Span.span_id).where(Span.span_id.in_(chunk)))
        found.update(rows.scalars())
    return found


async def _project_ids(session: Session, names: set[str]) -> dict[str, int]:
    """Ids of the named projects, creating the missing ones."""
    stmt = select(Project.name, Project.id).where(Project.name.in_(sorted(names)))
    ids = {name: pid for name, pid in (await session.execute(stmt)).all()}
    missing = sorted(names - ids.keys())
    if missing:
        insert = _insert(session)
        await session.execute(
            insert(Project).on_conflict_do_nothing(index_elements=["name"]),
            [{"name": name, "description": None} for name in missing],
        )
        ids.update({name: pid for name, pid in (await session.execute(stmt)).all()})
    return ids


async def _upsert_traces(
    session: Session, new: Sequence[NewSpan], project_ids: dict[str, int]
) -> dict[str, tuple[int, int]]:
    """Insert or widen each trace; return ``trace_id -> (trace row id, project id)``."""
    bounds: dict[str, tuple[int, datetime, datetime]] = {}
    for span in new:
        pid, start, end = bounds.get(span.trace_id, (project_ids[span.project_name], span.start_time, span.end_time))
        bounds[span.trace_id] = (pid, min(start, span.start_time), max(end, span.end_time))
    table = Trace.__table__
    insert = _insert(session)
    result: dict[str, tuple[int, int]] = {}
    rows = [
        {"trace_id": trace_id, "project_id": pid, "start_time": start, "end_time": end}
        for trace_id, (pid, start, end) in sorted(bounds.items())
    ]
    for chunk in _chunks(rows):
        stmt = insert(table).values(list(chunk))
        stmt = stmt.on_conflict_do_update(
            index_elements=["trace_id"],
            set_={
                "start_time": case(
                    (stmt.excluded.start_time < table.c.start_time, stmt.excluded.start_time),
                    else_=table.c.start_time,
                ),
                "end_time": case(
                    (stmt.excluded.end_time > table.c.end_time, stmt.excluded.end_time), else_=table.c.end_time
                ),
            },
        ).returning(table.c.trace_id, table.c.id, table.c.project_id)
        for trace_id, row_id, project_id in (await session.execute(stmt)).all():
            result[trace_id] = (row_id, project_id)
    return result


def _own_counts(span: NewSpan) -> _Counts:
    return _Counts(
        errors=1 if span.status_code == "ERROR" else 0,
        prompt=span.llm_token_count_prompt or 0,
        completion=span.llm_token_count_completion or 0,
    )


async def _stored_children_counts(session: Session, parent_ids: Sequence[str]) -> dict[str, _Counts]:
    totals: dict[str, _Counts] = {}
    for chunk in _chunks(parent_ids):
        stmt = (
            select(
                Span.parent_id,
                func.sum(Span.cumulative_error_count),
                func.sum(Span.cumulative_llm_token_count_prompt),
                func.sum(Span.cumulative_llm_token_count_completion),
            )
            .where(Span.parent_id.in_(chunk))
            .group_by(Span.parent_id)
        )
        for parent_id, errors, prompt, completion in (await session.execute(stmt)).all():
            if parent_id is not None:
                totals[parent_id] = _Counts(int(errors or 0), int(prompt or 0), int(completion or 0))
    return totals


async def _cumulative_counts(session: Session, new: Sequence[NewSpan]) -> dict[str, _Counts]:
    """Cumulative counts of each new span: itself, its stored children, its new descendants."""
    counts = {span.span_id: _own_counts(span) for span in new}
    for parent_id, child_counts in (await _stored_children_counts(session, list(counts))).items():
        counts[parent_id].add(child_counts)
    # Add each new span's own-plus-stored value to its new ancestors. A parent cycle (possible
    # only in malformed data) stops at the first repeated span.
    parents = {span.span_id: span.parent_id for span in new}
    base = {span_id: _Counts(c.errors, c.prompt, c.completion) for span_id, c in counts.items()}
    for span_id, value in base.items():
        if not value:
            continue
        seen = {span_id}
        ancestor = parents.get(span_id)
        while ancestor is not None and ancestor in counts and ancestor not in seen:
            counts[ancestor].add(value)
            seen.add(ancestor)
            ancestor = parents.get(ancestor)
    return counts


async def _insert_spans(
    session: Session,
    new: Sequence[NewSpan],
    traces: dict[str, tuple[int, int]],
    counts: dict[str, _Counts],
) -> set[str]:
    rows = []
    for span in new:
        trace_rowid, project_id = traces[span.trace_id]
        total = counts[span.span_id]
        rows.append(
            {
                "trace_rowid": trace_rowid,
                "project_id": project_id,
                "span_id": span.span_id,
                "parent_id": span.parent_id,
                "name": span.name,
                "span_kind": span.span_kind,
                "start_time": span.start_time,
                "end_time": span.end_time,
                "attributes": span.attributes,
                "events": span.events,
                "status_code": span.status_code,
                "status_message": span.status_message,
                "llm_token_count_prompt": span.llm_token_count_prompt,
                "llm_token_count_completion": span.llm_token_count_completion,
                "cumulative_error_count": min(total.errors, _MAX_COUNT),
                "cumulative_llm_token_count_prompt": min(total.prompt, _MAX_COUNT),
                "cumulative_llm_token_count_completion": min(total.completion, _MAX_COUNT),
            }
        )
    insert = _insert(session)
    inserted: set[str] = set()
    table = Span.__table__
    for chunk in _chunks(rows):
        stmt = insert(table).on_conflict_do_nothing(index_elements=["span_id"]).returning(table.c.span_id)
        inserted.update((await session.execute(stmt, list(chunk))).scalars())
    return inserted


async def _propagate_to_ancestors(
    session: Session, new: Sequence[NewSpan], inserted: set[str], counts: dict[str, _Counts]
) -> None:
    """Add the cumulative counts of each new subtree to every stored ancestor."""
    new_ids = {span.span_id for span in new}
    starts: dict[str, _Counts] = defaultdict(_Counts)
    for span in new:
        if span.span_id in inserted and span.parent_id and span.parent_id not in new_ids and counts[span.span_id]:
            starts[span.parent_id].add(counts[span.span_id])
    if not starts:
        return
    stored_parent: dict[str, str | None] = {}  # span id -> parent id, for stored ancestors
    looked_up: set[str] = set()
    frontier = set(starts)
    for _ in range(_MAX_ANCESTOR_DEPTH):
        frontier -= looked_up
        if not frontier:
            break
        looked_up |= frontier
        found = await _parents_of(session, sorted(frontier))
        stored_parent.update(found)
        frontier = {parent for parent in found.values() if parent is not None}
    totals: dict[str, _Counts] = defaultdict(_Counts)
    for start, delta in starts.items():
        # A parent cycle (malformed data) stops at the first repeated span.
        node: str | None = start
        seen: set[str] = set()
        while node is not None and node in stored_parent and node not in seen:
            totals[node].add(delta)
            seen.add(node)
            node = stored_parent[node]
    if totals:
        await _add_counts(session, totals)


async def _add_counts(session: Session, deltas: dict[str, _Counts]) -> None:
    table = Span.__table__
    assert isinstance(table, Table)
    stmt = (
        update(table)
        .where(table.c.span_id == bindparam("b_span_id"))
        .values(
            cumulative_error_count=_capped_sum(table.c.cumulative_error_count, "b_errors"),
            cumulative_llm_token_count_prompt=_capped_sum(table.c.cumulative_llm_token_count_prompt, "b_prompt"),
            cumulative_llm_token_count_completion=_capped_sum(
                table.c.cumulative_llm_token_count_completion, "b_completion"
            ),
        )
    )
    params = [
        {"b_span_id": span_id, "b_errors": c.errors, "b_prompt": c.prompt, "b_completion": c.completion}
        for span_id, c in sorted(deltas.items())
    ]
    conn = await session.connection()
    await conn.execute(stmt, params)


def _capped_sum(column: Any, name: str) -> Any:
    """``column + :name`` computed in 64 bits and capped at the largest value the column holds."""
    total = cast(column, BigInteger) + bindparam(name, type_=BigInteger)
    return case((total > _MAX_COUNT, _MAX_COUNT), else_=total)


async def _parents_of(session: Session, span_ids: Sequence[str]) -> dict[str, str | None]:
    parents: dict[str, str | None] = {}
    for chunk in _chunks(span_ids):
        rows = await session.execute(select(Span.span_id, Span.parent_id).where(Span.span_id.in_(chunk)))
        parents.update({span_id: parent_id for span_id, parent_id in rows.all()})
    return parents
