"""Experiments side by side: the runs of two or more experiments of one dataset on the same
examples, with their evaluations, in a fixed number of statements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.models import Dataset, Experiment, ExperimentRun, ExperimentRunAnnotation
from pyrewatch.db.session import Session
from pyrewatch.errors import InvalidInput, NotFound
from pyrewatch.ids import MAX_ROW_ID, parse_typed_global_id
from pyrewatch.services.datasets import resolve_dataset
from pyrewatch.services.experiments import summarize
from pyrewatch.store import datasets as dataset_store
from pyrewatch.store import experiments as store
from pyrewatch.store.datasets import VersionedExample
from pyrewatch.store.experiments import RunCounts

__all__ = ["MAX_COMPARED", "PAGE_SIZE", "Comparison", "ComparedExample", "compare_experiments"]

MAX_COMPARED = 8
PAGE_SIZE = 50


@dataclass(frozen=True)
class ComparedExample:
    """One example of the base experiment and, per compared experiment (in order), its runs."""

    example: VersionedExample
    runs: list[list[ExperimentRun]]


@dataclass(frozen=True)
class Comparison:
    dataset: Dataset
    experiments: list[Experiment]
    counts: list[RunCounts]
    examples: list[ComparedExample]
    evaluations: dict[int, list[ExperimentRunAnnotation]] = field(default_factory=dict)
    averages: dict[tuple[int, str], float] = field(default_factory=dict)  # (experiment id, name): mean score
    next_after: int | None = None  # the last example id of this page when more follow


def _experiment_ids(experiment_gids: Sequence[str]) -> list[int]:
    if not experiment_gids:
        raise InvalidInput("Choose at least one experiment (experimentId).")
    if len(experiment_gids) > MAX_COMPARED:
        raise InvalidInput(f"At most {MAX_COMPARED} experiments can be compared at once.")
    ids: list[int] = []
    for gid in experiment_gids:
        row_id = parse_typed_global_id(gid, "Experiment")
        if row_id is None or row_id > MAX_ROW_ID:
            raise InvalidInput(f"Invalid experiment ID: {gid}")
        if row_id not in ids:
            ids.append(row_id)
    return ids


async def compare_experiments(
    session: Session,
    principal: Principal,
    dataset_gid: str,
    experiment_gids: Sequence[str],
    after: int | None = None,
) -> Comparison:
    """The first experiment is the base: its examples (at its dataset version) are the rows, a
    page of ``PAGE_SIZE`` after example id ``after``; averages cover every run.

    Raises:
        InvalidInput: no experiment, too many, or an id that is not an Experiment GlobalID.
        NotFound: the dataset, or an experiment that is not one of this dataset's.
    """
    require(principal, Action.READ)
    dataset = await resolve_dataset(session, dataset_gid)
    ids = _experiment_ids(experiment_gids)
    found = await store.experiments_by_ids(session, ids)
    for row_id, gid in zip(ids, experiment_gids, strict=False):
        if row_id not in found or found[row_id].dataset_id != dataset.id:
            raise NotFound(f"Experiment with ID {gid} does not exist in this dataset")
    experiments = [found[i] for i in ids]
    summaries = await summarize(session, experiments)
    base = experiments[0]
    page = await store.snapshot_page(session, base.id, after=after, limit=PAGE_SIZE)
    example_ids = page[:PAGE_SIZE]
    examples = await dataset_store.examples_at_version(
        session, dataset.id, base.dataset_version_id, example_ids=example_ids
    )
    runs = await store.runs_of_experiments(session, ids, example_ids)
    by_key: dict[tuple[int, int], list[ExperimentRun]] = {}
    for run in runs:
        by_key.setdefault((run.dataset_example_id, run.experiment_id), []).append(run)
    rows = [ComparedExample(e, [by_key.get((e.example.id, i), []) for i in ids]) for e in examples]
    evaluations = await store.annotations_of_runs(session, [run.id for run in runs])
    averages = await store.average_scores(session, ids)
    next_after = example_ids[-1] if len(page) > PAGE_SIZE else None
    counts = [s.counts for s in summaries]
    return Comparison(dataset, experiments, counts, rows, evaluations, averages, next_after)
