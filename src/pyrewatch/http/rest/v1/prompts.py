"""REST /v1 routes: prompts, prompt versions and version tags."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from pyrewatch.auth.policy import Action
from pyrewatch.http.deps import PrincipalDep, SessionDep, guard
from pyrewatch.http.json_response import json_response
from pyrewatch.http.pagination import decode_id_cursor, encode_id_cursor
from pyrewatch.http.rest.v1.schemas.prompts import (
    CreatePromptRequestBody,
    CreatePromptResponseBody,
    GetPromptResponseBody,
    GetPromptsResponseBody,
    GetPromptVersionsResponseBody,
    GetPromptVersionTagsResponseBody,
    PatchPromptRequestBody,
    PatchPromptResponseBody,
    PromptVersionTagData,
    prompt_json,
    prompt_version_json,
    prompt_version_tag_json,
)
from pyrewatch.services import prompts as service

router = APIRouter(prefix="/v1", tags=["prompts"])

MAX_PAGE = 1000
Cursor = Annotated[str | None, Query(description="Cursor for pagination (base64-encoded ID)")]
Limit = Annotated[int, Query(gt=0, description="The max number of items to return at a time.")]


@router.get("/prompts", dependencies=[guard(Action.READ)], response_model=GetPromptsResponseBody)
async def get_prompts(
    session: SessionDep, principal: PrincipalDep, cursor: Cursor = None, limit: Limit = 100
) -> Response:
    start = decode_id_cursor(cursor, "Prompt") if cursor else None
    rows, next_id = await service.list_prompts(session, principal, limit=min(limit, MAX_PAGE), cursor=start)
    next_cursor = None if next_id is None else encode_id_cursor("Prompt", next_id)
    return json_response({"data": [prompt_json(row) for row in rows], "next_cursor": next_cursor})


@router.post("/prompts", dependencies=[guard(Action.WRITE)], response_model=CreatePromptResponseBody)
async def post_prompt_version(session: SessionDep, principal: PrincipalDep, body: CreatePromptRequestBody) -> Response:
    prompt = body.prompt.model_dump(exclude_none=True)
    row = await service.add_prompt_version(session, principal, prompt, body.version.to_input())
    return json_response({"data": prompt_version_json(row)})


@router.get(
    "/prompts/{prompt_identifier}/versions",
    dependencies=[guard(Action.READ)],
    response_model=GetPromptVersionsResponseBody,
)
async def list_prompt_versions(
    session: SessionDep, principal: PrincipalDep, prompt_identifier: str, cursor: Cursor = None, limit: Limit = 100
) -> Response:
    start = decode_id_cursor(cursor, "PromptVersion") if cursor else None
    rows, next_id = await service.list_versions(
        session, principal, prompt_identifier, limit=min(limit, MAX_PAGE), cursor=start
    )
    next_cursor = None if next_id is None else encode_id_cursor("PromptVersion", next_id)
    return json_response({"data": [prompt_version_json(row) for row in rows], "next_cursor": next_cursor})


@router.get(
    "/prompt_versions/{prompt_version_id}", dependencies=[guard(Action.READ)], response_model=GetPromptResponseBody
)
async def get_prompt_version_by_prompt_version_id(
    session: SessionDep, principal: PrincipalDep, prompt_version_id: str
) -> Response:
    row = await service.get_version(session, principal, prompt_version_id)
    return json_response({"data": prompt_version_json(row)})


@router.get(
    "/prompts/{prompt_identifier}/tags/{tag_name}",
    dependencies=[guard(Action.READ)],
    response_model=GetPromptResponseBody,
)
async def get_prompt_version_by_tag_name(
    session: SessionDep, principal: PrincipalDep, prompt_identifier: str, tag_name: str
) -> Response:
    row = await service.get_version_by_tag(session, principal, prompt_identifier, tag_name)
    return json_response({"data": prompt_version_json(row)})


@router.get(
    "/prompts/{prompt_identifier}/latest", dependencies=[guard(Action.READ)], response_model=GetPromptResponseBody
)
async def get_prompt_version_latest(session: SessionDep, principal: PrincipalDep, prompt_identifier: str) -> Response:
    row = await service.get_latest_version(session, principal, prompt_identifier)
    return json_response({"data": prompt_version_json(row)})


@router.get(
    "/prompt_versions/{prompt_version_id}/tags",
    dependencies=[guard(Action.READ)],
    response_model=GetPromptVersionTagsResponseBody,
)
async def get_prompt_version_tags(
    session: SessionDep, principal: PrincipalDep, prompt_version_id: str, cursor: Cursor = None, limit: Limit = 100
) -> Response:
    start = decode_id_cursor(cursor, "PromptVersionTag") if cursor else None
    rows, next_id = await service.list_version_tags(
        session, principal, prompt_version_id, limit=min(limit, MAX_PAGE), cursor=start
    )
    next_cursor = None if next_id is None else encode_id_cursor("PromptVersionTag", next_id)
    return json_response({"data": [prompt_version_tag_json(row) for row in rows], "next_cursor": next_cursor})


@router.post("/prompt_versions/{prompt_version_id}/tags", dependencies=[guard(Action.WRITE)], status_code=204)
async def create_prompt_version_tag(
    session: SessionDep, principal: PrincipalDep, prompt_version_id: str, body: PromptVersionTagData
) -> Response:
    await service.tag_version(session, principal, prompt_version_id, name=body.name, description=body.description)
    return Response(status_code=204)


@router.delete(
    "/prompt_versions/{prompt_version_id}/tags/{tag_name}", dependencies=[guard(Action.WRITE)], status_code=204
)
async def delete_prompt_version_tag(
    session: SessionDep, principal: PrincipalDep, prompt_version_id: str, tag_name: str
) -> Response:
    await service.delete_version_tag(session, principal, prompt_version_id, tag_name)
    return Response(status_code=204)


@router.patch(
    "/prompts/{prompt_identifier}", dependencies=[guard(Action.WRITE)], response_model=PatchPromptResponseBody
)
async def patch_prompt(
    session: SessionDep, principal: PrincipalDep, prompt_identifier: str, body: PatchPromptRequestBody
) -> Response:
    row = await service.patch_prompt(session, principal, prompt_identifier, body.model_dump(exclude_unset=True))
    return json_response({"data": prompt_json(row)})


@router.delete("/prompts/{prompt_identifier}", dependencies=[guard(Action.WRITE)], status_code=204)
async def delete_prompt(session: SessionDep, principal: PrincipalDep, prompt_identifier: str) -> Response:
    await service.delete_prompt(session, principal, prompt_identifier)
    return Response(status_code=204)
