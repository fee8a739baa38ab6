"""Query-parameter helpers shared by the /v1 routers."""

from __future__ import annotations

from datetime import datetime

from pyrewatch.clock import ensure_utc
from pyrewatch.errors import InvalidInput

__all__ = ["utc_bound"]


def utc_bound(value: datetime | None, name: str) -> datetime | None:
    """A time bound in UTC (naive values are UTC); 422 when it cannot be represented in UTC."""
    if value is None:
        return None
    try:
        return ensure_utc(value)
    except (OverflowError, ValueError):
        raise InvalidInput(f"Invalid {name}: {value.isoformat()}") from None
