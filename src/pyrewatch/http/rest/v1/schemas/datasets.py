"""Wire models for datasets, named like Phoenix's OpenAPI components."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from pyrewatch.clock import isoformat
from pyrewatch.db.models import DatasetLabel as DatasetLabelRow
from pyrewatch.db.models import DatasetSplit as DatasetSplitRow
from pyrewatch.db.models import DatasetVersion as DatasetVersionRow
from pyrewatch.ids import encode_global_id
from pyrewatch.services.dataset_exports import example_ids
from pyrewatch.services.datasets import DatasetSummary, VersionedExample

COLOR_PATTERN = r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"


class Dataset(BaseModel):
    id: str
    name: str
    description: str | None
    metadata: dict[str, Any]
    created_at: str
    updated_at: str


class DatasetWithExampleCount(Dataset):
    example_count: int


class ListDatasetsResponseBody(BaseModel):
    data: list[Dataset]
    next_cursor: str | None


class GetDatasetResponseBody(BaseModel):
    data: DatasetWithExampleCount


class DatasetVersion(BaseModel):
    version_id: str
    description: str | None
    metadata: dict[str, Any]
    created_at: str


class ListDatasetVersionsResponseBody(BaseModel):
    data: list[DatasetVersion]
    next_cursor: str | None


class DatasetExampleSource(BaseModel):
    span_id: str
    span_node_id: str


class DatasetExample(BaseModel):
    id: str
    node_id: str
    input: dict[str, Any]
    output: dict[str, Any]
    metadata: dict[str, Any]
    updated_at: str
    source: DatasetExampleSource | None = None


class ListDatasetExamplesData(BaseModel):
    dataset_id: str
    version_id: str
    filtered_splits: list[str] = []
    examples: list[DatasetExample]


class ListDatasetExamplesResponseBody(BaseModel):
    data: ListDatasetExamplesData


class UploadDatasetData(BaseModel):
    dataset_id: str
    version_id: str
    num_created_examples: int
    num_updated_examples: int
    num_deleted_examples: int


class UploadDatasetResponseBody(BaseModel):
    data: UploadDatasetData


class DatasetSplit(BaseModel):
    id: str
    name: str
    description: str | None
    color: str
    metadata: dict[str, Any]
    example_count: int
    created_at: str
    updated_at: str


class CreateDatasetSplitRequestBody(BaseModel):
    name: str = Field(min_length=1, max_length=255)
    description: str | None = None
    color: str | None = Field(default=None, pattern=COLOR_PATTERN)
    metadata: dict[str, Any] = Field(default_factory=dict)
    example_ids: list[str] = Field(default_factory=list, max_length=100_000)


class CreateDatasetSplitResponseBody(BaseModel):
    data: DatasetSplit


class UpdateDatasetSplitRequestBody(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = None
    color: str | None = Field(default=None, pattern=COLOR_PATTERN)
    metadata: dict[str, Any] | None = None
    add_example_ids: list[str] = Field(default_factory=list, max_length=100_000)
    remove_example_ids: list[str] = Field(default_factory=list, max_length=100_000)


class UpdateDatasetSplitResponseBody(BaseModel):
    data: DatasetSplit


class DatasetLabel(BaseModel):
    id: str
    name: str
    description: str | None
    color: str


class CreateDatasetLabelRequestBody(BaseModel):
    name: str = Field(min_length=1, max_length=255)
    color: str = Field(pattern=COLOR_PATTERN)
    description: str | None = None


class UpdateDatasetLabelRequestBody(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    color: str | None = Field(default=None, pattern=COLOR_PATTERN)
    description: str | None = None


class SetDatasetLabelsRequestBody(BaseModel):
    dataset_label_ids: list[str] = Field(default_factory=list, max_length=1000)


class CreateDatasetLabelResponseBody(BaseModel):
    data: DatasetLabel


class GetDatasetLabelResponseBody(BaseModel):
    data: DatasetLabel


class UpdateDatasetLabelResponseBody(BaseModel):
    data: DatasetLabel


class AddDatasetLabelToDatasetResponseBody(BaseModel):
    data: DatasetLabel


class GetDatasetLabelsResponseBody(BaseModel):
    data: list[DatasetLabel]
    next_cursor: str | None


class ListDatasetLabelsForDatasetResponseBody(BaseModel):
    data: list[DatasetLabel]


class SetDatasetLabelsForDatasetResponseBody(BaseModel):
    data: list[DatasetLabel]


def dataset_json(summary: DatasetSummary, *, with_count: bool = True) -> dict[str, Any]:
    row = summary.dataset
    body: dict[str, Any] = {
        "id": encode_global_id("Dataset", row.id),
        "name": row.name,
        "description": row.description,
        "metadata": row.metadata_,
        "created_at": isoformat(row.created_at),
        "updated_at": isoformat(row.updated_at),
    }
    if with_count:
        body["example_count"] = summary.example_count
    return body


def dataset_version_json(row: DatasetVersionRow) -> dict[str, Any]:
    return {
        "version_id": encode_global_id("DatasetVersion", row.id),
        "description": row.description,
        "metadata": row.metadata_,
        "created_at": isoformat(row.created_at),
    }


def dataset_example_json(item: VersionedExample) -> dict[str, Any]:
    ext_id, node_id = example_ids(item.example.id, item.example.external_id)
    source = None
    if item.span_id is not None and item.example.span_rowid is not None:
        source = {"span_id": item.span_id, "span_node_id": encode_global_id("Span", item.example.span_rowid)}
    return {
        "id": ext_id,
        "node_id": node_id,
        "input": item.revision.input,
        "output": item.revision.output,
        "metadata": item.revision.metadata_,
        "updated_at": isoformat(item.revision.created_at),
        "source": source,
    }


def dataset_split_json(row: DatasetSplitRow, example_count: int) -> dict[str, Any]:
    return {
        "id": encode_global_id("DatasetSplit", row.id),
        "name": row.name,
        "description": row.description,
        "color": row.color,
        "metadata": row.metadata_,
        "example_count": example_count,
        "created_at": isoformat(row.created_at),
        "updated_at": isoformat(row.updated_at),
    }


def dataset_label_json(row: DatasetLabelRow) -> dict[str, Any]:
    return {
        "id": encode_global_id("DatasetLabel", row.id),
        "name": row.name,
        "description": row.description,
        "color": row.color,
    }
