"""JSON responses: every route that answers JSON builds it with ``json_response``.

The body is serialized once with the standard library (no response-model re-validation). Stored
attributes may hold non-finite floats, which JSON cannot express: they are sent as ``null``
instead of failing the request. Text stored by older versions may hold lone surrogates, which
UTF-8 cannot encode: they are sent as U+FFFD.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from starlette.responses import Response

__all__ = ["dumps", "json_response"]

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


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
        text = json.dumps(content, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)
    except ValueError:
        text = json.dumps(_finite(content), ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)
    return text if text.isascii() else _encodable(text)


def _encodable(text: str) -> str:
    """``text`` with lone surrogates (which UTF-8 cannot encode) replaced by U+FFFD."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text)
    return text


def json_response(content: Any, status_code: int = 200) -> Response:
    return Response(dumps(content).encode(), status_code=status_code, media_type="application/json")
