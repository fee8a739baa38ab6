"""Discovery documents: ``/auth.md`` and ``/.well-known/oauth-protected-resource``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
