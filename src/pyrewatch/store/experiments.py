"""Experiments, their example snapshots, runs, evaluations and tags."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, delete, func, insert, select

from pyrewatch.db.models import (
    Experiment,
    ExperimentExample,
    ExperimentRun,
    ExperimentRunAnnotation,
    ExperimentTag,
    Span,
    Trace,
)
from pyrewatch.db.session import Session

__all__ = [
    "RunCounts",
    "add_snapshot",
    "annotations_of_runs",
    "delete_experiment",
    "delete_run_annotations",
    "experiment_project_names",
    "experiments_by_ids",
    "find_annotation",
    "find_run",
    "find_tag",
    "list_experiments_page",
    "list_runs_page",
    "run_counts",
    "runs_of_experiments",
    "average_scores",
    "snapshot_page",
    "snapshot_example_ids",
    "tags_of_experiment",
    "token_counts_by_trace",
]


@dataclass(frozen=True)
class RunCounts:
    example_count: int
    successful: int
    failed: int


async def list_experiments_page(
    session: Session, dataset_id: int, *, limit: int, cursor: int | None
) -> list[Experiment]:
    stmt = select(Experiment).where(Experiment.dataset_id == dataset_id).order_by(Experiment.id.desc()).limit(limit + 1)
    if cursor is not None:
        stmt = stmt.where(Experiment.id <= cursor)
    return list((await session.execute(stmt)).scalars())


async def add_snapshot(session: Session, experiment_id: int, example_ids: list[int]) -> None:
    rows = [{"experiment_id": experiment_id, "dataset_example_id": e} for e in example_ids]
    for start in range(0, len(rows), 5000):
        await session.execute(insert(ExperimentExample), rows[start : start + 5000])


async def snapshot_example_ids(session: Session, experiment_id: int) -> list[int]:
    stmt = (
        select(ExperimentExample.dataset_example_id)
        .where(ExperimentExample.experiment_id == experiment_id)
        .order_by(ExperimentExample.dataset_example_id)
    )
    return [int(i) for i in (await session.execute(stmt)).scalars()]


async def run_counts(session: Session, experiment_ids: list[int]) -> dict[int, RunCounts]:
    """Snapshot size and successful/failed run counts of many experiments in two queries."""
    counts = {eid: [0, 0, 0] for eid in experiment_ids}
    if not experiment_ids:
        return {}
    examples = (
        select(ExperimentExample.experiment_id, func.count())
        .where(ExperimentExample.experiment_id.in_(experiment_ids))
        .group_by(ExperimentExample.experiment_id)
    )
    for eid, n in (await session.execute(examples)).all():
        counts[int(eid)][0] = int(n)
    failed = func.sum(case((ExperimentRun.error.is_not(None), 1), else_=0))
    runs = (
        select(ExperimentRun.experiment_id, func.count(), failed)
        .where(ExperimentRun.experiment_id.in_(experiment_ids))
        .group_by(ExperimentRun.experiment_id)
    )
    for eid, total, n_failed in (await session.execute(runs)).all():
        counts[int(eid)][1] = int(total) - int(n_failed or 0)
        counts[int(eid)][2] = int(n_failed or 0)
    return {eid: RunCounts(*values) for eid, values in counts.items()}


async def delete_experiment(session: Session, experiment_id: int) -> None:
    await session.execute(delete(Experiment).where(Experiment.id == experiment_id))


async def find_run(session: Session, experiment_id: int, example_id: int, repetition: int) -> ExperimentRun | None:
    stmt = select(ExperimentRun).where(
        ExperimentRun.experiment_id == experiment_id,
        ExperimentRun.dataset_example_id == example_id,
        ExperimentRun.repetition_number == repetition,
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_runs_page(
    session: Session, experiment_id: int, *, limit: int | None, cursor: int | None, ascending: bool = False
) -> list[ExperimentRun]:
    """Runs newest first (or oldest first), from ``cursor`` inclusive; ``limit + 1`` when limited."""
    order = ExperimentRun.id.asc() if ascending else ExperimentRun.id.desc()
    stmt = select(ExperimentRun).where(ExperimentRun.experiment_id == experiment_id).order_by(order)
    if cursor is not None:
        stmt = stmt.where(ExperimentRun.id >= cursor if ascending else ExperimentRun.id <= cursor)
    if limit is not None:
        stmt = stmt.limit(limit + 1)
    return list((await session.execute(stmt)).scalars())


async def delete_run_annotations(session: Session, run_id: int, *, keep_human: bool) -> None:
    stmt = delete(ExperimentRunAnnotation).where(ExperimentRunAnnotation.experiment_run_id == run_id)
    if keep_human:
        stmt = stmt.where(ExperimentRunAnnotation.annotator_kind != "HUMAN")
    await session.execute(stmt)


async def find_annotation(session: Session, run_id: int, name: str) -> ExperimentRunAnnotation | None:
    stmt = select(ExperimentRunAnnotation).where(
        ExperimentRunAnnotation.experiment_run_id == run_id, ExperimentRunAnnotation.name == name
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def annotations_of_runs(session: Session, run_ids: list[int]) -> dict[int, list[ExperimentRunAnnotation]]:
    result: dict[int, list[ExperimentRunAnnotation]] = {rid: [] for rid in run_ids}
    for start in range(0, len(run_ids), 5000):
        chunk = run_ids[start : start + 5000]
        stmt = (
            select(ExperimentRunAnnotation)
            .where(ExperimentRunAnnotation.experiment_run_id.in_(chunk))
            .order_by(ExperimentRunAnnotation.id)
        )
        for row in (await session.execute(stmt)).scalars():
            result[row.experiment_run_id].append(row)
    return result


async def find_tag(session: Session, dataset_id: int, name: str) -> ExperimentTag | None:
    stmt = select(ExperimentTag).where(ExperimentTag.dataset_id == dataset_id, ExperimentTag.name == name)
    return (await session.execute(stmt)).scalar_one_or_none()


async def tags_of_experiment(session: Session, experiment_id: int) -> list[ExperimentTag]:
    stmt = select(ExperimentTag).where(ExperimentTag.experiment_id == experiment_id).order_by(ExperimentTag.id)
    return list((await session.execute(stmt)).scalars())


async def experiment_project_names(session: Session, names: list[str]) -> set[str]:
    """Which of ``names`` are projects of experiments."""
    if not names:
        return set()
    stmt = select(Experiment.project_name).where(Experiment.project_name.in_(names)).distinct()
    return {str(n) for n in (await session.execute(stmt)).scalars()}


async def token_counts_by_trace(session: Session, trace_ids: list[str]) -> dict[str, tuple[int, int]]:
    """(prompt, completion) LLM token totals of each stored trace."""
    result: dict[str, tuple[int, int]] = {}
    for start in range(0, len(trace_ids), 5000):
        chunk = trace_ids[start : start + 5000]
        stmt = (
            select(
                Trace.trace_id,
                func.coalesce(func.sum(Span.llm_token_count_prompt), 0),
                func.coalesce(func.sum(Span.llm_token_count_completion), 0),
            )
            .join(Span, Span.trace_rowid == Trace.id)
            .where(Trace.trace_id.in_(chunk))
            .group_by(Trace.trace_id)
        )
        for trace_id, prompt, completion in (await session.execute(stmt)).all():
            result[str(trace_id)] = (int(prompt or 0), int(completion or 0))
    return result


async def experiments_by_ids(session: Session, experiment_ids: list[int]) -> dict[int, Experiment]:
    if not experiment_ids:
        return {}
    stmt = select(Experiment).where(Experiment.id.in_(experiment_ids))
    return {row.id: row for row in (await session.execute(stmt)).scalars()}


async def runs_of_experiments(
    session: Session, experiment_ids: list[int], example_ids: list[int]
) -> list[ExperimentRun]:
    """The runs of the given experiments on the given examples, by example, then repetition."""
    if not experiment_ids or not example_ids:
        return []
    stmt = (
        select(ExperimentRun)
        .where(ExperimentRun.experiment_id.in_(experiment_ids), ExperimentRun.dataset_example_id.in_(example_ids))
        .order_by(ExperimentRun.dataset_example_id, ExperimentRun.repetition_number, ExperimentRun.id)
    )
    return list((await session.execute(stmt)).scalars())


async def snapshot_page(session: Session, experiment_id: int, *, after: int | None, limit: int) -> list[int]:
    """Up to ``limit + 1`` example ids of an experiment's snapshot, in order, after ``after``."""
    stmt = select(ExperimentExample.dataset_example_id).where(ExperimentExample.experiment_id == experiment_id)
    if after is not None:
        stmt = stmt.where(ExperimentExample.dataset_example_id > after)
    stmt = stmt.order_by(ExperimentExample.dataset_example_id).limit(limit + 1)
    return [int(i) for i in (await session.execute(stmt)).scalars()]


async def average_scores(session: Session, experiment_ids: list[int]) -> dict[tuple[int, str], float]:
    """Each experiment's mean score per evaluation name, over all its runs (one statement)."""
    if not experiment_ids:
        return {}
    stmt = (
        select(ExperimentRun.experiment_id, ExperimentRunAnnotation.name, func.avg(ExperimentRunAnnotation.score))
        .join(ExperimentRun, ExperimentRun.id == ExperimentRunAnnotation.experiment_run_id)
        .where(ExperimentRun.experiment_id.in_(experiment_ids), ExperimentRunAnnotation.score.is_not(None))
        .group_by(ExperimentRun.experiment_id, ExperimentRunAnnotation.name)
    )
    return {(int(e), str(n)): float(v) for e, n, v in (await session.execute(stmt)).all() if v is not None}
