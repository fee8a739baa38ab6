"""REST /v1 routes: annotations."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1")
