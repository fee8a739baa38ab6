"""REST /v1 routes: datasets."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["datasets"])
