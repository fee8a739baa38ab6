"""JSON responses: every route that answers JSON builds it with ``json_response``.

The body is serialized once with the standard library (no response-model re-validation). Stored
attributes may hold non-finite floats, which JSON cannot express: they are sent as ``null``
instead of failing the request.
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.responses import Response

__all__ = ["dumps", "json_response"]


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def dumps(content: Any) -> str:
    try:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)
    except ValueError:
        return json.dumps(_finite(content), ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)


def json_response(content: Any, status_code: int = 200) -> Response:
    return Response(dumps(content).encode(), status_code=status_code, media_type="application/json")
