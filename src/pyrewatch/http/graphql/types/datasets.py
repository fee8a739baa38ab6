"""``Dataset``, its versions and examples, and its ``Experiment``s with runs, in Phoenix's names."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON

from pyrewatch.auth.policy import Action, NotAllowed
from pyrewatch.db.models import DatasetVersion as DatasetVersionRow
from pyrewatch.db.models import ExperimentRun as ExperimentRunRow
from pyrewatch.db.models import ExperimentRunAnnotation as AnnotationRow
from pyrewatch.db.session import Session
from pyrewatch.http.graphql.calls import call_service
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.errors import GraphQLDenied, deny
from pyrewatch.http.graphql.loaders import Page, PageKey
from pyrewatch.http.graphql.permissions import require
from pyrewatch.http.graphql.types.connection import Connection, as_json, connection, page_args
from pyrewatch.http.graphql.types.node import Node
from pyrewatch.ids import encode_global_id
from pyrewatch.services import datasets as dataset_service
from pyrewatch.services import experiment_runs as run_service
from pyrewatch.services.datasets import DatasetSummary, VersionedExample
from pyrewatch.services.experiment_runs import run_output
from pyrewatch.services.experiments import ExperimentSummary

Info = strawberry.Info[Context, None]
T = TypeVar("T")


async def _page(loader: DataLoader[PageKey, Page[T]], key: PageKey) -> Page[T]:
    """A page of a per-row field, loaded with the same field of every other listed row."""
    try:
        return await loader.load(key)
    except NotAllowed as exc:
        raise deny(exc.denial) from None


@strawberry.type
class DatasetVersion(Node):
    description: str | None
    metadata: JSON
    created_at: datetime

    @classmethod
    def from_row(cls, row: DatasetVersionRow) -> DatasetVersion:
        gid = strawberry.ID(encode_global_id("DatasetVersion", row.id))
        return cls(id=gid, description=row.description, metadata=as_json(row.metadata_), created_at=row.created_at)


@strawberry.type
class DatasetExampleRevision:
    input: JSON
    output: JSON
    metadata: JSON
    revision_kind: str
    created_at: datetime


@strawberry.type
class DatasetExample(Node):
    external_id: str | None
    created_at: datetime
    revision: DatasetExampleRevision
    split_names: list[str]

    @classmethod
    def from_item(cls, item: VersionedExample, splits: list[str]) -> DatasetExample:
        rev = item.revision
        return cls(
            id=strawberry.ID(encode_global_id("DatasetExample", item.example.id)),
            external_id=item.example.external_id,
            created_at=item.example.created_at,
            revision=DatasetExampleRevision(
                input=as_json(rev.input),
                output=as_json(rev.output),
                metadata=as_json(rev.metadata_),
                revision_kind=rev.revision_kind,
                created_at=rev.created_at,
            ),
            split_names=splits,
        )


@strawberry.type
class ExperimentRunAnnotation(Node):
    name: str
    annotator_kind: str
    label: str | None
    score: float | None
    explanation: str | None
    error: str | None
    metadata: JSON
    trace_id: str | None
    start_time: datetime
    end_time: datetime

    @classmethod
    def from_row(cls, row: AnnotationRow) -> ExperimentRunAnnotation:
        return cls(
            id=strawberry.ID(encode_global_id("ExperimentEvaluation", row.id)),
            name=row.name,
            annotator_kind=row.annotator_kind,
            label=row.label,
            score=row.score,
            explanation=row.explanation,
            error=row.error,
            metadata=as_json(row.metadata_),
            trace_id=row.trace_id,
            start_time=row.start_time,
            end_time=row.end_time,
        )


@strawberry.type
class ExperimentRun(Node):
    experiment_id: strawberry.ID
    example_id: strawberry.ID
    repetition_number: int
    output: JSON
    error: str | None
    trace_id: str | None
    start_time: datetime
    end_time: datetime
    annotations: list[ExperimentRunAnnotation]

    @classmethod
    def from_row(cls, row: ExperimentRunRow, annotations: list[AnnotationRow]) -> ExperimentRun:
        output: Any = run_output(row)
        return cls(
            id=strawberry.ID(encode_global_id("ExperimentRun", row.id)),
            experiment_id=strawberry.ID(encode_global_id("Experiment", row.experiment_id)),
            example_id=strawberry.ID(encode_global_id("DatasetExample", row.dataset_example_id)),
            repetition_number=row.repetition_number,
            output=output,
            error=row.error,
            trace_id=row.trace_id,
            start_time=row.start_time,
            end_time=row.end_time,
            annotations=[ExperimentRunAnnotation.from_row(a) for a in annotations],
        )


@strawberry.type
class Experiment(Node):
    name: str
    description: str | None
    metadata: JSON
    repetitions: int
    project_name: str | None
    dataset_id: strawberry.ID
    dataset_version_id: strawberry.ID
    created_at: datetime
    updated_at: datetime
    example_count: int
    run_count: int
    successful_run_count: int
    failed_run_count: int
    missing_run_count: int

    @classmethod
    def from_summary(cls, summary: ExperimentSummary) -> Experiment:
        row, counts = summary.experiment, summary.counts
        return cls(
            id=strawberry.ID(encode_global_id("Experiment", row.id)),
            name=row.name,
            description=row.description,
            metadata=as_json(row.metadata_),
            repetitions=row.repetitions,
            project_name=row.project_name,
            dataset_id=strawberry.ID(encode_global_id("Dataset", row.dataset_id)),
            dataset_version_id=strawberry.ID(encode_global_id("DatasetVersion", row.dataset_version_id)),
            created_at=row.created_at,
            updated_at=row.updated_at,
            example_count=counts.example_count,
            run_count=counts.successful + counts.failed,
            successful_run_count=counts.successful,
            failed_run_count=counts.failed,
            missing_run_count=summary.missing,
        )

    @strawberry.field
    async def runs(self, info: Info, first: int | None = 50, after: str | None = None) -> Connection[ExperimentRun]:
        """Runs with their evaluations, newest first."""
        require(info.context, Action.READ)
        limit, start = page_args(first, after)
        principal = info.context.principal

        async def load(session: Session) -> tuple[list[ExperimentRunRow], int | None, dict[int, list[AnnotationRow]]]:
            rows, next_id = await run_service.list_runs(session, principal, self.id, limit=limit, cursor=start)
            return rows, next_id, await run_service.evaluations_of_runs(session, principal, [r.id for r in rows])

        rows, next_id, annotations = await call_service(info.context, load)
        return connection(
            rows,
            lambda r: r.id,
            lambda r: ExperimentRun.from_row(r, annotations.get(r.id, [])),
            has_next=next_id is not None,
            after=after,
        )


@strawberry.type
class Dataset(Node):
    name: str
    description: str | None
    metadata: JSON
    created_at: datetime
    updated_at: datetime
    example_count: int
    row_id: strawberry.Private[int]

    @classmethod
    def from_summary(cls, summary: DatasetSummary) -> Dataset:
        row = summary.dataset
        return cls(
            id=strawberry.ID(encode_global_id("Dataset", row.id)),
            name=row.name,
            description=row.description,
            metadata=as_json(row.metadata_),
            created_at=row.created_at,
            updated_at=row.updated_at,
            example_count=summary.example_count,
            row_id=row.id,
        )

    @strawberry.field
    async def versions(
        self, info: Info, first: int | None = 50, after: str | None = None
    ) -> Connection[DatasetVersion]:
        """Versions, newest first."""
        require(info.context, Action.READ)
        limit, start = page_args(first, after)
        rows, next_id = await _page(info.context.loaders.dataset_versions, (self.row_id, limit, start))
        return connection(rows, lambda r: r.id, DatasetVersion.from_row, has_next=next_id is not None, after=after)

    @strawberry.field
    async def examples(self, info: Info, dataset_version_id: strawberry.ID | None = None) -> list[DatasetExample]:
        """The examples of a version (the latest by default), by id."""
        require(info.context, Action.READ)
        if dataset_version_id is None:
            # The latest version: loaded for every listed dataset at once.
            try:
                data = await info.context.loaders.latest_examples.load(self.row_id)
            except NotAllowed as exc:
                raise deny(exc.denial) from None
            if data is None:
                raise GraphQLDenied(f"Dataset {self.name!r} has no versions")
            items, splits = data.examples, data.splits
        else:
            principal = info.context.principal
            chosen = await call_service(
                info.context, lambda s: dataset_service.list_examples(s, principal, self.id, dataset_version_id)
            )
            items, splits = chosen.examples, chosen.splits
        return [DatasetExample.from_item(item, [s.name for s in splits.get(item.example.id, [])]) for item in items]

    @strawberry.field
    async def experiments(self, info: Info, first: int | None = 50, after: str | None = None) -> Connection[Experiment]:
        """Experiments over this dataset, newest first."""
        require(info.context, Action.READ)
        limit, start = page_args(first, after)
        rows, next_id = await _page(info.context.loaders.dataset_experiments, (self.row_id, limit, start))
        return connection(
            rows, lambda s: s.experiment.id, Experiment.from_summary, has_next=next_id is not None, after=after
        )
