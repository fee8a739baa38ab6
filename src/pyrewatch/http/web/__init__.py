"""The web UI: server-rendered pages (Phoenix's paths) beside REST, GraphQL and OTLP."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from pyrewatch.http.web import (
    account,
    annotation_configs,
    auth_pages,
    datasets,
    project_views,
    projects,
    prompts,
    sessions,
    span_datasets,
    traces,
    users,
)
from pyrewatch.http.web.errors import install_error_pages

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Mount the pages and their static files, and the HTML error pages for browsers."""
    for module in (
        auth_pages,
        account,
        users,
        projects,
        project_views,
        sessions,
        traces,
        datasets,
        prompts,
        annotation_configs,
        span_datasets,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_error_pages(app)
