"""Server-side SVG charts for the metrics view: geometry only, the template draws it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pyrewatch.http.web.presenters import TimeRange, count, duration, percent
from pyrewatch.services.project_stats import ProjectMetrics
from pyrewatch.store.project_stats import Bucket

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
    values: list[float]
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
        return len(self.times)

    @property
    def summary(self) -> str:
        parts = [f"{s.label} up to {self.fmt(max(s.values, default=0))}" for s in self.series]
        return f"{self.points} points; " + ", ".join(parts)


def _label(at: datetime, bucket: Bucket) -> str:
    return at.strftime("%H:%M" if bucket == "minute" else "%m-%d %H:00" if bucket == "hour" else "%Y-%m-%d")


def _layout(chart: Chart, bucket: Bucket) -> Chart:
    n = len(chart.times)
    if n == 0:
        return chart
    stacked = chart.kind == "bars"
    top_value = max(
        (sum(vals) for vals in zip(*(s.values for s in chart.series), strict=True))
        if stacked
        else (v for s in chart.series for v in s.values),
        default=0.0,
    )
    top_value = top_value or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, BOTTOM - TOP
    step = plot_w / n

    def y_of(value: float) -> float:
        return BOTTOM - plot_h * value / top_value

    chart.y_ticks = [{"y": round(y_of(top_value * f), 1), "label": chart.fmt(top_value * f)} for f in (0, 0.5, 1)]
    every = max(1, n // 5)
    chart.x_ticks = [
        {"x": round(LEFT + step * (i + 0.5), 1), "label": _label(t, bucket)}
        for i, t in enumerate(chart.times)
        if i % every == 0
    ]
    base = [0.0] * n
    for s in chart.series:
        for i, value in enumerate(s.values):
            x = LEFT + step * i
            title = f"{_label(chart.times[i], bucket)}: {s.label} {chart.fmt(value)}"
            if stacked:
                y0, y1 = y_of(base[i]), y_of(base[i] + value)
                s.bars.append(
                    {
                        "x": round(x + step * 0.1, 1),
                        "y": round(y1, 1),
                        "w": round(step * 0.8, 1),
                        "h": round(y0 - y1, 1),
                        "title": title,
                    }
                )
                base[i] += value
            else:
                s.dots.append({"x": round(x + step / 2, 1), "y": round(y_of(value), 1), "title": title})
        s.points = " ".join(f"{d['x']},{d['y']}" for d in s.dots)
    return chart


BAR_CHARTS = frozenset({"traces", "tokens"})


def _chart(
    key: str,
    title: str,
    times: Sequence[datetime],
    series: list[tuple[str, list[float]]],
    fmt: Callable[[float], str],
    bucket: Bucket,
) -> Chart:
    kind = "bars" if key in BAR_CHARTS else "lines"
    built = Chart(
        key, title, kind, list(times), [Series(label, i, values) for i, (label, values) in enumerate(series)], fmt
    )
    return _layout(built, bucket)


def metric_charts(metrics: ProjectMetrics) -> list[Chart]:
    """Traces, error rate, latency and tokens per bucket, each from one aggregate query."""
    b = metrics.bucket
    t, lat, tok = metrics.traces, metrics.latency, metrics.tokens
    times = [p.at for p in t]
    ok = [float(p.traces - p.errors) for p in t]
    failed = [float(p.errors) for p in t]
    rate = [p.errors / p.traces if p.traces else 0.0 for p in t]
    return [
        _chart("traces", f"Traces per {b}", times, [("without errors", ok), ("with errors", failed)], count, b),
        _chart("errors", "Error rate", times, [("traces with errors", rate)], percent, b),
        _chart(
            "latency",
            "Latency",
            [p.at for p in lat],
            [("p50", [p.p50_ms for p in lat]), ("p99", [p.p99_ms for p in lat])],
            duration,
            b,
        ),
        _chart(
            "tokens",
            f"Tokens per {b}",
            [p.at for p in tok],
            [("prompt", [float(p.prompt) for p in tok]), ("completion", [float(p.completion) for p in tok])],
            count,
            b,
        ),
    ]
