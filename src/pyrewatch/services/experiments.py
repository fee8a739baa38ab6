"""Experiments: a task run over a snapshot of a dataset version, traced into its own project."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db import effects
from pyrewatch.db.models import Experiment, ExperimentTag
from pyrewatch.db.session import Session
from pyrewatch.errors import InvalidInput, NotFound
from pyrewatch.ids import MAX_ROW_ID, encode_global_id, parse_typed_global_id
from pyrewatch.services.datasets import resolve_dataset, resolve_version
from pyrewatch.services.json_values import check_json
from pyrewatch.store import dataset_splits as split_store
from pyrewatch.store import datasets as dataset_store
from pyrewatch.store import experiments as store
from pyrewatch.store import pages
from pyrewatch.store import projects as project_store
from pyrewatch.store.experiments import RunCounts
from pyrewatch.store.integrity import flush_or_conflict

__all__ = [
    "EXPERIMENT_PROJECT_PREFIX",
    "ExperimentInput",
    "ExperimentSummary",
    "create_experiment",
    "delete_experiment",
    "delete_experiment_tag",
    "experiment_tags",
    "get_experiment",
    "hidden_experiment_projects",
    "list_experiments",
    "resolve_experiment",
    "set_experiment_tag",
    "summarize",
    "update_experiment",
]

MAX_NAME_LENGTH = 255
EXPERIMENT_PROJECT_PREFIX = "Experiment-"
# Experiments whose run counts are read in one pair of queries.
SUMMARY_CHUNK = 1000


@dataclass(frozen=True)
class ExperimentInput:
    name: str | None = None
    description: str | None = None
    metadata: dict[str, Any] | None = None
    version_id: str | None = None
    splits: Sequence[str] = ()
    repetitions: int = 1
    changed: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class ExperimentSummary:
    experiment: Experiment
    counts: RunCounts

    @property
    def missing(self) -> int:
        total = self.counts.example_count * self.experiment.repetitions
        return max(total - self.counts.successful - self.counts.failed, 0)


async def resolve_experiment(session: Session, global_id: str) -> Experiment:
    row_id = parse_typed_global_id(global_id, "Experiment")
    if row_id is None:
        raise InvalidInput(f"Invalid experiment ID: {global_id}")
    experiment = await session.get(Experiment, row_id) if row_id <= MAX_ROW_ID else None
    if experiment is None:
        raise NotFound(f"Experiment with ID {global_id} does not exist")
    return experiment


async def summarize(session: Session, experiments: list[Experiment]) -> list[ExperimentSummary]:
    counts = await store.run_counts(session, [e.id for e in experiments])
    return [ExperimentSummary(e, counts[e.id]) for e in experiments]


def _default_name(dataset_name: str) -> str:
    return f"{dataset_name[:8].replace(' ', '-')}-{secrets.token_hex(4)}"


async def create_experiment(
    session: Session, principal: Principal, dataset_gid: str, data: ExperimentInput
) -> ExperimentSummary:
    """Pin a dataset version, snapshot its examples (optionally some splits), and make the
    tracing project the runs' spans go to."""
    require(principal, Action.WRITE)
    dataset = await resolve_dataset(session, dataset_gid)
    if data.repetitions < 1:
        raise InvalidInput("repetitions must be at least 1")
    check_json(data.metadata or {})
    version_id = await resolve_version(session, dataset, data.version_id)
    split_ids = None
    if data.splits:
        splits = await split_store.resolve_splits(session, list(data.splits))
        if not splits:
            raise NotFound(f"Dataset splits not found: {', '.join(data.splits)}")
        split_ids = [s.id for s in splits]
    examples = await dataset_store.examples_at_version(session, dataset.id, version_id, split_ids=split_ids)
    project_name = f"{EXPERIMENT_PROJECT_PREFIX}{secrets.token_hex(12)}"
    description = (
        f"dataset_id: {encode_global_id('Dataset', dataset.id)}\n"
        f"dataset_version_id: {encode_global_id('DatasetVersion', version_id)}"
    )
    await project_store.insert_project(session, name=project_name, description=description)
    effects.projects_changed(session)
    experiment = Experiment(
        dataset_id=dataset.id,
        dataset_version_id=version_id,
        name=(data.name or _default_name(dataset.name))[:MAX_NAME_LENGTH],
        description=data.description,
        repetitions=data.repetitions,
        metadata_=data.metadata or {},
        project_name=project_name,
        user_id=principal.user_id,
    )
    session.add(experiment)
    await session.flush()
    await store.add_snapshot(session, experiment.id, [e.example.id for e in examples])
    return ExperimentSummary(experiment, RunCounts(len(examples), 0, 0))


async def list_experiments(
    session: Session, principal: Principal, dataset_gid: str, *, limit: int, cursor: int | None
) -> tuple[list[ExperimentSummary], int | None]:
    require(principal, Action.READ)
    dataset = await resolve_dataset(session, dataset_gid)
    rows = await store.list_experiments_page(session, dataset.id, limit=limit, cursor=cursor)
    return await summarize(session, rows[:limit]), (rows[limit].id if len(rows) > limit else None)


async def experiments_of_datasets(
    session: Session, principal: Principal, dataset_ids: Sequence[int], *, limit: int, cursor: int | None
) -> dict[int, tuple[list[ExperimentSummary], int | None]]:
    """A page of experiments (newest first) of each of many datasets, by row id, with their run
    counts: a fixed number of queries however many datasets are asked about."""
    require(principal, Action.READ)
    found = await pages.pages_by_parent(
        session, Experiment, Experiment.dataset_id, dataset_ids, limit=limit, cursor=cursor
    )
    split = {dataset_id: pages.split_page(rows, limit) for dataset_id, rows in found.items()}
    listed = [experiment for rows, _ in split.values() for experiment in rows]
    summaries: dict[int, ExperimentSummary] = {}
    for start in range(0, len(listed), SUMMARY_CHUNK):
        for summary in await summarize(session, listed[start : start + SUMMARY_CHUNK]):
            summaries[summary.experiment.id] = summary
    return {dataset_id: ([summaries[e.id] for e in rows], next_id) for dataset_id, (rows, next_id) in split.items()}


async def get_experiment(session: Session, principal: Principal, experiment_gid: str) -> ExperimentSummary:
    require(principal, Action.READ)
    return (await summarize(session, [await resolve_experiment(session, experiment_gid)]))[0]


async def update_experiment(
    session: Session, principal: Principal, experiment_gid: str, data: ExperimentInput
) -> ExperimentSummary:
    require(principal, Action.WRITE)
    experiment = await resolve_experiment(session, experiment_gid)
    if data.name is not None:
        if not data.name.strip() or len(data.name) > MAX_NAME_LENGTH:
            raise InvalidInput(f"Experiment name must be 1 to {MAX_NAME_LENGTH} characters")
        experiment.name = data.name
    if "description" in data.changed:
        experiment.description = data.description
    if data.metadata is not None:
        check_json(data.metadata)
        experiment.metadata_ = data.metadata
    await session.flush()
    return (await summarize(session, [experiment]))[0]


async def delete_experiment(
    session: Session, principal: Principal, experiment_gid: str, *, delete_project: bool
) -> bool:
    """Delete an experiment with its runs and evaluations; its project only when asked.

    Returns whether a project was deleted (projects are cached by the transports)."""
    require(principal, Action.WRITE)
    experiment = await resolve_experiment(session, experiment_gid)
    project = None
    if delete_project and experiment.project_name:
        project = await project_store.find_project_by_name(session, experiment.project_name)
    await store.delete_experiment(session, experiment.id)
    if project is not None:
        await project_store.delete_project(session, project.id)
        effects.projects_changed(session)
    return project is not None


async def experiment_tags(session: Session, principal: Principal, experiment_gid: str) -> list[ExperimentTag]:
    require(principal, Action.READ)
    experiment = await resolve_experiment(session, experiment_gid)
    return await store.tags_of_experiment(session, experiment.id)


async def set_experiment_tag(
    session: Session, principal: Principal, experiment_gid: str, *, name: str, description: str | None
) -> ExperimentTag:
    """Point the dataset's tag ``name`` at this experiment (moving it from another one)."""
    require(principal, Action.WRITE)
    experiment = await resolve_experiment(session, experiment_gid)
    tag = await store.find_tag(session, experiment.dataset_id, name)
    if tag is None:
        tag = ExperimentTag(dataset_id=experiment.dataset_id, name=name)
        session.add(tag)
    tag.experiment_id = experiment.id
    tag.description = description
    tag.user_id = principal.user_id
    await flush_or_conflict(session, f"Tag {name!r} was set concurrently; retry")
    return tag


async def delete_experiment_tag(session: Session, principal: Principal, experiment_gid: str, tag: str) -> None:
    """Remove a tag (by GlobalID or name) if this experiment owns it; otherwise nothing happens."""
    require(principal, Action.WRITE)
    experiment = await resolve_experiment(session, experiment_gid)
    tag_id = parse_typed_global_id(tag, "ExperimentTag")
    for owned in await store.tags_of_experiment(session, experiment.id):
        if owned.id == tag_id or owned.name == tag:
            await session.delete(owned)
    await session.flush()


async def hidden_experiment_projects(session: Session, principal: Principal, names: list[str]) -> set[str]:
    """Which of these project names belong to experiments (hidden from project lists by default)."""
    require(principal, Action.READ)
    return await store.experiment_project_names(session, names)
