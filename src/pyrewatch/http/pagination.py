"""Opaque pagination cursors.

Every cursor names the first row of the next page and is applied inclusively. Project and
annotation cursors are the row's GlobalID (as Phoenix's are); span and trace cursors also carry
the sort value so the next page is one keyset index range scan. A cursor that does not decode is
a 422 with a plain-text message, never a server error.
"""

from __future__ import annotations

import base64
import binascii
import math
from datetime import UTC, datetime

from pyrewatch.errors import InvalidInput
from pyrewatch.ids import MAX_ROW_ID, encode_global_id, parse_typed_global_id
from pyrewatch.services.spans import SpanKey
from pyrewatch.services.traces import TraceKey

__all__ = [
    "decode_id_cursor",
    "decode_span_cursor",
    "decode_trace_cursor",
    "encode_id_cursor",
    "encode_span_cursor",
    "encode_trace_cursor",
]

MAX_CURSOR_LENGTH = 512


def encode_id_cursor(type_name: str, row_id: int) -> str:
    return encode_global_id(type_name, row_id)


def decode_id_cursor(cursor: str, type_name: str, message: str = "Invalid cursor format: {cursor}") -> int:
    row_id = parse_typed_global_id(cursor, type_name) if len(cursor) <= MAX_CURSOR_LENGTH else None
    if row_id is None or row_id > MAX_ROW_ID:
        raise InvalidInput(message.format(cursor=cursor))
    return row_id


def _encode(kind: str, row_id: int, value: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{row_id}:{value}".encode()).decode()


def _decode(cursor: str, kinds: tuple[str, ...]) -> tuple[str, int, str]:
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError(cursor)
        raw = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8")
        kind, row_id_text, value = raw.split(":", 2)
        row_id = int(row_id_text)
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidInput(f"Invalid cursor: {cursor}") from None
    if kind not in kinds or not 0 < row_id <= MAX_ROW_ID:
        raise InvalidInput(f"Invalid cursor: {cursor}")
    return kind, row_id, value


def _parse_time(value: str, cursor: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"Invalid cursor: {cursor}") from None
    if parsed.tzinfo is None:
        raise InvalidInput(f"Invalid cursor: {cursor}")
    return parsed.astimezone(UTC)


def encode_span_cursor(key: SpanKey) -> str:
    if key.start_time is None:
        return _encode("si", key.id, "")
    return _encode("st", key.id, key.start_time.isoformat())


def decode_span_cursor(cursor: str, *, by_start_time: bool) -> SpanKey:
    """Raises InvalidInput for anything but a span cursor of the same sort."""
    _, row_id, value = _decode(cursor, ("st",) if by_start_time else ("si",))
    return SpanKey(start_time=_parse_time(value, cursor) if by_start_time else None, id=row_id)


def encode_trace_cursor(key: TraceKey, *, by_tokens: bool = False) -> str:
    if isinstance(key.value, datetime):
        return _encode("tt", key.id, key.value.isoformat())
    return _encode("tk" if by_tokens else "tl", key.id, repr(key.value))


def decode_trace_cursor(cursor: str, *, by_latency: bool, by_tokens: bool = False) -> TraceKey:
    """Raises InvalidInput for anything but a trace cursor of the same sort."""
    kind = "tk" if by_tokens else "tl" if by_latency else "tt"
    _, row_id, value = _decode(cursor, (kind,))
    if kind == "tt":
        return TraceKey(value=_parse_time(value, cursor), id=row_id)
    try:
        latency = float(value)
    except ValueError:
        raise InvalidInput(f"Invalid cursor: {cursor}") from None
    if not math.isfinite(latency):
        raise InvalidInput(f"Invalid cursor: {cursor}")
    return TraceKey(value=latency, id=row_id)
