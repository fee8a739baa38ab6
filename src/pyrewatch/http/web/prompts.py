"""Prompts: the list, and a prompt's versions with their tags, one version's template and
settings, and a diff between two versions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from pyrewatch.db.session import transaction
from pyrewatch.http.middleware import principal_of
from pyrewatch.http.web import prompt_view
from pyrewatch.http.web.errors import WebRoute
from pyrewatch.http.web.paging import PAGE_SIZE, after_cursor
from pyrewatch.http.web.render import render, state_of
from pyrewatch.ids import encode_global_id
from pyrewatch.services import prompts as prompt_service
from pyrewatch.services.prompt_details import prompt_detail

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/prompts")
async def prompts_page(request: Request) -> Response:
    cursor = after_cursor(request)
    async with transaction(state_of(request).session_factory) as session:
        found, next_cursor = await prompt_service.list_prompts(
            session, principal_of(request.scope), limit=PAGE_SIZE, cursor=cursor
        )
    rows = [{"gid": encode_global_id("Prompt", p.id), "p": p} for p in found]
    context = {"rows": rows, "next_cursor": next_cursor, "is_later_page": cursor is not None}
    return render(request, "prompts/list.html", context)


async def _prompt_page(request: Request, prompt_id: str, version: str | None) -> Response:
    compare = request.query_params.get("compare") or None
    async with transaction(state_of(request).session_factory) as session:
        detail = await prompt_detail(session, principal_of(request.scope), prompt_id, version=version, compare=compare)
    gid = encode_global_id("Prompt", detail.prompt.id)
    versions: list[dict[str, Any]] = []
    for number, v in zip(range(len(detail.versions), 0, -1), detail.versions, strict=False):
        versions.append(
            {
                "gid": encode_global_id("PromptVersion", v.id),
                "v": v,
                "tags": detail.tags.get(v.id, []),
                "number": number,
            }
        )
    context: dict[str, Any] = {
        "p": detail.prompt,
        "gid": gid,
        "versions": versions,
        "more_versions": detail.more_versions,
    }
    selected, compared = detail.selected, detail.compared
    if selected is not None:
        context["selected"] = next(row for row in versions if row["v"].id == selected.id)
        context["template"] = prompt_view.template_text(selected)
        context["settings"] = prompt_view.settings(selected)
    if selected is not None and compared is not None:
        context["compared"] = next(row for row in versions if row["v"].id == compared.id)
        context["diff"] = prompt_view.version_diff(compared, selected)
    return render(request, "prompts/prompt.html", context)


@router.get("/prompts/{prompt_id}")
async def prompt_page(request: Request, prompt_id: str) -> Response:
    return await _prompt_page(request, prompt_id, request.query_params.get("version") or None)


@router.get("/prompts/{prompt_id}/versions/{version_id}")
async def prompt_version_page(request: Request, prompt_id: str, version_id: str) -> Response:
    return await _prompt_page(request, prompt_id, version_id)
