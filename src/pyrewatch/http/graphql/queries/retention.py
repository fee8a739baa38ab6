"""Retention policies over GraphQL (Pyrewatch additions): read and set a project's policy."""

from __future__ import annotations

import strawberry

from pyrewatch.auth.policy import Action
from pyrewatch.db.session import Session
from pyrewatch.http.graphql.calls import call_service
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.permissions import require
from pyrewatch.http.retention_settings import retention_defaults
from pyrewatch.services import retention as service
from pyrewatch.services.retention import EffectivePolicy


@strawberry.type
class RetentionPolicy:
    max_age_days: int | None
    max_spans: int | None
    is_default: bool

    @classmethod
    def from_policy(cls, policy: EffectivePolicy) -> RetentionPolicy:
        return cls(max_age_days=policy.max_age_days, max_spans=policy.max_spans, is_default=policy.is_default)


@strawberry.input
class SetProjectRetentionPolicyInput:
    project_id: strawberry.ID  # a Project GlobalID or a project name
    max_age_days: int | None = None
    max_spans: int | None = None
    use_default: bool = False  # follow the server default (the bounds are ignored)


@strawberry.type
class SetProjectRetentionPolicyPayload:
    policy: RetentionPolicy


@strawberry.type
class RetentionQuery:
    @strawberry.field
    async def project_retention_policy(
        self, info: strawberry.Info[Context, None], project_id: strawberry.ID
    ) -> RetentionPolicy:
        """A project's retention policy: its own, or the server default."""
        context = info.context
        require(context, Action.READ)
        defaults = retention_defaults(context.state.settings)
        policy = await call_service(
            context, lambda s: service.get_policy(s, context.principal, str(project_id), defaults)
        )
        return RetentionPolicy.from_policy(policy)


@strawberry.type
class RetentionMutation:
    @strawberry.mutation
    async def set_project_retention_policy(
        self, info: strawberry.Info[Context, None], input: SetProjectRetentionPolicyInput
    ) -> SetProjectRetentionPolicyPayload:
        """Give a project its own retention policy, or make it follow the default (admins only)."""
        context = info.context
        require(context, Action.ADMIN_WRITE)
        project = str(input.project_id)

        async def change(session: Session) -> EffectivePolicy:
            if input.use_default:
                defaults = retention_defaults(context.state.settings)
                return await service.clear_policy(session, context.principal, project, defaults)
            return await service.set_policy(session, context.principal, project, input.max_age_days, input.max_spans)

        policy = await call_service(context, change)
        return SetProjectRetentionPolicyPayload(policy=RetentionPolicy.from_policy(policy))
