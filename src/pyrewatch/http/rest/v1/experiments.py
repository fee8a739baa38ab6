"""REST /v1 routes: experiments."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["experiments"])
