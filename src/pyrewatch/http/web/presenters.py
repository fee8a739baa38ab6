"""Display values for templates: durations, times, counts, and the time ranges pages offer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pyrewatch.clock import now_utc


def duration(ms: float | None) -> str:
    """``812 ms``, ``3.4 s``, ``2.1 min``; an em dash when unknown."""
    if ms is None:
        return "—"
    if ms < 1:
        return f"{ms:.2f} ms"
    if ms < 1000:
        return f"{ms:.0f} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    if ms < 3_600_000:
        return f"{ms / 60_000:.1f} min"
    return f"{ms / 3_600_000:.1f} h"


def timestamp(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def short_time(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.strftime("%m-%d %H:%M:%S")


def count(value: int | float | None) -> str:
    if value is None:
        return "—"
    return f"{int(value):,}".replace(",", "\u202f")


def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f} %"


def pretty_json(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return str(value)
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


def is_structured(value: Any) -> bool:
    if isinstance(value, dict | list):
        return True
    if isinstance(value, str) and value[:1] in "{[":
        try:
            json.loads(value)
        except ValueError:
            return False
        return True
    return False


FILTERS = {
    "duration": duration,
    "timestamp": timestamp,
    "short_time": short_time,
    "count": count,
    "percent": percent,
    "pretty_json": pretty_json,
}


@dataclass(frozen=True)
class TimeRange:
    key: str
    label: str
    span: timedelta | None

    def start(self, now: datetime | None = None) -> datetime | None:
        return None if self.span is None else (now or now_utc()) - self.span


TIME_RANGES = (
    TimeRange("15m", "Last 15 minutes", timedelta(minutes=15)),
    TimeRange("1h", "Last hour", timedelta(hours=1)),
    TimeRange("24h", "Last 24 hours", timedelta(hours=24)),
    TimeRange("7d", "Last 7 days", timedelta(days=7)),
    TimeRange("30d", "Last 30 days", timedelta(days=30)),
    TimeRange("all", "All time", None),
)
DEFAULT_RANGE = "24h"


def time_range(key: str | None, default: str = DEFAULT_RANGE) -> TimeRange:
    by_key = {r.key: r for r in TIME_RANGES}
    return by_key.get(key or default, by_key[default])
