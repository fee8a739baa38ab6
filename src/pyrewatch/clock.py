"""The only caller of ``datetime.now``: every timestamp in Pyrewatch is timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def now_utc() -> datetime:
    return datetime.now(UTC)


def ensure_utc(value: datetime) -> datetime:
    """Read a naive datetime as UTC (as Phoenix does) and convert aware ones to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def isoformat(value: datetime) -> str:
    """ISO 8601 with a numeric offset, the form Phoenix puts on the wire."""
    return ensure_utc(value).isoformat()
