"""Spans chosen in a project's spans table, added to a dataset (or a new one) as examples."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from pyrewatch.db.session import transaction
from pyrewatch.errors import BadRequest, Conflict, Forbidden, InvalidInput, NotFound
from pyrewatch.http.middleware import principal_of
from pyrewatch.http.web.errors import WebRoute
from pyrewatch.http.web.forms import read_form
from pyrewatch.http.web.render import redirect, render, state_of
from pyrewatch.ids import encode_global_id
from pyrewatch.services import datasets as dataset_service
from pyrewatch.services import projects as project_service
from pyrewatch.services.span_examples import MAX_SPANS, add_spans_to_dataset

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PATH = "/projects/{project_id}/spans/add-to-dataset"
MAX_DATASETS_OFFERED = 200
_FORM_ERRORS = (InvalidInput, BadRequest, Conflict, Forbidden, NotFound)


async def _page(request: Request, project_id: str, span_ids: list[str], extra: dict[str, Any]) -> Response:
    principal = principal_of(request.scope)
    async with transaction(state_of(request).session_factory) as session:
        project = await project_service.get_project(session, principal, project_id)
        found, _ = await dataset_service.list_datasets(
            session, principal, limit=MAX_DATASETS_OFFERED, cursor=None, name=None
        )
    datasets = [{"gid": encode_global_id("Dataset", s.dataset.id), "name": s.dataset.name} for s in found]
    context = {
        "project": project,
        "gid": project_id,
        "span_ids": span_ids[:MAX_SPANS],
        "datasets": datasets,
        "values": {},
        "back": f"/projects/{project_id}/spans",
    } | extra
    return render(request, "datasets/add_spans.html", context, status=422 if extra.get("error") else 200)


@router.get(PATH)
async def add_spans_page(request: Request, project_id: str) -> Response:
    """What a person confirms: the chosen spans, and the dataset to add them to."""
    span_ids = request.query_params.getlist("span_id")
    error = None if span_ids else "Select at least one span in the spans table first."
    return await _page(request, project_id, span_ids, {"error": error} if error else {})


@router.post(PATH)
async def add_spans(request: Request, project_id: str) -> Response:
    form = await read_form(request)
    span_ids = form.all("span_id")
    dataset, new_name = form.optional("dataset"), form.optional("new_name")
    try:
        async with transaction(state_of(request).session_factory) as session:
            result = await add_spans_to_dataset(
                session, principal_of(request.scope), span_ids, dataset_gid=dataset, new_name=new_name
            )
    except _FORM_ERRORS as exc:
        values = {"dataset": dataset or "", "new_name": new_name or ""}
        return await _page(request, project_id, span_ids, {"error": exc.message, "values": values})
    query = urlencode({"notice": "spans-added"})
    return redirect(request, f"/datasets/{encode_global_id('Dataset', result.dataset_id)}/examples", query=query)
