"""Figures and table rows for the analytics views, built from the analytics services' answers.

Pure (plotly only, no Reflex, no database): unit-tested in tests/unit/ui/test_analytics_charts.py.
Every figure has a transparent background, grey text and a dark hover label with white text, so
it reads the same on the light and the dark theme.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import plotly.graph_objects as go

from app.core import dates

#: The status colours of the app (Radix step 9 of status_badge.STATUS_COLORS' scales).
STATUS_HEX: dict[str, str] = {
    "succeeded": "#30a46c",  # green
    "failed": "#e5484d",  # red
    "cancelled": "#8b8d98",  # gray
    "other": "#ffc53d",  # amber: interrupted
}
STATUS_LABELS = {"succeeded": "Succeeded", "failed": "Failed", "cancelled": "Cancelled",
                 "other": "Interrupted / other"}  # fmt: skip
PERCENTILE_HEX = {"p50_ms": "#0090ff", "p95_ms": "#f76b15", "p99_ms": "#e5484d"}
RATE_HEX = "#30a46c"
WAIT_HEX = "#8e4ec6"
_GRID = "rgba(128, 128, 128, 0.25)"
_FONT = "#8b8d98"
HEIGHT = 260
MAX_RANGE_DAYS = 366
PERIODS: dict[str, str] = {"1": "24 h", "7": "7 d", "30": "30 d", "90": "90 d"}

#: Columns of each chart's table view: (key in the series row, header).
SERIES_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "executions": [("t", "Time (UTC)"), ("succeeded", "Succeeded"), ("failed", "Failed"),
                   ("cancelled", "Cancelled"), ("other", "Other")],
    "success_rate": [("t", "Time (UTC)"), ("success_rate", "Success rate")],
    "duration": [("t", "Time (UTC)"), ("p50_ms", "p50"), ("p95_ms", "p95"), ("p99_ms", "p99")],
    "queue_wait": [("t", "Time (UTC)"), ("queue_wait_avg_ms", "Average queue wait")],
}  # fmt: skip


def duration_text(ms: float | None) -> str:
    if ms is None:
        return "—"
    if ms < 1000:
        return f"{ms:.0f} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    return f"{ms / 60_000:.1f} min"


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def when_text(iso: str | None, granularity: str = "hour") -> str:
    """`2026-12-01T13:00:00+00:00` → `2026-12-01 13:00 UTC` (hours) or `2026-12-01` (days)."""
    return dates.day_text(iso) if granularity == "day" else dates.when_text(iso)


def _layout(fig: go.Figure, y_title: str, *, stacked: bool = False) -> go.Figure:
    fig.update_xaxes(gridcolor=_GRID, showgrid=False)
    fig.update_yaxes(gridcolor=_GRID, zerolinecolor=_GRID, title_text=y_title, rangemode="tozero")
    fig.update_layout(
        height=HEIGHT,
        margin={"l": 56, "r": 12, "t": 12, "b": 36},
        barmode="stack" if stacked else None,
        bargap=0.15,
        hovermode="x unified",
        hoverlabel={"bgcolor": "#1c2024", "bordercolor": "#60646c",
                    "font": {"color": "#ffffff", "size": 12}},
        legend={"orientation": "h", "y": -0.18, "x": 0, "font": {"size": 11},
                "traceorder": "normal"},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"size": 11, "color": _FONT},
    )  # fmt: skip
    return fig


def _times(series: list[dict[str, Any]]) -> list[str]:
    return [row["t"] for row in series]


def executions_figure(series: list[dict[str, Any]]) -> go.Figure:
    """Executions per bucket as bars stacked by status, in the app's status colours."""
    fig = go.Figure()
    for key, colour in STATUS_HEX.items():
        fig.add_trace(
            go.Bar(
                x=_times(series),
                y=[row.get(key) or 0 for row in series],
                name=STATUS_LABELS[key],
                marker_color=colour,
                hovertemplate="%{y:,}",
            )
        )
    return _layout(fig, "Executions", stacked=True)


def success_rate_figure(series: list[dict[str, Any]]) -> go.Figure:
    """Success rate per bucket in percent; a bucket without runs is a gap, not 0 %."""
    ys = [None if row.get("success_rate") is None else row["success_rate"] * 100 for row in series]
    fig = go.Figure(
        go.Scatter(
            x=_times(series),
            y=ys,
            name="Success rate",
            mode="lines+markers",
            line={"color": RATE_HEX, "width": 2},
            marker={"size": 5},
            connectgaps=False,
            hovertemplate="%{y:.1f}%",
        )
    )
    _layout(fig, "Success rate (%)")
    fig.update_yaxes(range=[0, 105], rangemode=None)
    fig.update_layout(showlegend=False)
    return fig


def duration_figure(series: list[dict[str, Any]]) -> go.Figure:
    """Run duration p50 / p95 / p99 per bucket, in seconds."""
    fig = go.Figure()
    for key, colour in PERCENTILE_HEX.items():
        fig.add_trace(
            go.Scatter(
                x=_times(series),
                y=[None if row.get(key) is None else row[key] / 1000 for row in series],
                name=key.removesuffix("_ms"),
                mode="lines+markers",
                line={"color": colour, "width": 2},
                marker={"size": 4},
                hovertemplate="%{y:,.3~f} s",
            )
        )
    return _layout(fig, "Duration (s)")


def queue_wait_figure(series: list[dict[str, Any]]) -> go.Figure:
    """Average time a run waited in the queue before it started, per bucket, in seconds."""
    ys = [None if r.get("queue_wait_avg_ms") is None else r["queue_wait_avg_ms"] / 1000
          for r in series]  # fmt: skip
    fig = go.Figure(
        go.Scatter(
            x=_times(series),
            y=ys,
            name="Queue wait",
            mode="lines+markers",
            connectgaps=False,
            line={"color": WAIT_HEX, "width": 2},
            marker={"size": 4},
            hovertemplate="%{y:,.3~f} s",
        )
    )
    _layout(fig, "Average queue wait (s)")
    fig.update_layout(showlegend=False)
    return fig


FIGURES = {
    "executions": executions_figure,
    "success_rate": success_rate_figure,
    "duration": duration_figure,
    "queue_wait": queue_wait_figure,
}


def _cell(key: str, value: Any, granularity: str) -> str:
    if key == "t":
        return when_text(value, granularity)
    if key.endswith("_ms"):
        return duration_text(value)
    if key.endswith("rate"):
        return rate_text(value)
    return "0" if value is None else f"{value:,}"


def series_rows(series: list[dict[str, Any]], granularity: str) -> list[dict[str, str]]:
    """The series as display text for the table views (every column of every chart)."""
    keys = {key for columns in SERIES_COLUMNS.values() for key, _ in columns}
    return [{key: _cell(key, row.get(key), granularity) for key in keys} for row in series]


def csv_rows(series: list[dict[str, Any]], chart: str) -> list[dict[str, Any]]:
    """The raw numbers behind one chart, for its CSV download (machine-readable, not text)."""
    return [{key: row.get(key) for key, _ in SERIES_COLUMNS[chart]} for row in series]


def totals_text(totals: dict[str, Any]) -> dict[str, str]:
    return {
        "executions": f"{totals.get('executions') or 0:,}",
        "failed": f"{totals.get('failed') or 0:,}",
        "success_rate": rate_text(totals.get("success_rate")),
        "p50": duration_text(totals.get("p50_ms")),
        "p95": duration_text(totals.get("p95_ms")),
        "p99": duration_text(totals.get("p99_ms")),
        "queue_p50": duration_text(totals.get("queue_wait_p50_ms")),
        "queue_p95": duration_text(totals.get("queue_wait_p95_ms")),
    }


def parse_range(start: str, end: str, today: date | None = None) -> tuple[datetime, datetime]:
    """The custom period from two `YYYY-MM-DD` days (UTC, both included) as aware datetimes
    `[start 00:00, day after end 00:00)`; ValueError with a sentence for the person otherwise."""
    if not start or not end:
        raise ValueError("Pick both a first and a last day.")
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise ValueError("Days are written YYYY-MM-DD.") from None
    if last < first:
        raise ValueError("The last day is before the first day.")
    if first > (today or datetime.now(UTC).date()):
        raise ValueError("The first day is in the future.")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise ValueError(f"A period is at most {MAX_RANGE_DAYS} days.")
    begin = datetime(first.year, first.month, first.day, tzinfo=UTC)
    return begin, datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
