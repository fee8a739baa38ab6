"""Pure view-model code of the web UI: display values, the waterfall layout, chart timelines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pyrewatch.http.web.charts import MAX_BUCKETS, timeline
from pyrewatch.http.web.presenters import count, duration, percent, time_range
from pyrewatch.http.web.span_view import MIN_BAR_PERCENT, waterfall
from pyrewatch.store.span_outlines import SpanOutline

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ms", "text"),
    [(None, "—"), (0.25, "0.25 ms"), (812.4, "812 ms"), (3400, "3.4 s"), (126_000, "2.1 min"), (7_200_000, "2.0 h")],
)
def test_durations_read_like_people_write_them(ms: float | None, text: str) -> None:
    assert duration(ms) == text


def test_counts_and_percentages() -> None:
    assert count(1234567) == "1\u202f234\u202f567"
    assert percent(0.0512) == "5.1 %"
    assert percent(None) == "—"


def test_unknown_time_ranges_fall_back_to_the_default() -> None:
    assert time_range("7d").span == timedelta(days=7)
    assert time_range("nonsense").key == "24h"
    assert time_range(None, default="7d").key == "7d"
    assert time_range("all").start() is None


def _outline(span_id: str, parent: str | None, start_ms: float, end_ms: float, status: str = "OK") -> SpanOutline:
    return SpanOutline(
        id=int(span_id, 16),
        span_id=span_id,
        parent_id=parent,
        name=f"span-{span_id}",
        span_kind="CHAIN",
        status_code=status,
        start_time=T0 + timedelta(milliseconds=start_ms),
        end_time=T0 + timedelta(milliseconds=end_ms),
    )


def test_waterfall_is_the_tree_in_depth_first_order_scaled_to_the_trace() -> None:
    spans = [
        _outline("a", None, 0, 1000),
        _outline("b", "a", 0, 500),
        _outline("c", "a", 500, 1000, status="ERROR"),
        _outline("d", "b", 100, 100.001),
        _outline("e", "missing", 999.9, 1000),  # an orphan shows as a root
    ]
    rows = waterfall(spans)
    assert [(r.span_id, r.depth) for r in rows] == [("a", 0), ("b", 1), ("d", 2), ("c", 1), ("e", 0)]
    by_id = {r.span_id: r for r in rows}
    assert (by_id["a"].left, by_id["a"].width) == (0, 100)
    assert (by_id["c"].left, by_id["c"].width) == (50, 50) and by_id["c"].is_error
    # Tiny spans stay visible, and no bar runs past the end.
    assert by_id["d"].width == MIN_BAR_PERCENT
    assert by_id["e"].left + by_id["e"].width <= 100
    assert waterfall([]) == []


def test_timelines_cover_the_window_evenly_and_stay_bounded() -> None:
    end = datetime(2026, 1, 2, 12, 30, tzinfo=UTC)
    hours = timeline(end - timedelta(hours=24), end, "hour", None)
    assert len(hours) == 25 and hours[0] == datetime(2026, 1, 1, 12, tzinfo=UTC) and hours[-1].hour == 12
    assert all(b - a == timedelta(hours=1) for a, b in zip(hours, hours[1:], strict=False))
    everything = timeline(None, end, "minute", end - timedelta(days=30))
    assert len(everything) == MAX_BUCKETS and everything[-1] == datetime(2026, 1, 2, 12, 30, tzinfo=UTC)
    assert timeline(None, end, "day", None) == [datetime(2026, 1, 2, tzinfo=UTC)]
