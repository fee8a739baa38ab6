"""Wire models for projects, named like Phoenix's OpenAPI components."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from pyrewatch.db.models import Project as ProjectRow
from pyrewatch.ids import encode_global_id
from pyrewatch.services.project_directory import ProjectSummary


class Project(BaseModel):
    id: str
    name: str = Field(min_length=1)
    description: str | None = None


class GetProjectsResponseBody(BaseModel):
    data: list[Project]
    next_cursor: str | None


class GetProjectResponseBody(BaseModel):
    data: Project


class CreateProjectRequestBody(BaseModel):
    name: str = Field(min_length=1)
    description: str | None = None


class CreateProjectResponseBody(BaseModel):
    data: Project


class UpdateProjectRequestBody(BaseModel):
    description: str | None = None


class UpdateProjectResponseBody(BaseModel):
    data: Project


def project_json(row: ProjectRow | ProjectSummary) -> dict[str, Any]:
    return {"id": encode_global_id("Project", row.id), "name": row.name, "description": row.description}
