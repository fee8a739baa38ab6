"""Annotation configs: categorical, continuous and freeform; global, and assigned to projects.

An annotation whose name is the name of a config must fit it: a categorical config's labels, a
continuous config's bounds. Freeform configs accept anything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.models import AnnotationConfig
from pyrewatch.db.session import Session
from pyrewatch.errors import InvalidInput, NotFound
from pyrewatch.ids import MAX_ROW_ID, decode_global_id
from pyrewatch.services.projects import resolve_project, validate_text
from pyrewatch.store import annotation_configs as store

__all__ = [
    "CONFIG_TYPES",
    "ConfigInput",
    "assign_config",
    "check_annotations",
    "create_config",
    "delete_config",
    "get_config",
    "global_type_name",
    "list_configs",
    "list_project_configs",
    "set_project_configs",
    "unassign_config",
    "update_config",
]

CONFIG_TYPES = ("CATEGORICAL", "CONTINUOUS", "FREEFORM")
DIRECTIONS = ("MINIMIZE", "MAXIMIZE", "NONE")
MAX_VALUES = 1000


@dataclass(frozen=True)
class ConfigInput:
    type: str
    name: str
    description: str | None = None
    optimization_direction: str | None = None
    values: Sequence[tuple[str, float | None]] = ()  # categorical (label, score)
    lower_bound: float | None = None
    upper_bound: float | None = None
    threshold: float | None = None


def global_type_name(config_type: str) -> str:
    """The GlobalID type of a config, by its kind (``CategoricalAnnotationConfig``...)."""
    return f"{config_type.title()}AnnotationConfig"


def _finite(value: float | None, what: str) -> None:
    if value is not None and not math.isfinite(value):
        raise InvalidInput(f"{what} must be a finite number")


def _categories(values: Sequence[tuple[str, float | None]]) -> list[dict[str, Any]]:
    labels = [label for label, _ in values]
    if not labels or len(labels) > MAX_VALUES:
        raise InvalidInput(f"A categorical config needs 1 to {MAX_VALUES} values")
    if any(not label.strip() for label in labels) or len(set(labels)) != len(labels):
        raise InvalidInput("Categorical labels must be non-empty and distinct")
    for label, score in values:
        validate_text(label, "Label", 1000)
        _finite(score, "Score")
    return [{"label": label, "score": score} for label, score in values]


def _config_json(data: ConfigInput) -> dict[str, Any]:
    if not data.name.strip():
        raise InvalidInput("Annotation config name cannot be empty")
    validate_text(data.name, "Annotation config name", 255)
    if data.name == "note":
        raise InvalidInput("The name 'note' is reserved for notes")
    if data.description is not None:
        validate_text(data.description, "Description", 10_000)
    if data.optimization_direction is not None and data.optimization_direction not in DIRECTIONS:
        raise InvalidInput(f"optimization_direction must be one of {', '.join(DIRECTIONS)}")
    config: dict[str, Any] = {
        "type": data.type,
        "description": data.description,
        "optimization_direction": data.optimization_direction or "NONE",
    }
    for value, what in ((data.lower_bound, "lower_bound"), (data.upper_bound, "upper_bound")):
        _finite(value, what)
    if data.lower_bound is not None and data.upper_bound is not None and data.lower_bound > data.upper_bound:
        raise InvalidInput("lower_bound must not exceed upper_bound")
    if data.type == "CATEGORICAL":
        config["values"] = _categories(data.values)
    elif data.type == "CONTINUOUS":
        config.update(lower_bound=data.lower_bound, upper_bound=data.upper_bound)
    elif data.type == "FREEFORM":
        _finite(data.threshold, "threshold")
        config.update(lower_bound=data.lower_bound, upper_bound=data.upper_bound, threshold=data.threshold)
    else:
        raise InvalidInput(f"type must be one of {', '.join(CONFIG_TYPES)}")
    return config


async def _find(session: Session, identifier: str) -> AnnotationConfig:
    decoded = decode_global_id(identifier)
    row = None
    if decoded is not None and decoded[0] in {global_type_name(t) for t in CONFIG_TYPES}:
        row = await store.find_config(session, decoded[1]) if decoded[1] <= MAX_ROW_ID else None
        if row is not None and global_type_name(row.config.get("type", "")) != decoded[0]:
            row = None
    elif "\x00" not in identifier and len(identifier) <= 255:
        row = await store.find_config_by_name(session, identifier)
    if row is None:
        raise NotFound(f"Annotation config with ID {identifier} not found")
    return row


async def list_configs(
    session: Session, principal: Principal, *, limit: int, cursor: int | None
) -> tuple[list[AnnotationConfig], int | None]:
    require(principal, Action.READ)
    rows = await store.list_configs(session, limit=limit, cursor=cursor)
    return rows[:limit], rows[limit].id if len(rows) > limit else None


async def get_config(session: Session, principal: Principal, identifier: str) -> AnnotationConfig:
    """A config by GlobalID or name. Raises ``NotFound``."""
    require(principal, Action.READ)
    return await _find(session, identifier)


async def create_config(session: Session, principal: Principal, data: ConfigInput) -> AnnotationConfig:
    """Raises ``InvalidInput`` for a malformed config and ``Conflict`` for a taken name."""
    require(principal, Action.WRITE)
    return await store.insert_config(session, data.name, _config_json(data))


async def update_config(session: Session, principal: Principal, identifier: str, data: ConfigInput) -> AnnotationConfig:
    """Replace a config (its kind may change). Raises ``NotFound``, ``InvalidInput``, ``Conflict``."""
    require(principal, Action.WRITE)
    row = await _find(session, identifier)
    await store.update_config(session, row, data.name, _config_json(data))
    return row


async def delete_config(session: Session, principal: Principal, identifier: str) -> AnnotationConfig:
    """Delete a config (and its project assignments); return what was deleted."""
    require(principal, Action.WRITE)
    row = await _find(session, identifier)
    await store.delete_config(session, row.id)
    return row


async def list_project_configs(
    session: Session, principal: Principal, project_identifier: str, *, limit: int, cursor: int | None
) -> tuple[list[AnnotationConfig], int | None]:
    require(principal, Action.READ)
    project = await resolve_project(session, project_identifier, principal)
    rows = await store.list_project_configs(session, project.id, limit=limit, cursor=cursor)
    return rows[:limit], rows[limit].id if len(rows) > limit else None


async def set_project_configs(
    session: Session, principal: Principal, project_identifier: str, identifiers: Sequence[str]
) -> list[AnnotationConfig]:
    """Make exactly these configs the project's; return them. Raises ``NotFound`` for unknown ones."""
    require(principal, Action.WRITE)
    if len(identifiers) > MAX_VALUES:
        raise InvalidInput(f"At most {MAX_VALUES} annotation configs may be assigned")
    project = await resolve_project(session, project_identifier, principal)
    rows = [await _find(session, identifier) for identifier in identifiers]
    await store.set_project_configs(session, project.id, [row.id for row in rows])
    return rows


async def assign_config(
    session: Session, principal: Principal, project_identifier: str, identifier: str
) -> AnnotationConfig:
    require(principal, Action.WRITE)
    project = await resolve_project(session, project_identifier, principal)
    row = await _find(session, identifier)
    await store.assign_config(session, project.id, row.id)
    return row


async def unassign_config(session: Session, principal: Principal, project_identifier: str, identifier: str) -> None:
    """Raises ``NotFound`` when the config is not assigned to the project."""
    require(principal, Action.WRITE)
    project = await resolve_project(session, project_identifier, principal)
    row = await _find(session, identifier)
    if not await store.unassign_config(session, project.id, row.id):
        raise NotFound(f"Annotation config {identifier} is not assigned to project {project_identifier}")


def _problem(config: dict[str, Any], label: str | None, score: float | None) -> str | None:
    kind = config.get("type")
    if kind == "CATEGORICAL":
        labels = [value.get("label") for value in config.get("values", [])]
        if label is None or label not in labels:
            return f"label {label!r} is not one of {', '.join(map(str, labels))}"
    if kind == "CONTINUOUS":
        low, high = config.get("lower_bound"), config.get("upper_bound")
        if score is None:
            return "a score is required"
        if (low is not None and score < low) or (high is not None and score > high):
            return f"score {score} is outside [{'-inf' if low is None else low}, {'inf' if high is None else high}]"
    return None


async def check_annotations(session: Session, items: Sequence[tuple[str, str | None, float | None]]) -> None:
    """Refuse annotations (name, label, score) that do not fit the config of their name.

    Raises:
        InvalidInput: with the annotation's name and what does not fit.
    """
    configs = await store.configs_by_names(session, sorted({name for name, _, _ in items}))
    for name, label, score in items:
        config = configs.get(name)
        problem = None if config is None else _problem(config.config, label, score)
        if problem is not None:
            raise InvalidInput(f"Annotation {name!r} does not fit its annotation config: {problem}")
