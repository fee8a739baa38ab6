"""Checks that user-supplied JSON can be stored by every dialect."""

from __future__ import annotations

import math
from typing import Any

from pyrewatch.errors import InvalidInput

__all__ = ["check_json"]

MAX_DEPTH = 64


def check_json(value: Any, depth: int = 0) -> None:
    """Finite numbers, no NUL characters (PostgreSQL JSONB refuses them), bounded nesting.

    Raises:
        InvalidInput: naming what is wrong.
    """
    if depth > MAX_DEPTH:
        raise InvalidInput("JSON value is nested too deeply")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput("JSON numbers must be finite")
    if isinstance(value, str) and "\x00" in value:
        raise InvalidInput("JSON text must not contain NUL characters")
    if isinstance(value, dict):
        for key, item in value.items():
            check_json(key, depth + 1)
            check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_json(item, depth + 1)
