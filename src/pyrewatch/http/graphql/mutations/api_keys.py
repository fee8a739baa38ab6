"""Mutations for API keys: create and delete, system and user."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from pyrewatch.auth.policy import Action
from pyrewatch.http.graphql.calls import call_service
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.errors import GraphQLDenied
from pyrewatch.http.graphql.permissions import require
from pyrewatch.http.graphql.types.api_keys import SystemApiKey, UserApiKey
from pyrewatch.ids import parse_typed_global_id
from pyrewatch.services import api_keys as service
from pyrewatch.services import key_rotation
from pyrewatch.services.api_keys import KeyInput

if TYPE_CHECKING:
    from pyrewatch.http.graphql.schema import Query


@strawberry.input
class CreateApiKeyInput:
    name: str
    description: str | None = None
    expires_at: datetime | None = None
    # Pyrewatch additions: any of "ingest" and "read"; project names or Project GlobalIDs.
    scopes: list[str] | None = None
    projects: list[str] | None = None


@strawberry.input
class CreateUserApiKeyInput:
    name: str
    description: str | None = None
    expires_at: datetime | None = None
    # Pyrewatch additions: any of "ingest" and "read"; project names or Project GlobalIDs.
    scopes: list[str] | None = None
    projects: list[str] | None = None


@strawberry.input
class DeleteApiKeyInput:
    id: strawberry.ID


@strawberry.input
class RotateApiKeyInput:
    id: strawberry.ID
    # How long the old key keeps working, in seconds (0: refused at once).
    grace_seconds: int = key_rotation.DEFAULT_GRACE_SECONDS


def _key_input(input: CreateApiKeyInput | CreateUserApiKeyInput) -> KeyInput:
    return KeyInput(
        name=input.name,
        description=input.description,
        expires_at=input.expires_at,
        scopes=input.scopes,
        projects=input.projects,
    )


def _query() -> Annotated[Query, strawberry.lazy("pyrewatch.http.graphql.schema")]:
    """The root query, so a client can refetch what the mutation changed (Phoenix's payloads
    carry it too)."""
    from pyrewatch.http.graphql.schema import Query

    return Query()


@strawberry.type
class CreateSystemApiKeyMutationPayload:
    jwt: str
    api_key: SystemApiKey
    query: Annotated[Query, strawberry.lazy("pyrewatch.http.graphql.schema")] = strawberry.field(resolver=_query)


@strawberry.type
class CreateUserApiKeyMutationPayload:
    jwt: str
    api_key: UserApiKey
    query: Annotated[Query, strawberry.lazy("pyrewatch.http.graphql.schema")] = strawberry.field(resolver=_query)


@strawberry.type
class DeleteApiKeyMutationPayload:
    api_key_id: strawberry.ID
    query: Annotated[Query, strawberry.lazy("pyrewatch.http.graphql.schema")] = strawberry.field(resolver=_query)


@strawberry.type
class ApiKeysMutation:
    @strawberry.mutation
    async def create_system_api_key(
        self, info: strawberry.Info[Context, None], input: CreateApiKeyInput
    ) -> CreateSystemApiKeyMutationPayload:
        context = info.context
        data = _key_input(input)
        minted = await call_service(
            context,
            lambda s: service.create_system_key(
                s, context.principal, data, system_user_id=context.state.system_user_id
            ),
        )
        return CreateSystemApiKeyMutationPayload(jwt=minted.token, api_key=SystemApiKey.from_view(minted.key))

    @strawberry.mutation
    async def create_user_api_key(
        self, info: strawberry.Info[Context, None], input: CreateUserApiKeyInput
    ) -> CreateUserApiKeyMutationPayload:
        context = info.context
        data = _key_input(input)
        minted = await call_service(context, lambda s: service.create_user_key(s, context.principal, data))
        return CreateUserApiKeyMutationPayload(jwt=minted.token, api_key=UserApiKey.from_view(minted.key))

    @strawberry.mutation
    async def delete_system_api_key(
        self, info: strawberry.Info[Context, None], input: DeleteApiKeyInput
    ) -> DeleteApiKeyMutationPayload:
        context = info.context
        require(context, Action.REVOKE_SYSTEM_KEY)
        row_id = parse_typed_global_id(input.id, "SystemApiKey")
        if row_id is None:
            raise GraphQLDenied(f"Invalid SystemApiKey GlobalID format: {input.id}")
        await call_service(context, lambda s: service.revoke_system_key(s, context.principal, row_id))
        return DeleteApiKeyMutationPayload(api_key_id=input.id)

    @strawberry.mutation
    async def delete_user_api_key(
        self, info: strawberry.Info[Context, None], input: DeleteApiKeyInput
    ) -> DeleteApiKeyMutationPayload:
        context = info.context
        row_id = parse_typed_global_id(input.id, "UserApiKey")
        if row_id is None:
            raise GraphQLDenied(f"Invalid UserApiKey GlobalID format: {input.id}")
        await call_service(context, lambda s: service.revoke_user_key(s, context.principal, row_id))
        return DeleteApiKeyMutationPayload(api_key_id=input.id)

    @strawberry.mutation
    async def rotate_system_api_key(
        self, info: strawberry.Info[Context, None], input: RotateApiKeyInput
    ) -> CreateSystemApiKeyMutationPayload:
        """A new system key with the same name, scopes and projects; the old one keeps working
        for ``graceSeconds``."""
        context = info.context
        require(context, Action.CREATE_SYSTEM_KEY)
        row_id = parse_typed_global_id(input.id, "SystemApiKey")
        if row_id is None:
            raise GraphQLDenied(f"Invalid SystemApiKey GlobalID format: {input.id}")
        minted = await call_service(
            context,
            lambda s: key_rotation.rotate_system_key(s, context.principal, row_id, grace_seconds=input.grace_seconds),
        )
        return CreateSystemApiKeyMutationPayload(jwt=minted.token, api_key=SystemApiKey.from_view(minted.key))

    @strawberry.mutation
    async def rotate_user_api_key(
        self, info: strawberry.Info[Context, None], input: RotateApiKeyInput
    ) -> CreateUserApiKeyMutationPayload:
        """A new user key with the same name, scopes, projects and owner; the old one keeps
        working for ``graceSeconds``."""
        context = info.context
        require(context, Action.CREATE_USER_KEY)
        row_id = parse_typed_global_id(input.id, "UserApiKey")
        if row_id is None:
            raise GraphQLDenied(f"Invalid UserApiKey GlobalID format: {input.id}")
        minted = await call_service(
            context,
            lambda s: key_rotation.rotate_user_key(s, context.principal, row_id, grace_seconds=input.grace_seconds),
        )
        return CreateUserApiKeyMutationPayload(jwt=minted.token, api_key=UserApiKey.from_view(minted.key))
