"""Annotation configs (``/settings/annotations``): every reader sees them; members and admins
create and delete them, through the same service and policy as ``/v1/annotation_configs``."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from pyrewatch.auth.policy import Action, decide
from pyrewatch.db.session import transaction
from pyrewatch.errors import BadRequest, Conflict, Forbidden, InvalidInput
from pyrewatch.http.middleware import principal_of
from pyrewatch.http.web.errors import WebRoute
from pyrewatch.http.web.forms import Form, read_form
from pyrewatch.http.web.render import redirect, render, state_of
from pyrewatch.ids import encode_global_id
from pyrewatch.services import annotation_configs as config_service
from pyrewatch.services.annotation_configs import CONFIG_TYPES, DIRECTIONS, ConfigInput, global_type_name

router = APIRouter(route_class=WebRoute, include_in_schema=False)
CONFIGS_PATH = "/settings/annotations"
MAX_LISTED = 500
_FORM_ERRORS = (InvalidInput, BadRequest, Conflict, Forbidden)


def _number(text: str, what: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"{what} must be a number.") from None
    if not math.isfinite(value):
        raise InvalidInput(f"{what} must be a finite number.")
    return value


def _values(text: str) -> list[tuple[str, float | None]]:
    """Categorical values, one a line: ``label`` or ``label = score``."""
    values: list[tuple[str, float | None]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        label, _, score = line.partition("=")
        values.append((label.strip(), _number(score.strip(), f"The score of {label.strip()!r}")))
    return values


def config_input(form: Form) -> ConfigInput:
    kind = form.get("type")
    return ConfigInput(
        type=kind,
        name=form.get("name"),
        description=form.optional("description"),
        optimization_direction=form.optional("optimization_direction"),
        values=_values(form.raw("values")) if kind == "CATEGORICAL" else (),
        lower_bound=_number(form.get("lower_bound"), "The lower bound"),
        upper_bound=_number(form.get("upper_bound"), "The upper bound"),
    )


async def _page(request: Request, extra: dict[str, Any], status: int = 200) -> Response:
    principal = principal_of(request.scope)
    async with transaction(state_of(request).session_factory) as session:
        rows, _ = await config_service.list_configs(session, principal, limit=MAX_LISTED, cursor=None)
    configs = [{"gid": encode_global_id(global_type_name(r.config.get("type", "")), r.id), "r": r} for r in rows]
    context = {
        "configs": configs,
        "types": CONFIG_TYPES,
        "directions": DIRECTIONS,
        "can_write": decide(principal, Action.WRITE) is None,
        "values": {},
    } | extra
    return render(request, "settings/annotation_configs.html", context, status=status)


@router.get(CONFIGS_PATH)
async def configs_page(request: Request) -> Response:
    return await _page(request, {})


@router.post(CONFIGS_PATH)
async def create_config(request: Request) -> Response:
    form = await read_form(request)
    try:
        data = config_input(form)
        async with transaction(state_of(request).session_factory) as session:
            await config_service.create_config(session, principal_of(request.scope), data)
    except _FORM_ERRORS as exc:
        fields = ("name", "type", "description", "optimization_direction", "values", "lower_bound", "upper_bound")
        values = {k: form.raw(k) for k in fields}
        return await _page(request, {"error": exc.message, "values": values}, status=422)
    return redirect(request, CONFIGS_PATH, query="notice=config-created")


@router.get(CONFIGS_PATH + "/{config_id}/delete")
async def delete_page(request: Request, config_id: str) -> Response:
    async with transaction(state_of(request).session_factory) as session:
        row = await config_service.get_config(session, principal_of(request.scope), config_id)
    return render(request, "settings/config_delete.html", {"r": row, "gid": config_id})


@router.post(CONFIGS_PATH + "/{config_id}/delete")
async def delete_config(request: Request, config_id: str) -> Response:
    await read_form(request)
    async with transaction(state_of(request).session_factory) as session:
        await config_service.delete_config(session, principal_of(request.scope), config_id)
    return redirect(request, CONFIGS_PATH, query="notice=config-deleted")
