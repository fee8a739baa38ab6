"""REST /v1 routes: per-project retention policies and an immediate sweep (Pyrewatch additions)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel

from pyrewatch.auth.policy import Action
from pyrewatch.clock import now_utc
from pyrewatch.http.deps import AppStateDep, PrincipalDep, SessionDep, guard
from pyrewatch.http.json_response import json_response
from pyrewatch.http.retention_settings import retention_defaults
from pyrewatch.services import retention as service
from pyrewatch.services.retention import EffectivePolicy

router = APIRouter(prefix="/v1", tags=["retention"])


class RetentionPolicyData(BaseModel):
    max_age_days: int | None = None
    max_spans: int | None = None


def _policy_json(policy: EffectivePolicy) -> dict[str, Any]:
    data = {"max_age_days": policy.max_age_days, "max_spans": policy.max_spans, "is_default": policy.is_default}
    return {"data": data}


@router.get(
    "/projects/{project_identifier}/retention_policy",
    dependencies=[guard(Action.READ)],
    summary="Get a project's retention policy (its own or the server default)",
)
async def get_policy(
    session: SessionDep, principal: PrincipalDep, state: AppStateDep, project_identifier: str
) -> Response:
    defaults = retention_defaults(state.settings)
    return json_response(_policy_json(await service.get_policy(session, principal, project_identifier, defaults)))


@router.put(
    "/projects/{project_identifier}/retention_policy",
    dependencies=[guard(Action.ADMIN_WRITE)],
    summary="Give a project its own retention policy",
)
async def set_policy(
    session: SessionDep, principal: PrincipalDep, project_identifier: str, body: RetentionPolicyData
) -> Response:
    policy = await service.set_policy(session, principal, project_identifier, body.max_age_days, body.max_spans)
    return json_response(_policy_json(policy))


@router.delete(
    "/projects/{project_identifier}/retention_policy",
    dependencies=[guard(Action.ADMIN_WRITE)],
    summary="Make a project follow the server's default retention policy",
)
async def clear_policy(
    session: SessionDep, principal: PrincipalDep, state: AppStateDep, project_identifier: str
) -> Response:
    defaults = retention_defaults(state.settings)
    return json_response(_policy_json(await service.clear_policy(session, principal, project_identifier, defaults)))


@router.post("/retention/sweep", dependencies=[guard(Action.ADMIN_WRITE)], summary="Enforce retention policies now")
async def sweep_now(principal: PrincipalDep, state: AppStateDep) -> Response:
    report = await service.sweep_now(state.session_factory, principal, retention_defaults(state.settings), now_utc())
    data = {"traces_deleted": report.traces_deleted, "sessions_deleted": report.sessions_deleted}
    return json_response({"data": data})
