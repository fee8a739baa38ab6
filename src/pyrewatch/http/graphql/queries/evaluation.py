"""Query fields for datasets and prompts; they and experiments resolve through ``node(id:)``."""

from __future__ import annotations

import strawberry

from pyrewatch.auth.policy import Action
from pyrewatch.http.graphql.calls import call_service
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.errors import GraphQLDenied
from pyrewatch.http.graphql.nodes import register_node
from pyrewatch.http.graphql.permissions import require
from pyrewatch.http.graphql.types.connection import Connection, connection, page_args
from pyrewatch.http.graphql.types.datasets import Dataset, Experiment
from pyrewatch.http.graphql.types.node import Node
from pyrewatch.http.graphql.types.prompts import Prompt, PromptVersion
from pyrewatch.ids import encode_global_id
from pyrewatch.services import datasets as dataset_service
from pyrewatch.services import experiments as experiment_service
from pyrewatch.services import prompts as prompt_service

Info = strawberry.Info[Context, None]


async def _dataset_node(context: Context, row_id: int) -> Node:
    require(context, Action.READ)
    gid = encode_global_id("Dataset", row_id)
    try:
        return Dataset.from_summary(
            await call_service(context, lambda s: dataset_service.get_dataset(s, context.principal, gid))
        )
    except GraphQLDenied:
        raise GraphQLDenied(f"Unknown Dataset: {gid}") from None


async def _experiment_node(context: Context, row_id: int) -> Node:
    require(context, Action.READ)
    gid = encode_global_id("Experiment", row_id)
    try:
        return Experiment.from_summary(
            await call_service(context, lambda s: experiment_service.get_experiment(s, context.principal, gid))
        )
    except GraphQLDenied:
        raise GraphQLDenied(f"Unknown Experiment: {gid}") from None


async def _prompt_node(context: Context, row_id: int) -> Node:
    require(context, Action.READ)
    gid = encode_global_id("Prompt", row_id)
    try:
        return Prompt.from_row(await call_service(context, lambda s: prompt_service.resolve_prompt(s, gid)))
    except GraphQLDenied:
        raise GraphQLDenied(f"Unknown Prompt: {gid}") from None


async def _prompt_version_node(context: Context, row_id: int) -> Node:
    require(context, Action.READ)
    gid = encode_global_id("PromptVersion", row_id)
    try:
        return PromptVersion.from_row(
            await call_service(context, lambda s: prompt_service.get_version(s, context.principal, gid))
        )
    except GraphQLDenied:
        raise GraphQLDenied(f"Unknown PromptVersion: {gid}") from None


register_node("Dataset", _dataset_node)
register_node("Experiment", _experiment_node)
register_node("Prompt", _prompt_node)
register_node("PromptVersion", _prompt_version_node)


@strawberry.type
class EvaluationQuery:
    @strawberry.field
    async def datasets(self, info: Info, first: int | None = 50, after: str | None = None) -> Connection[Dataset]:
        """Datasets, newest first."""
        require(info.context, Action.READ)
        limit, start = page_args(first, after)
        principal = info.context.principal
        rows, next_id = await call_service(
            info.context, lambda s: dataset_service.list_datasets(s, principal, limit=limit, cursor=start, name=None)
        )
        return connection(rows, lambda s: s.dataset.id, Dataset.from_summary, has_next=next_id is not None, after=after)

    @strawberry.field
    async def prompts(self, info: Info, first: int | None = 50, after: str | None = None) -> Connection[Prompt]:
        """Prompts, newest first."""
        require(info.context, Action.READ)
        limit, start = page_args(first, after)
        principal = info.context.principal
        rows, next_id = await call_service(
            info.context, lambda s: prompt_service.list_prompts(s, principal, limit=limit, cursor=start)
        )
        return connection(rows, lambda r: r.id, Prompt.from_row, has_next=next_id is not None, after=after)
