"""REST /v1 routes: api_keys."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1")
