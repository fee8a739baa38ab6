"""Make decoded span values storable on every database and readable back. Pure.

Applied to the final values (after JSON strings have been parsed and keys unflattened), so text
that only appears after parsing (``"\\u0000"`` inside a JSON string) is cleaned too:

* NUL (PostgreSQL text and JSONB cannot hold it) and lone UTF-16 surrogates (not encodable as
  UTF-8, so no answer could carry them) become U+FFFD, in keys and values;
* non-finite floats become strings (``"inf"``, ``"nan"``): JSON has no such numbers;
* nesting deeper than ``MAX_DEPTH`` is cut: the deeper value is replaced by ``None``.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["MAX_DEPTH", "clean_json", "clean_text"]

MAX_DEPTH = 128
_BAD = re.compile("[\x00\ud800-\udfff]")


def clean_text(value: str) -> str:
    """``value`` with NUL and lone surrogates replaced by U+FFFD."""
    if value.isascii():
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    return _BAD.sub("\ufffd", value)


def clean_json(value: Any, depth: int = 0) -> Any:
    """A JSON value (dicts, lists, str, numbers, bool, None) cleaned as the module describes."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, bool | int) or value is None:
        return value
    if depth >= MAX_DEPTH:
        return None
    if isinstance(value, dict):
        return {clean_text(str(key)): clean_json(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(item, depth + 1) for item in value]
    return clean_text(str(value))
