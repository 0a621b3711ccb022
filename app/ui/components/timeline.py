"""The execution timeline: a Gantt-style plotly chart, one bar per step, ticks per attempt.

The figure is built on the server from the execution's steps (so it is testable without a
browser) and shown with `rx.plotly.basic`, the small plotly.js bundle with bars and scatter.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import plotly.graph_objects as go
import reflex as rx

from app.ui.components.status_badge import STATUS_COLORS

# Radix step-9 shades of the colour names in STATUS_COLORS, so the chart matches the badges.
RADIX_9: dict[str, str] = {
    "green": "#30a46c",
    "red": "#e5484d",
    "blue": "#0090ff",
    "amber": "#ffc53d",
    "gray": "#8b8d98",
}
INK = "#1c2024"  # Radix slate 12: the attempt marks


def status_hex(status: str) -> str:
    return RADIX_9.get(STATUS_COLORS.get(status, "gray"), RADIX_9["gray"])


def _at(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso else None


def _label(step: dict[str, Any]) -> str:
    return f"{step['position'] + 1}. {step['name'] or step['action_id']}"


def _ms(seconds: float) -> str:
    ms = seconds * 1000
    return f"{ms:.0f} ms" if ms < 1000 else f"{seconds:.2f} s"


def timeline_figure(detail: dict[str, Any], now: datetime) -> go.Figure:
    """Bars from each step's start to its end (now while it runs), in seconds since start."""
    steps = detail.get("steps") or []
    origin = _at(detail.get("started_at")) or _at(detail.get("queued_at")) or now
    spans: list[tuple[dict[str, Any], float, float]] = []
    for step in steps:
        start = _at(step["started_at"])
        end = _at(step["finished_at"]) or (now if step["status"] == "running" else start)
        if start is None or end is None:
            spans.append((step, 0.0, 0.0))  # pending or skipped: a row with no bar
            continue
        spans.append((step, (start - origin).total_seconds(), (end - start).total_seconds()))
    total = max([base + width for _, base, width in spans] or [0.0]) or 0.001
    visible = total * 0.006  # a 1 ms step in a 10 s run is still a sliver you can hover
    scale, unit = (1000.0, "ms") if total < 1 else (1.0, "seconds")  # no "0.001" ticks

    fig = go.Figure()
    for status in dict.fromkeys(step["status"] for step in steps):
        rows = [(s, b, w) for s, b, w in spans if s["status"] == status]
        fig.add_trace(
            go.Bar(
                name=status,
                orientation="h",
                y=[_label(s) for s, _, _ in rows],
                base=[b * scale for _, b, _ in rows],
                x=[max(w, visible) * scale if s["started_at"] else 0 for s, _, w in rows],
                customdata=[[status, _ms(w), len(s["attempts"])] for s, _, w in rows],
                hovertemplate="%{y}<br>%{customdata[0]} · %{customdata[1]}"
                " · %{customdata[2]} attempt(s)<extra></extra>",
                marker={"color": status_hex(status)},
                width=0.55,
            )
        )
    _add_attempts(fig, steps, origin, scale)
    fig.update_layout(
        template=go.layout.Template(),  # rx.plotly merges in the light/dark template
        barmode="overlay",
        height=min(max(140, 56 + 40 * len(steps)), 1100),
        margin={"l": 8, "r": 16, "t": 12, "b": 40},
        showlegend=False,  # the bars use the badge colours; the legend below names the ticks
        xaxis={"title": {"text": f"{unit} since start"}, "rangemode": "tozero", "zeroline": True},
        yaxis={
            "ticksuffix": "  ",
            "autorange": "reversed",
            "automargin": True,
            "categoryorder": "array",
            "categoryarray": [_label(s) for s in steps],
        },
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"family": "inherit", "size": 12},
        bargap=0.35,
        uirevision="timeline",  # keep zoom while live updates redraw it
    )
    return fig


def _add_attempts(
    fig: go.Figure, steps: list[dict[str, Any]], origin: datetime, scale: float
) -> None:
    """A cross at the start of every failed attempt, a tick at each other attempt of a retry.

    A step that worked at its first try gets no mark: its bar already says all of it.
    """
    ok: dict[str, list[Any]] = {"x": [], "y": [], "text": []}
    failed: dict[str, list[Any]] = {"x": [], "y": [], "text": []}
    for step in steps:
        for attempt in step["attempts"]:
            if not attempt.get("error") and len(step["attempts"]) == 1:
                continue
            into = failed if attempt.get("error") else ok
            into["x"].append(
                (datetime.fromisoformat(attempt["started_at"]) - origin).total_seconds() * scale
            )
            into["y"].append(_label(step))
            took = attempt.get("duration_ms")
            what = attempt.get("error") or "ok"
            into["text"].append(
                f"attempt {attempt['number']}"
                + (f" · {took:.0f} ms" if took else "")
                + f" · {what[:120]}"
            )
    # Dark outlines stay visible on every bar colour, including the red of a failed step.
    for name, points, marker in (
        (
            "attempt",
            ok,
            {
                "symbol": "line-ns-open",
                "size": 14,
                "color": INK,
                "line": {"width": 2, "color": INK},
            },
        ),
        (
            "failed attempt",
            failed,
            {"symbol": "x", "size": 11, "color": "#ffffff", "line": {"width": 1.5, "color": INK}},
        ),
    ):
        if points["x"]:
            fig.add_trace(
                go.Scatter(
                    name=name,
                    mode="markers",
                    x=points["x"],
                    y=points["y"],
                    hovertext=points["text"],
                    hoverinfo="text",
                    marker=marker,
                )
            )


def bar_count(fig: go.Figure) -> int:
    """How many step bars the figure draws (for tests and sanity checks)."""
    return sum(len(trace.y or ()) for trace in fig.data if trace.type == "bar")


def _key(mark: rx.Component, text: str) -> rx.Component:
    return rx.hstack(mark, rx.text(text, size="1"), spacing="1", align="center")


def _swatch(colour: str) -> rx.Component:
    return rx.box(width="10px", height="10px", border_radius="2px", background=colour)


def legend() -> rx.Component:
    """What the marks mean; bar colours are the status colours used everywhere."""
    return rx.flex(
        *[
            _key(_swatch(RADIX_9[c]), s)
            for s, c in (
                ("succeeded", "green"),
                ("failed", "red"),
                ("running", "blue"),
                ("skipped / cancelled", "gray"),
            )
        ],
        _key(rx.text("│", weight="bold", size="2"), "attempt of a retried step"),
        _key(rx.text("✕", weight="bold", size="2"), "failed attempt"),
        gap="0.5rem 1rem",
        wrap="wrap",
        color=rx.color("gray", 11),
        padding_x="0.5rem",
    )


def timeline_chart(figure: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.box(
            rx.plotly.basic(
                data=figure,
                config={"displayModeBar": False, "responsive": True},
                width="100%",
            ),
            width="100%",
            overflow_x="auto",
            contain="inline-size",  # scroll inside instead of widening the page
        ),
        legend(),
        spacing="2",
        width="100%",
        data_testid="timeline",
    )
