"""Dataset uploads: match incoming examples to the latest version and write a new version.

Phoenix's rules: an example with an external id (or a DatasetExample GlobalID) is matched by
it; one without is paired with the first unpaired previous example of equal content. Matched
and equal: unchanged; matched and different: a PATCH revision; unmatched incoming: a new example
(CREATE); unmatched previous: DELETE, except when appending. A version is written only when
something changed.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.clock import now_utc
from pyrewatch.db.models import Dataset, DatasetSplit, DatasetVersion
from pyrewatch.db.session import Session
from pyrewatch.errors import Conflict, InvalidInput
from pyrewatch.ids import MAX_ROW_ID, parse_typed_global_id
from pyrewatch.services.dataset_files import UploadRow
from pyrewatch.services.json_values import check_json
from pyrewatch.store import datasets as store
from pyrewatch.store.integrity import flush_or_conflict

__all__ = ["UploadRequest", "UploadResult", "content_hash", "upload_dataset"]

ACTIONS = ("create", "append", "update")
BATCH_SIZE = 1000
MAX_NAME_LENGTH = 255


@dataclass(frozen=True)
class UploadRequest:
    action: str
    name: str
    description: str | None
    rows: Iterable[UploadRow]


@dataclass(frozen=True)
class UploadResult:
    dataset_id: int
    version_id: int
    created: int
    updated: int
    deleted: int


def content_hash(input_: dict[str, Any], output: dict[str, Any], metadata: dict[str, Any]) -> str:
    text = json.dumps([input_, output, metadata], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def parse_action(value: str | None) -> str:
    action = (value or "create").lower()
    if action not in ACTIONS:
        # Phoenix's text, typo included: its client looks for exactly this.
        raise InvalidInput(f"Invalid dateset action: {value}")
    return action


class _Upload:
    """The state of one upload while its rows stream through."""

    def __init__(self, session: Session, principal: Principal, dataset: Dataset, request: UploadRequest) -> None:
        self.session = session
        self.principal = principal
        self.dataset = dataset
        self.request = request
        self.version: DatasetVersion | None = None
        self.created = self.updated = self.deleted = 0
        self.by_hash: dict[str, deque[int]] = defaultdict(deque)
        self.by_external: dict[str, int] = {}
        self.previous: dict[int, str] = {}
        self.matched: set[int] = set()
        self.memberships: dict[int, tuple[str, ...]] = {}
        self.has_splits = False

    async def load_previous(self) -> None:
        for state in await store.latest_state(self.session, self.dataset.id):
            self.previous[state.example_id] = state.content_hash
            self.by_hash[state.content_hash].append(state.example_id)
            if state.external_id is not None:
                self.by_external[state.external_id] = state.example_id

    async def version_id(self) -> int:
        if self.version is None:
            self.version = DatasetVersion(
                dataset_id=self.dataset.id, description=self.request.description, user_id=self.principal.user_id
            )
            self.session.add(self.version)
            await self.session.flush()
        return self.version.id

    def _match(self, row: UploadRow, digest: str) -> int | None:
        if row.external_id is not None:
            node = parse_typed_global_id(row.external_id, "DatasetExample")
            if node is not None:
                if node > MAX_ROW_ID or node not in self.previous:
                    raise InvalidInput(f"No examples found in this dataset with the following IDs: {row.external_id!r}")
                return node
            found = self.by_external.get(row.external_id)
            return found if found not in self.matched else None
        candidates = self.by_hash.get(digest)
        while candidates:
            example_id = candidates.popleft()
            if example_id not in self.matched:
                return example_id
        return None

    async def write_batch(self, rows: list[UploadRow]) -> None:
        spans = await store.span_rowids(self.session, sorted({r.span_id for r in rows if r.span_id}))
        externals = [
            r.external_id
            for r in rows
            if r.external_id and parse_typed_global_id(r.external_id, "DatasetExample") is None
        ]
        reusable = await store.external_id_rows(self.session, self.dataset.id, externals)
        revisions: list[dict[str, Any]] = []
        new_rows: list[tuple[UploadRow, str]] = []
        for row in rows:
            for value in (row.input, row.output, row.metadata):
                check_json(value)
            digest = content_hash(row.input, row.output, row.metadata)
            example_id = self._match(row, digest)
            if example_id is None and row.external_id in reusable:
                example_id = reusable[row.external_id]
                self.matched.add(example_id)
                revisions.append(self._revision(example_id, row, digest, "CREATE"))
                self.created += 1
            elif example_id is None:
                new_rows.append((row, digest))
                continue
            else:
                self.matched.add(example_id)
                if self.previous.get(example_id) != digest:
                    revisions.append(self._revision(example_id, row, digest, "PATCH"))
                    self.updated += 1
            self._note_splits(example_id, row)
        if new_rows:
            values = [
                {
                    "dataset_id": self.dataset.id,
                    "external_id": row.external_id,
                    "span_rowid": spans.get(row.span_id or ""),
                }
                for row, _ in new_rows
            ]
            for example_id, (row, digest) in zip(
                await store.insert_examples(self.session, values), new_rows, strict=True
            ):
                revisions.append(self._revision(example_id, row, digest, "CREATE"))
                self._note_splits(example_id, row)
            self.created += len(new_rows)
        if revisions:
            version_id = await self.version_id()
            for revision in revisions:
                revision["dataset_version_id"] = version_id
            await store.insert_revisions(self.session, revisions)

    def _revision(self, example_id: int, row: UploadRow, digest: str, kind: str) -> dict[str, Any]:
        return {
            "dataset_example_id": example_id,
            "input": row.input,
            "output": row.output,
            "metadata_": row.metadata,
            "content_hash": digest,
            "revision_kind": kind,
        }

    def _note_splits(self, example_id: int, row: UploadRow) -> None:
        if row.splits is not None:
            self.has_splits = True
            self.memberships[example_id] = row.splits

    async def delete_unmatched(self) -> None:
        gone = [example_id for example_id in self.previous if example_id not in self.matched]
        for start in range(0, len(gone), BATCH_SIZE):
            version_id = await self.version_id()
            revisions = [
                {
                    "dataset_example_id": example_id,
                    "dataset_version_id": version_id,
                    "input": {},
                    "output": {},
                    "metadata_": {},
                    "content_hash": "",
                    "revision_kind": "DELETE",
                }
                for example_id in gone[start : start + BATCH_SIZE]
            ]
            await store.insert_revisions(self.session, revisions)
        self.deleted = len(gone)

    async def write_splits(self) -> None:
        if not self.has_splits:
            return
        names = sorted({name for names in self.memberships.values() for name in names})
        known = await store.splits_by_names(self.session, names)
        for name in names:
            if name not in known:
                split = DatasetSplit(name=name, user_id=self.principal.user_id)
                self.session.add(split)
                known[name] = split
        await flush_or_conflict(self.session, "A dataset split was created concurrently; retry the upload")
        rebuild_all = self.request.action != "append"
        await store.clear_memberships(
            self.session, dataset_id=self.dataset.id, example_ids=None if rebuild_all else list(self.memberships)
        )
        pairs = {(known[n].id, e) for e, names in self.memberships.items() for n in names}
        await store.add_memberships(self.session, pairs)


def _batches(rows: Iterable[UploadRow]) -> Iterator[list[UploadRow]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH_SIZE)):
        yield batch


async def _dataset_for(session: Session, principal: Principal, request: UploadRequest) -> tuple[Dataset, bool]:
    name = request.name
    if not name.strip():
        raise InvalidInput("Dataset name must not be empty")
    if len(name) > MAX_NAME_LENGTH or "\x00" in name:
        raise InvalidInput(f"Dataset name must be at most {MAX_NAME_LENGTH} characters, without NUL characters")
    existing = await store.find_dataset_by_name(session, name, for_update=True)
    if existing is not None:
        if request.action == "create":
            raise Conflict(f'A dataset named "{name}" already exists.')
        return existing, False
    dataset = Dataset(name=name, description=request.description, user_id=principal.user_id)
    session.add(dataset)
    await flush_or_conflict(session, f'A dataset named "{name}" already exists.')
    return dataset, True


async def upload_dataset(session: Session, principal: Principal, request: UploadRequest) -> UploadResult:
    """Create a dataset or add a version to it from the rows of ``request``.

    Raises:
        Conflict: ``create`` and a dataset with that name exists.
        InvalidInput: a bad name, row, file or example id; nothing is written (the caller's
            transaction rolls back).
    """
    require(principal, Action.WRITE)
    dataset, is_new = await _dataset_for(session, principal, request)
    upload = _Upload(session, principal, dataset, request)
    await upload.load_previous()
    for batch in _batches(request.rows):
        await upload.write_batch(batch)
    if request.action == "update":
        await upload.delete_unmatched()
    await upload.write_splits()
    if upload.has_splits and upload.version is None:
        upload.updated += sum(1 for e in upload.memberships if e in upload.previous)
    if upload.version is not None:
        dataset.updated_at = now_utc()
    if is_new or upload.version is not None:
        version_id = await upload.version_id()
    else:
        version_id = await store.latest_version_id(session, dataset.id) or await upload.version_id()
    return UploadResult(dataset.id, version_id, upload.created, upload.updated, upload.deleted)
