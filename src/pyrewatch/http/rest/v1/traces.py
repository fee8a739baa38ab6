"""REST /v1 routes: traces."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1")
