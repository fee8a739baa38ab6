"""``Prompt``, ``PromptVersion`` and ``PromptVersionTag`` with Phoenix's field names."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from pyrewatch.auth.policy import Action, NotAllowed
from pyrewatch.db.models import Prompt as PromptRow
from pyrewatch.db.models import PromptVersion as PromptVersionRow
from pyrewatch.db.models import PromptVersionTag as PromptVersionTagRow
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.errors import deny
from pyrewatch.http.graphql.permissions import require
from pyrewatch.http.graphql.types.connection import Connection, as_json, connection, page_args
from pyrewatch.http.graphql.types.node import Node
from pyrewatch.ids import encode_global_id

Info = strawberry.Info[Context, None]


@strawberry.type
class PromptVersionTag(Node):
    name: str
    description: str | None
    prompt_version_id: strawberry.ID

    @classmethod
    def from_row(cls, row: PromptVersionTagRow) -> PromptVersionTag:
        return cls(
            id=strawberry.ID(encode_global_id("PromptVersionTag", row.id)),
            name=row.name,
            description=row.description,
            prompt_version_id=strawberry.ID(encode_global_id("PromptVersion", row.prompt_version_id)),
        )


@strawberry.type
class PromptVersion(Node):
    description: str | None
    model_provider: str
    model_name: str
    template_type: str
    template_format: str
    template: JSON
    invocation_parameters: JSON
    tools: JSON | None
    response_format: JSON | None
    metadata: JSON
    created_at: datetime
    row_id: strawberry.Private[int]

    @staticmethod
    def gid(row_id: int) -> str:
        return encode_global_id("PromptVersion", row_id)

    @classmethod
    def from_row(cls, row: PromptVersionRow) -> PromptVersion:
        return cls(
            id=strawberry.ID(encode_global_id("PromptVersion", row.id)),
            description=row.description,
            model_provider=row.model_provider,
            model_name=row.model_name,
            template_type=row.template_type,
            template_format=row.template_format,
            template=as_json(row.template),
            invocation_parameters=as_json(row.invocation_parameters),
            tools=as_json(row.tools),
            response_format=as_json(row.response_format),
            metadata=as_json(row.metadata_),
            created_at=row.created_at,
            row_id=row.id,
        )

    @strawberry.field
    async def tags(self, info: Info) -> list[PromptVersionTag]:
        require(info.context, Action.READ)
        # Loaded for every listed version at once (one statement, not one per version).
        try:
            rows = await info.context.loaders.version_tags.load(self.row_id)
        except NotAllowed as exc:
            raise deny(exc.denial) from None
        return [PromptVersionTag.from_row(r) for r in rows]


@strawberry.type
class Prompt(Node):
    name: str
    description: str | None
    metadata: JSON
    source_prompt_id: strawberry.ID | None
    created_at: datetime
    updated_at: datetime
    row_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: PromptRow) -> Prompt:
        source = row.source_prompt_id
        return cls(
            id=strawberry.ID(encode_global_id("Prompt", row.id)),
            name=row.name,
            description=row.description,
            metadata=as_json(row.metadata_),
            source_prompt_id=None if source is None else strawberry.ID(encode_global_id("Prompt", source)),
            created_at=row.created_at,
            updated_at=row.updated_at,
            row_id=row.id,
        )

    @strawberry.field
    async def prompt_versions(
        self, info: Info, first: int | None = 50, after: str | None = None
    ) -> Connection[PromptVersion]:
        """Versions, newest first."""
        require(info.context, Action.READ)
        limit, start = page_args(first, after)
        # Loaded for every listed prompt at once (one statement, not one per prompt).
        try:
            rows, next_id = await info.context.loaders.prompt_versions.load((self.row_id, limit, start))
        except NotAllowed as exc:
            raise deny(exc.denial) from None
        return connection(rows, lambda r: r.id, PromptVersion.from_row, has_next=next_id is not None, after=after)
