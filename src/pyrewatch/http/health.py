"""Probes and the version endpoint: public, cheap, and never behind authentication."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text
from starlette.responses import PlainTextResponse, Response

from pyrewatch.http.deps import AppStateDep
from pyrewatch.http.json_response import json_response
from pyrewatch.http.middleware import PHOENIX_COMPATIBLE_VERSION

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> Response:
    return PlainTextResponse("OK")


@router.get("/readyz")
async def readyz(state: AppStateDep) -> Response:
    try:
        async with state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means not ready; the probe must answer
        return PlainTextResponse("database unreachable", status_code=503)
    return json_response({})


@router.get("/arize_phoenix_version")
async def arize_phoenix_version() -> Response:
    # The Phoenix clients gate features on this number; report the version whose wire behavior
    # Pyrewatch reproduces.
    return PlainTextResponse(PHOENIX_COMPATIBLE_VERSION)
