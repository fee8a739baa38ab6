"""Wire models for experiments, runs and evaluations, named like Phoenix's OpenAPI components."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pyrewatch.clock import isoformat
from pyrewatch.db.models import ExperimentRun as ExperimentRunRow
from pyrewatch.db.models import ExperimentRunAnnotation
from pyrewatch.db.models import ExperimentTag as ExperimentTagRow
from pyrewatch.ids import encode_global_id
from pyrewatch.services.experiment_runs import RunReport, run_output
from pyrewatch.services.experiments import ExperimentSummary
from pyrewatch.services.prompts import IDENTIFIER_PATTERN


class Experiment(BaseModel):
    id: str
    dataset_id: str
    dataset_version_id: str
    name: str
    description: str | None
    repetitions: int
    metadata: dict[str, Any]
    project_name: str | None
    created_at: str
    updated_at: str
    example_count: int
    successful_run_count: int
    failed_run_count: int
    missing_run_count: int


class CreateExperimentRequestBody(BaseModel):
    name: str | None = Field(default=None, max_length=255)
    description: str | None = None
    metadata: dict[str, Any] | None = None
    version_id: str | None = None
    splits: list[str] | None = None
    repetitions: int = Field(default=1, ge=1, le=10_000)


class UpdateExperimentRequestBody(BaseModel):
    name: str | None = Field(default=None, max_length=255)
    description: str | None = None
    metadata: dict[str, Any] | None = None


class CreateExperimentResponseBody(BaseModel):
    data: Experiment


class GetExperimentResponseBody(BaseModel):
    data: Experiment


class UpdateExperimentResponseBody(BaseModel):
    data: Experiment


class ListExperimentsResponseBody(BaseModel):
    data: list[Experiment]
    next_cursor: str | None


class CreateExperimentRunRequestBody(BaseModel):
    # The client also sends "id" and "experiment_id": ignored, as Phoenix does.
    model_config = ConfigDict(extra="ignore")

    dataset_example_id: str
    output: Any = None
    repetition_number: int
    start_time: datetime
    end_time: datetime
    trace_id: str | None = Field(default=None, max_length=64)
    error: str | None = None


class ExperimentRun(BaseModel):
    dataset_example_id: str
    output: Any
    repetition_number: int
    start_time: str
    end_time: str
    trace_id: str | None
    error: str | None
    id: str
    experiment_id: str


class CreateExperimentRunResponseBodyData(BaseModel):
    id: str


class CreateExperimentRunResponseBody(BaseModel):
    data: CreateExperimentRunResponseBodyData


class ListExperimentRunsResponseBody(BaseModel):
    data: list[ExperimentRun]
    next_cursor: str | None


class ExperimentEvaluationResult(BaseModel):
    label: str | None = None
    score: float | None = Field(default=None, allow_inf_nan=False)
    explanation: str | None = None


class UpsertExperimentEvaluationRequestBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    experiment_run_id: str
    name: str
    annotator_kind: Literal["LLM", "CODE", "HUMAN"]
    start_time: datetime
    end_time: datetime
    result: ExperimentEvaluationResult | None = None
    error: str | None = None
    metadata: dict[str, Any] | None = None
    trace_id: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _result_or_error(self) -> UpsertExperimentEvaluationRequestBody:
        if self.result is None and self.error is None:
            raise ValueError("Either 'result' or 'error' must be provided")
        return self


class UpsertExperimentEvaluationResponseBodyData(BaseModel):
    id: str


class UpsertExperimentEvaluationResponseBody(BaseModel):
    data: UpsertExperimentEvaluationResponseBodyData


class IncompleteExperimentRun(BaseModel):
    dataset_example: dict[str, Any]
    repetition_numbers: list[int]


class GetIncompleteExperimentRunsResponseBody(BaseModel):
    data: list[IncompleteExperimentRun]
    next_cursor: str | None


class IncompleteExperimentEvaluation(BaseModel):
    experiment_run: ExperimentRun
    dataset_example: dict[str, Any]
    evaluation_names: list[str]


class GetIncompleteEvaluationsResponseBody(BaseModel):
    data: list[IncompleteExperimentEvaluation]
    next_cursor: str | None


class SetExperimentTagRequestBody(BaseModel):
    name: str = Field(pattern=IDENTIFIER_PATTERN, max_length=255)
    description: str | None = None


class ExperimentTag(BaseModel):
    id: str
    name: str
    description: str | None


class SetExperimentTagResponseBody(BaseModel):
    data: ExperimentTag


class ListExperimentTagsResponseBody(BaseModel):
    data: list[ExperimentTag]


def experiment_json(summary: ExperimentSummary) -> dict[str, Any]:
    row = summary.experiment
    return {
        "id": encode_global_id("Experiment", row.id),
        "dataset_id": encode_global_id("Dataset", row.dataset_id),
        "dataset_version_id": encode_global_id("DatasetVersion", row.dataset_version_id),
        "name": row.name,
        "description": row.description,
        "repetitions": row.repetitions,
        "metadata": row.metadata_,
        "project_name": row.project_name,
        "created_at": isoformat(row.created_at),
        "updated_at": isoformat(row.updated_at),
        "example_count": summary.counts.example_count,
        "successful_run_count": summary.counts.successful,
        "failed_run_count": summary.counts.failed,
        "missing_run_count": summary.missing,
    }


def experiment_run_json(row: ExperimentRunRow) -> dict[str, Any]:
    return {
        "dataset_example_id": encode_global_id("DatasetExample", row.dataset_example_id),
        "output": run_output(row),
        "repetition_number": row.repetition_number,
        "start_time": isoformat(row.start_time),
        "end_time": isoformat(row.end_time),
        "trace_id": row.trace_id,
        "error": row.error,
        "id": encode_global_id("ExperimentRun", row.id),
        "experiment_id": encode_global_id("Experiment", row.experiment_id),
    }


def experiment_tag_json(row: ExperimentTagRow) -> dict[str, Any]:
    return {"id": encode_global_id("ExperimentTag", row.id), "name": row.name, "description": row.description}


def _annotation_json(row: ExperimentRunAnnotation) -> dict[str, Any]:
    return {
        "name": row.name,
        "annotator_kind": row.annotator_kind,
        "label": row.label,
        "score": row.score,
        "explanation": row.explanation,
        "trace_id": row.trace_id,
        "error": row.error,
        "metadata": row.metadata_,
        "start_time": isoformat(row.start_time),
        "end_time": isoformat(row.end_time),
    }


def experiment_report_json(report: RunReport) -> list[dict[str, Any]]:
    records = []
    for run in report.runs:
        example = report.examples.get(run.dataset_example_id)
        latency = (run.end_time - run.start_time).total_seconds() * 1000
        tokens = report.tokens.get(run.trace_id or "")
        records.append(
            {
                "example_id": encode_global_id("DatasetExample", run.dataset_example_id),
                "repetition_number": run.repetition_number,
                "input": example.revision.input if example else {},
                "reference_output": example.revision.output if example else {},
                "output": run_output(run),
                "error": run.error,
                "latency_ms": latency,
                "start_time": isoformat(run.start_time),
                "end_time": isoformat(run.end_time),
                "trace_id": run.trace_id,
                "prompt_token_count": tokens[0] if tokens else None,
                "completion_token_count": tokens[1] if tokens else None,
                "annotations": [_annotation_json(a) for a in report.annotations.get(run.id, [])],
            }
        )
    return records


_ANNOTATION_FIELDS: tuple[str, ...] = (
    "label",
    "score",
    "explanation",
    "metadata",
    "annotator_kind",
    "trace_id",
    "error",
    "start_time",
    "end_time",
)


def experiment_report_csv(report: RunReport) -> str:
    records = experiment_report_json(report)
    names = sorted({a["name"] for r in records for a in r["annotations"]})
    base = [k for k in records[0] if k != "annotations"] if records else []
    columns = base + [f"annotation_{n}_{f}" for n in names for f in _ANNOTATION_FIELDS]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for record in records:
        row = {k: record[k] for k in base}
        for key in ("input", "reference_output", "output"):
            row[key] = json.dumps(record[key], ensure_ascii=False)
        for annotation in record["annotations"]:
            for f in _ANNOTATION_FIELDS:
                value = annotation[f]
                row[f"annotation_{annotation['name']}_{f}"] = json.dumps(value) if f == "metadata" else value
        writer.writerow(row)
    return buffer.getvalue()
