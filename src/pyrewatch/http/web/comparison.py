"""View models of the experiment pages: an experiment's runs with evaluations, and several
experiments side by side with a word diff of outputs against the base and score deltas."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyrewatch.db.models import ExperimentRun, ExperimentRunAnnotation
from pyrewatch.ids import encode_global_id
from pyrewatch.services.experiment_comparison import Comparison
from pyrewatch.services.experiment_runs import run_output

MAX_DIFF_CHARS = 20_000
_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Cell:
    """One experiment's result on one example (its first repetition, with a count of others)."""

    text: str | None
    error: str | None
    latency_ms: float | None
    repetitions: int
    evaluations: list[dict[str, Any]]
    diff: list[tuple[str, str]] | None  # (op, text) against the base; None for the base
    differs: bool


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Segments ``("same" | "del" | "ins", text)`` turning ``before`` into ``after``, word by word."""
    if len(before) + len(after) > MAX_DIFF_CHARS:
        return [("del", before), ("ins", after)] if before != after else [("same", after)]
    a, b = _WORDS.findall(before), _WORDS.findall(after)
    segments: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(("ins", "".join(b[j1:j2])))
    return segments


def _score_map(evaluations: Sequence[ExperimentRunAnnotation]) -> dict[str, float]:
    return {e.name: e.score for e in evaluations if e.score is not None}


def _evaluations(evaluations: Sequence[ExperimentRunAnnotation], base: dict[str, float] | None) -> list[dict[str, Any]]:
    shown = []
    for e in evaluations:
        delta = None
        if base is not None and e.score is not None and e.name in base:
            delta = e.score - base[e.name]
        shown.append(
            {
                "name": e.name,
                "label": e.label,
                "score": e.score,
                "delta": delta,
                "explanation": e.explanation,
                "error": e.error,
            }
        )
    return shown


def _cell(
    runs: list[ExperimentRun],
    evaluations: dict[int, list[ExperimentRunAnnotation]],
    base: Cell | None,
    base_scores: dict[str, float] | None,
) -> Cell:
    if not runs:
        return Cell(None, None, None, 0, [], None, base is not None and base.text is not None)
    run = runs[0]
    text = None if run.error else as_text(run_output(run))
    own = evaluations.get(run.id, [])
    diff = None
    if base is not None:
        diff = word_diff(base.text or "", text or "")
    return Cell(
        text=text,
        error=run.error,
        latency_ms=(run.end_time - run.start_time).total_seconds() * 1000,
        repetitions=len(runs),
        evaluations=_evaluations(own, base_scores),
        diff=diff,
        differs=base is not None and (text != base.text or run.error != base.error),
    )


def _averages(comparison: Comparison) -> list[dict[str, float]]:
    averages: list[dict[str, float]] = []
    for experiment in comparison.experiments:
        own = {name: v for (e, name), v in comparison.averages.items() if e == experiment.id}
        averages.append(own)
    return averages


def comparison_view(comparison: Comparison) -> dict[str, Any]:
    """Headers (one per experiment, with average scores and their deltas) and rows of cells."""
    averages = _averages(comparison)
    headers = []
    for index, (experiment, counts) in enumerate(zip(comparison.experiments, comparison.counts, strict=True)):
        deltas = {n: v - averages[0][n] for n, v in averages[index].items() if index and n in averages[0]}
        headers.append(
            {
                "gid": encode_global_id("Experiment", experiment.id),
                "name": experiment.name,
                "is_base": index == 0,
                "counts": counts,
                "averages": sorted(averages[index].items()),
                "deltas": deltas,
            }
        )
    rows = []
    for row in comparison.examples:
        base_runs = row.runs[0]
        base = _cell(base_runs, comparison.evaluations, None, None)
        base_scores = _score_map(comparison.evaluations.get(base_runs[0].id, [])) if base_runs else {}
        cells = [base] + [_cell(r, comparison.evaluations, base, base_scores) for r in row.runs[1:]]
        revision = row.example.revision
        rows.append(
            {
                "gid": encode_global_id("DatasetExample", row.example.example.id),
                "input": revision.input,
                "reference": revision.output,
                "cells": cells,
            }
        )
    return {"headers": headers, "rows": rows, "next_after": comparison.next_after}
