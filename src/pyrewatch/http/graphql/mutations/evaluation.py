"""Mutations for datasets, experiments and prompts (what automation changes besides REST)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from pyrewatch.auth.policy import Action
from pyrewatch.db.models import Prompt as PromptRow
from pyrewatch.db.models import PromptVersion as PromptVersionRow
from pyrewatch.db.models import PromptVersionTag as PromptVersionTagRow
from pyrewatch.db.session import Session
from pyrewatch.http.graphql.calls import call_service
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.permissions import require
from pyrewatch.http.graphql.types.datasets import Dataset, Experiment
from pyrewatch.http.graphql.types.prompts import Prompt, PromptVersion, PromptVersionTag
from pyrewatch.services import datasets as dataset_service
from pyrewatch.services import experiments as experiment_service
from pyrewatch.services import prompts as prompt_service
from pyrewatch.services.datasets import DatasetSummary
from pyrewatch.services.experiments import ExperimentSummary

Info = strawberry.Info[Context, None]


@strawberry.input
class PatchDatasetInput:
    dataset_id: strawberry.ID
    name: str | None = None
    description: str | None = strawberry.UNSET
    metadata: JSON | None = None


@strawberry.input
class DeleteDatasetInput:
    dataset_id: strawberry.ID


@strawberry.input
class DeleteExperimentsInput:
    experiment_ids: list[strawberry.ID]


@strawberry.input
class DeletePromptInput:
    prompt_id: strawberry.ID


@strawberry.input
class SetPromptVersionTagInput:
    prompt_version_id: strawberry.ID
    name: str
    description: str | None = None


@strawberry.input
class DeletePromptVersionTagInput:
    prompt_version_tag_id: strawberry.ID


@strawberry.type
class DatasetMutationPayload:
    dataset: Dataset


@strawberry.type
class ExperimentMutationPayload:
    experiments: list[Experiment]


@strawberry.type
class PromptMutationPayload:
    prompt: Prompt


@strawberry.type
class PromptVersionTagMutationPayload:
    prompt_version: PromptVersion
    prompt_version_tag: PromptVersionTag


@strawberry.type
class EvaluationMutation:
    @strawberry.mutation
    async def patch_dataset(self, info: Info, input: PatchDatasetInput) -> DatasetMutationPayload:  # noqa: A002
        require(info.context, Action.WRITE)
        changes: dict[str, Any] = {"name": input.name, "metadata": input.metadata}
        if input.description is not strawberry.UNSET:
            changes["description"] = input.description
        principal = info.context.principal
        summary = await call_service(
            info.context, lambda s: dataset_service.patch_dataset(s, principal, input.dataset_id, changes)
        )
        return DatasetMutationPayload(dataset=Dataset.from_summary(summary))

    @strawberry.mutation
    async def delete_dataset(self, info: Info, input: DeleteDatasetInput) -> DatasetMutationPayload:  # noqa: A002
        require(info.context, Action.WRITE)
        principal = info.context.principal

        async def delete(session: Session) -> DatasetSummary:
            summary = await dataset_service.get_dataset(session, principal, input.dataset_id)
            await dataset_service.delete_dataset(session, principal, input.dataset_id)
            return summary

        summary = await call_service(info.context, delete)
        return DatasetMutationPayload(dataset=Dataset.from_summary(summary))

    @strawberry.mutation
    async def delete_experiments(
        self,
        info: Info,
        input: DeleteExperimentsInput,  # noqa: A002
    ) -> ExperimentMutationPayload:
        require(info.context, Action.WRITE)
        principal = info.context.principal

        async def delete(session: Session) -> list[ExperimentSummary]:
            deleted = [await experiment_service.get_experiment(session, principal, eid) for eid in input.experiment_ids]
            for eid in input.experiment_ids:
                await experiment_service.delete_experiment(session, principal, eid, delete_project=False)
            return deleted

        deleted = await call_service(info.context, delete)
        return ExperimentMutationPayload(experiments=[Experiment.from_summary(s) for s in deleted])

    @strawberry.mutation
    async def delete_prompt(self, info: Info, input: DeletePromptInput) -> PromptMutationPayload:  # noqa: A002
        require(info.context, Action.WRITE)
        principal = info.context.principal

        async def delete(session: Session) -> PromptRow:
            prompt = await prompt_service.resolve_prompt(session, input.prompt_id)
            await prompt_service.delete_prompt(session, principal, input.prompt_id)
            return prompt

        prompt = await call_service(info.context, delete)
        return PromptMutationPayload(prompt=Prompt.from_row(prompt))

    @strawberry.mutation
    async def set_prompt_version_tag(
        self,
        info: Info,
        input: SetPromptVersionTagInput,  # noqa: A002
    ) -> PromptVersionTagMutationPayload:
        require(info.context, Action.WRITE)
        principal = info.context.principal

        async def tag_version(session: Session) -> tuple[PromptVersionTagRow, PromptVersionRow]:
            tag = await prompt_service.tag_version(
                session, principal, input.prompt_version_id, name=input.name, description=input.description
            )
            return tag, await prompt_service.get_version(session, principal, input.prompt_version_id)

        tag, version = await call_service(info.context, tag_version)
        return PromptVersionTagMutationPayload(
            prompt_version=PromptVersion.from_row(version), prompt_version_tag=PromptVersionTag.from_row(tag)
        )

    @strawberry.mutation
    async def delete_prompt_version_tag(
        self,
        info: Info,
        input: DeletePromptVersionTagInput,  # noqa: A002
    ) -> PromptVersionTagMutationPayload:
        require(info.context, Action.WRITE)
        principal = info.context.principal

        async def delete(session: Session) -> tuple[PromptVersionTagRow, PromptVersionRow]:
            tag = await prompt_service.delete_tag_by_id(session, principal, input.prompt_version_tag_id)
            return tag, await prompt_service.get_version(session, principal, PromptVersion.gid(tag.prompt_version_id))

        tag, version = await call_service(info.context, delete)
        return PromptVersionTagMutationPayload(
            prompt_version=PromptVersion.from_row(version), prompt_version_tag=PromptVersionTag.from_row(tag)
        )
