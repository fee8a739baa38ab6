"""Experiment runs and their evaluations, what still needs work, and exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.clock import ensure_utc
from pyrewatch.db.models import Experiment, ExperimentRun, ExperimentRunAnnotation
from pyrewatch.db.session import Session
from pyrewatch.errors import Conflict, InvalidInput, NotFound
from pyrewatch.ids import MAX_ROW_ID, encode_global_id, parse_typed_global_id
from pyrewatch.services.experiments import resolve_experiment
from pyrewatch.services.json_values import check_json
from pyrewatch.store import datasets as dataset_store
from pyrewatch.store import experiments as store
from pyrewatch.store.datasets import VersionedExample
from pyrewatch.store.integrity import flush_or_conflict

__all__ = [
    "EvaluationInput",
    "IncompleteEvaluation",
    "IncompleteRun",
    "RunInput",
    "create_run",
    "evaluations_of_runs",
    "incomplete_evaluations",
    "incomplete_runs",
    "list_runs",
    "run_report",
    "upsert_evaluation",
]

OUTPUT_KEY = "task_output"


@dataclass(frozen=True)
class RunInput:
    dataset_example_id: str
    output: Any
    repetition_number: int
    start_time: datetime
    end_time: datetime
    trace_id: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class EvaluationInput:
    experiment_run_id: str
    name: str
    annotator_kind: str
    start_time: datetime
    end_time: datetime
    label: str | None = None
    score: float | None = None
    explanation: str | None = None
    error: str | None = None
    metadata: dict[str, Any] | None = None
    trace_id: str | None = None


@dataclass(frozen=True)
class IncompleteRun:
    example: VersionedExample
    repetitions: list[int]


@dataclass(frozen=True)
class IncompleteEvaluation:
    run: ExperimentRun
    example: VersionedExample
    names: list[str]


def run_output(run: ExperimentRun) -> Any:
    return run.output.get(OUTPUT_KEY)


async def create_run(session: Session, principal: Principal, experiment_gid: str, data: RunInput) -> ExperimentRun:
    """Record a task run. A failed run is replaced in place (same id) and its non-human
    evaluations dropped; a successful one cannot be replaced (409)."""
    require(principal, Action.WRITE)
    experiment = await resolve_experiment(session, experiment_gid)
    example_id = parse_typed_global_id(data.dataset_example_id, "DatasetExample")
    if example_id is None or example_id > MAX_ROW_ID:
        raise NotFound(f"DatasetExample with ID {data.dataset_example_id} does not exist")
    if data.repetition_number < 1:
        raise InvalidInput("repetition_number must be at least 1")
    check_json(data.output)
    if data.error is not None and "\x00" in data.error:
        raise InvalidInput("error must not contain NUL characters")
    known = await dataset_store.examples_at_version(
        session, experiment.dataset_id, experiment.dataset_version_id, example_ids=[example_id]
    )
    if not known:
        raise NotFound(f"DatasetExample with ID {data.dataset_example_id} does not exist")
    run = await store.find_run(session, experiment.id, example_id, data.repetition_number)
    if run is not None and run.error is None:
        raise Conflict(
            f"Experiment run {encode_global_id('ExperimentRun', run.id)} already exists with a successful "
            "result and cannot be updated"
        )
    if run is None:
        run = ExperimentRun(
            experiment_id=experiment.id, dataset_example_id=example_id, repetition_number=data.repetition_number
        )
        session.add(run)
    else:
        await store.delete_run_annotations(session, run.id, keep_human=True)
    run.output = {OUTPUT_KEY: data.output}
    run.start_time = ensure_utc(data.start_time)
    run.end_time = ensure_utc(data.end_time)
    run.trace_id = data.trace_id
    run.error = data.error
    run.user_id = principal.user_id
    await flush_or_conflict(session, "Experiment run was recorded concurrently and cannot be updated")
    return run


async def list_runs(
    session: Session, principal: Principal, experiment_gid: str, *, limit: int | None, cursor: int | None
) -> tuple[list[ExperimentRun], int | None]:
    """Runs newest first; every run when ``limit`` is None."""
    require(principal, Action.READ)
    experiment = await resolve_experiment(session, experiment_gid)
    rows = await store.list_runs_page(session, experiment.id, limit=limit, cursor=cursor)
    if limit is None or len(rows) <= limit:
        return rows, None
    return rows[:limit], rows[limit].id


async def _examples(session: Session, experiment: Experiment, ids: list[int]) -> dict[int, VersionedExample]:
    found = await dataset_store.examples_at_version(
        session, experiment.dataset_id, experiment.dataset_version_id, example_ids=ids
    )
    return {item.example.id: item for item in found}


async def incomplete_runs(
    session: Session, principal: Principal, experiment_gid: str, *, limit: int, cursor: int | None
) -> tuple[list[IncompleteRun], int | None]:
    """Snapshot examples (by id) with repetitions that have no run or a failed one."""
    require(principal, Action.READ)
    experiment = await resolve_experiment(session, experiment_gid)
    done = {
        (run.dataset_example_id, run.repetition_number)
        for run in await store.list_runs_page(session, experiment.id, limit=None, cursor=None)
        if run.error is None
    }
    pending: list[tuple[int, list[int]]] = []
    next_id = None
    for example_id in await store.snapshot_example_ids(session, experiment.id):
        if cursor is not None and example_id < cursor:
            continue
        missing = [r for r in range(1, experiment.repetitions + 1) if (example_id, r) not in done]
        if not missing:
            continue
        if len(pending) == limit:
            next_id = example_id
            break
        pending.append((example_id, missing))
    examples = await _examples(session, experiment, [e for e, _ in pending])
    return [IncompleteRun(examples[e], reps) for e, reps in pending if e in examples], next_id


async def incomplete_evaluations(
    session: Session,
    principal: Principal,
    experiment_gid: str,
    names: list[str],
    *,
    limit: int,
    cursor: int | None,
) -> tuple[list[IncompleteEvaluation], int | None]:
    """Successful runs (oldest first) lacking a successful evaluation of some of ``names``."""
    require(principal, Action.READ)
    experiment = await resolve_experiment(session, experiment_gid)
    runs = [
        r
        for r in await store.list_runs_page(session, experiment.id, limit=None, cursor=cursor, ascending=True)
        if r.error is None
    ]
    annotations = await store.annotations_of_runs(session, [r.id for r in runs])
    pending: list[tuple[ExperimentRun, list[str]]] = []
    next_id = None
    for run in runs:
        complete = {a.name for a in annotations[run.id] if a.error is None}
        missing = sorted(set(names) - complete)
        if not missing:
            continue
        if len(pending) == limit:
            next_id = run.id
            break
        pending.append((run, missing))
    examples = await _examples(session, experiment, sorted({r.dataset_example_id for r, _ in pending}))
    items = [
        IncompleteEvaluation(run, examples[run.dataset_example_id], missing)
        for run, missing in pending
        if run.dataset_example_id in examples
    ]
    return items, next_id


async def upsert_evaluation(session: Session, principal: Principal, data: EvaluationInput) -> ExperimentRunAnnotation:
    """Store an evaluation of a run; a second one with the same name replaces the first."""
    require(principal, Action.WRITE)
    run_id = parse_typed_global_id(data.experiment_run_id, "ExperimentRun")
    run = await session.get(ExperimentRun, run_id) if run_id is not None and run_id <= MAX_ROW_ID else None
    if run is None:
        raise NotFound(f"ExperimentRun with ID {data.experiment_run_id} does not exist")
    if not data.name.strip() or len(data.name) > 255:
        raise InvalidInput("Evaluation name must be 1 to 255 characters")
    check_json([data.name, data.label, data.explanation, data.error, data.metadata or {}, data.score])
    annotation = await store.find_annotation(session, run.id, data.name)
    if annotation is None:
        annotation = ExperimentRunAnnotation(experiment_run_id=run.id, name=data.name)
        session.add(annotation)
    annotation.annotator_kind = data.annotator_kind
    annotation.label = data.label
    annotation.score = data.score
    annotation.explanation = data.explanation
    annotation.error = data.error
    annotation.metadata_ = data.metadata or {}
    annotation.trace_id = data.trace_id
    annotation.start_time = ensure_utc(data.start_time)
    annotation.end_time = ensure_utc(data.end_time)
    annotation.user_id = principal.user_id
    await flush_or_conflict(session, f"Evaluation {data.name!r} was recorded concurrently; retry")
    return annotation


@dataclass(frozen=True)
class RunReport:
    experiment: Experiment
    runs: list[ExperimentRun]
    examples: dict[int, VersionedExample]
    annotations: dict[int, list[ExperimentRunAnnotation]]
    tokens: dict[str, tuple[int, int]]


async def run_report(session: Session, principal: Principal, experiment_gid: str) -> RunReport:
    """Every run with its example and evaluations, for the JSON and CSV exports."""
    require(principal, Action.READ)
    experiment = await resolve_experiment(session, experiment_gid)
    runs = await store.list_runs_page(session, experiment.id, limit=None, cursor=None, ascending=True)
    if not runs:
        raise NotFound("Experiment has no runs")
    examples = await _examples(session, experiment, sorted({r.dataset_example_id for r in runs}))
    annotations = await store.annotations_of_runs(session, [r.id for r in runs])
    # Token counts come from the run's trace when its spans are stored.
    tokens = await store.token_counts_by_trace(session, sorted({r.trace_id for r in runs if r.trace_id}))
    return RunReport(experiment, runs, examples, annotations, tokens)


async def evaluations_of_runs(
    session: Session, principal: Principal, run_ids: list[int]
) -> dict[int, list[ExperimentRunAnnotation]]:
    """The evaluations of many runs in one query."""
    require(principal, Action.READ)
    return await store.annotations_of_runs(session, run_ids)
