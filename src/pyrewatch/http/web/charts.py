"""Server-side SVG charts for the metrics view: geometry only, the template draws it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pyrewatch.http.web.presenters import TimeRange, count, duration, percent
from pyrewatch.services.project_stats import Bucket, ProjectMetrics

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 10, 196


def bucket_for(selected: TimeRange) -> Bucket:
    if selected.span is None:
        return "day"
    hours = selected.span.total_seconds() / 3600
    if hours <= 1:
        return "minute"
    return "hour" if hours <= 24 * 7 else "day"


@dataclass
class Series:
    label: str
    index: int
    values: list[float | None]
    bars: list[dict[str, Any]] = field(default_factory=list)
    dots: list[dict[str, Any]] = field(default_factory=list)
    points: str = ""


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # "bars" (stacked) or "lines"
    times: list[datetime]
    series: list[Series]
    fmt: Callable[[float], str]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: int = BOTTOM
    y_ticks: list[dict[str, Any]] = field(default_factory=list)
    x_ticks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def points(self) -> int:
        """Buckets with data."""
        return sum(1 for column in zip(*(s.values for s in self.series), strict=True) if any(v for v in column))

    @property
    def summary(self) -> str:
        parts = [f"{s.label} up to {self.fmt(max((v for v in s.values if v), default=0))}" for s in self.series]
        return f"{self.points} of {len(self.times)} buckets with data; " + ", ".join(parts)


_STEPS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}
MAX_BUCKETS = 400


def _floor(at: datetime, bucket: Bucket) -> datetime:
    at = at.replace(second=0, microsecond=0)
    if bucket != "minute":
        at = at.replace(minute=0)
    return at.replace(hour=0) if bucket == "day" else at


def timeline(start: datetime | None, end: datetime, bucket: Bucket, first: datetime | None) -> list[datetime]:
    """Every bucket from the window's start (or the first data point) to ``end``, at most
    ``MAX_BUCKETS`` of them, so that time runs evenly along the x axis."""
    step = _STEPS[bucket]
    origin = start or first or end
    last = _floor(end, bucket)
    at = max(_floor(origin, bucket), last - step * (MAX_BUCKETS - 1))
    times = []
    while at <= last:
        times.append(at)
        at += step
    return times


def _label(at: datetime, bucket: Bucket) -> str:
    return at.strftime("%H:%M" if bucket == "minute" else "%m-%d %H:00" if bucket == "hour" else "%Y-%m-%d")


def _layout(chart: Chart, bucket: Bucket) -> Chart:
    n = len(chart.times)
    if chart.points == 0:
        return chart
    stacked = chart.kind == "bars"
    columns = zip(*(s.values for s in chart.series), strict=True)
    tops = (
        [sum(v or 0.0 for v in column) for column in columns]
        if stacked
        else [v for s in chart.series for v in s.values if v is not None]
    )
    top_value = max(tops, default=0.0) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, BOTTOM - TOP
    step = plot_w / n

    def y_of(value: float) -> float:
        return BOTTOM - plot_h * value / top_value

    chart.y_ticks = [{"y": round(y_of(top_value * f), 1), "label": chart.fmt(top_value * f)} for f in (0, 0.5, 1)]
    every = max(1, n // 5)
    chart.x_ticks = [
        {"x": round(LEFT + step * (i + 0.5), 1), "label": _label(t, bucket)}
        for i, t in enumerate(chart.times)
        if i % every == 0 and LEFT + step * (i + 0.5) < WIDTH - 40
    ]
    base = [0.0] * n
    for s in chart.series:
        for i, value in enumerate(s.values):
            if value is None or (stacked and value == 0):
                continue
            x = LEFT + step * i
            title = f"{_label(chart.times[i], bucket)}: {s.label} {chart.fmt(value)}"
            if stacked:
                y0, y1 = y_of(base[i]), y_of(base[i] + value)
                bar = {"x": round(x + step * 0.1, 1), "y": round(y1, 1), "w": round(max(step * 0.8, 1.0), 1)}
                s.bars.append(bar | {"h": round(y0 - y1, 1), "title": title})
                base[i] += value
            else:
                s.dots.append({"x": round(x + step / 2, 1), "y": round(y_of(value), 1), "title": title})
        s.points = " ".join(f"{d['x']},{d['y']}" for d in s.dots)
    return chart


BAR_CHARTS = frozenset({"traces", "tokens"})


def _chart(
    key: str,
    title: str,
    times: list[datetime],
    series: list[tuple[str, dict[datetime, float]]],
    fmt: Callable[[float], str],
    bucket: Bucket,
) -> Chart:
    kind = "bars" if key in BAR_CHARTS else "lines"
    aligned = [Series(label, i, [values.get(t) for t in times]) for i, (label, values) in enumerate(series)]
    return _layout(Chart(key, title, kind, times, aligned, fmt), bucket)


def metric_charts(metrics: ProjectMetrics, start: datetime | None, end: datetime) -> list[Chart]:
    """Traces, error rate, latency and tokens per bucket, from three aggregate queries (traces
    per bucket, latency percentiles per bucket, errors and tokens per bucket)."""
    b = metrics.bucket
    t, lat, act = metrics.traces, metrics.latency, metrics.activity
    firsts = [series[0].at for series in (t, lat, act) if series]
    times = timeline(start, end, b, min(firsts, default=None))
    counts = {p.at: float(p.traces) for p in t}
    failed = {p.at: float(p.error_traces) for p in act}
    ok = {at: max(0.0, n - failed.get(at, 0.0)) for at, n in counts.items()}
    rate = {at: min(1.0, failed.get(at, 0.0) / n) for at, n in counts.items() if n}
    p50 = {p.at: p.p50_ms for p in lat}
    p99 = {p.at: p.p99_ms for p in lat}
    prompt = {p.at: float(p.prompt) for p in act}
    completion = {p.at: float(p.completion) for p in act}
    return [
        _chart("traces", f"Traces per {b}", times, [("without errors", ok), ("with errors", failed)], count, b),
        _chart("errors", "Error rate", times, [("traces with errors", rate)], percent, b),
        _chart("latency", "Latency", times, [("p50", p50), ("p99", p99)], duration, b),
        _chart("tokens", f"Tokens per {b}", times, [("prompt", prompt), ("completion", completion)], count, b),
    ]
