"""Datasets: the list, a dataset's experiments, examples and versions, and experiments side by
side (``/datasets/{id}/compare?experimentId=…``, Phoenix's path)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from pyrewatch.db.session import transaction
from pyrewatch.http.middleware import principal_of
from pyrewatch.http.web.comparison import comparison_view
from pyrewatch.http.web.errors import WebRoute
from pyrewatch.http.web.paging import PAGE_SIZE, after_cursor
from pyrewatch.http.web.render import render, state_of
from pyrewatch.ids import encode_global_id
from pyrewatch.services import datasets as dataset_service
from pyrewatch.services import experiments as experiment_service
from pyrewatch.services.experiment_comparison import MAX_COMPARED, compare_experiments

router = APIRouter(route_class=WebRoute, include_in_schema=False)
MAX_EXAMPLES_SHOWN = 500


@router.get("/datasets")
async def datasets_page(request: Request) -> Response:
    principal = principal_of(request.scope)
    cursor = after_cursor(request)
    async with transaction(state_of(request).session_factory) as session:
        found, next_cursor = await dataset_service.list_datasets(
            session, principal, limit=PAGE_SIZE, cursor=cursor, name=None
        )
    rows = [
        {"gid": encode_global_id("Dataset", s.dataset.id), "d": s.dataset, "examples": s.example_count} for s in found
    ]
    context = {"rows": rows, "next_cursor": next_cursor, "is_later_page": cursor is not None}
    return render(request, "datasets/list.html", context, block="results")


async def _dataset_context(request: Request, dataset_id: str, view: str) -> dict[str, Any]:
    principal = principal_of(request.scope)
    async with transaction(state_of(request).session_factory) as session:
        summary = await dataset_service.get_dataset(session, principal, dataset_id)
        context: dict[str, Any] = {"summary": summary, "d": summary.dataset, "gid": dataset_id, "view": view}
        if view == "experiments":
            experiments, _ = await experiment_service.list_experiments(
                session, principal, dataset_id, limit=PAGE_SIZE, cursor=None
            )
            context["experiments"] = [
                {"gid": encode_global_id("Experiment", s.experiment.id), "s": s, "e": s.experiment} for s in experiments
            ]
            context["max_compared"] = MAX_COMPARED
        elif view == "examples":
            version = request.query_params.get("version") or None
            found = await dataset_service.list_examples(
                session, principal, dataset_id, version, limit=MAX_EXAMPLES_SHOWN + 1
            )
            context["version_gid"] = encode_global_id("DatasetVersion", found.version_id)
            context["examples"] = [
                {
                    "gid": encode_global_id("DatasetExample", e.example.id),
                    "e": e,
                    "splits": found.splits.get(e.example.id, []),
                }
                for e in found.examples[:MAX_EXAMPLES_SHOWN]
            ]
            context["more_examples"] = len(found.examples) > MAX_EXAMPLES_SHOWN
        else:
            versions, _ = await dataset_service.list_dataset_versions(
                session, principal, dataset_id, limit=PAGE_SIZE, cursor=None
            )
            context["versions"] = [{"gid": encode_global_id("DatasetVersion", v.id), "v": v} for v in versions]
    return context


@router.get("/datasets/{dataset_id}")
async def dataset_page(request: Request, dataset_id: str) -> Response:
    return render(request, "datasets/dataset.html", await _dataset_context(request, dataset_id, "experiments"))


@router.get("/datasets/{dataset_id}/experiments")
async def dataset_experiments_page(request: Request, dataset_id: str) -> Response:
    return render(request, "datasets/dataset.html", await _dataset_context(request, dataset_id, "experiments"))


@router.get("/datasets/{dataset_id}/examples")
async def dataset_examples_page(request: Request, dataset_id: str) -> Response:
    return render(request, "datasets/dataset.html", await _dataset_context(request, dataset_id, "examples"))


@router.get("/datasets/{dataset_id}/versions")
async def dataset_versions_page(request: Request, dataset_id: str) -> Response:
    return render(request, "datasets/dataset.html", await _dataset_context(request, dataset_id, "versions"))


@router.get("/datasets/{dataset_id}/compare")
async def compare_page(request: Request, dataset_id: str) -> Response:
    """One experiment's runs with their evaluations, or several side by side against the first."""
    gids = request.query_params.getlist("experimentId")
    after = after_cursor(request)
    async with transaction(state_of(request).session_factory) as session:
        comparison = await compare_experiments(session, principal_of(request.scope), dataset_id, gids, after)
    base_query = urlencode([("experimentId", g) for g in gids])
    context = {
        "d": comparison.dataset,
        "gid": dataset_id,
        "view": "experiments",
        "base_query": base_query,
        "is_later_page": after is not None,
    } | comparison_view(comparison)
    return render(request, "datasets/compare.html", context)
