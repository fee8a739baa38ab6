"""REST /v1 routes: users."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1")
