"""OTLP over HTTP: ``POST /v1/traces``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
