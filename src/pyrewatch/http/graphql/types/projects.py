"""``Project`` and its connection, with Phoenix's field names."""

from __future__ import annotations

from datetime import datetime

import strawberry

from pyrewatch.db.models import Project as ProjectRow
from pyrewatch.http.graphql.types.node import Node
from pyrewatch.http.graphql.types.pagination import PageInfo
from pyrewatch.ids import encode_global_id


@strawberry.type
class Project(Node):
    name: str
    created_at: datetime
    updated_at: datetime
    # Pyrewatch addition: Phoenix shows the description only over REST.
    description: str | None

    @classmethod
    def from_row(cls, row: ProjectRow) -> Project:
        return cls(
            id=strawberry.ID(encode_global_id("Project", row.id)),
            name=row.name,
            created_at=row.created_at,
            updated_at=row.updated_at,
            description=row.description,
        )


@strawberry.type
class ProjectEdge:
    cursor: str
    node: Project


@strawberry.type
class ProjectConnection:
    edges: list[ProjectEdge]
    page_info: PageInfo
