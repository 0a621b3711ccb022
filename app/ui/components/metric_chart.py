"""An article's metrics over time: one small plotly panel (one line) per measured value, the
time axes shared; an empty state when nothing was measured."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import reflex as rx
from plotly.subplots import make_subplots

LABELS = {
    "ranking.position": "Average search position (1 is the top)",
    "ranking.clicks": "Search clicks",
    "ranking.impressions": "Search impressions",
    "ranking.ctr": "Search click-through rate",
    "traffic.visitors": "Visitors",
    "traffic.pageviews": "Pageviews",
    "engagement.bounce_rate": "Bounce rate (%)",
    "engagement.visit_duration": "Visit duration (s)",
}
ORDER = tuple(LABELS)
COLUMNS = 2
ROW_HEIGHT = 200
_GRID = "rgba(128, 128, 128, 0.25)"


def metric_figure(series: dict[str, list[dict[str, Any]]]) -> go.Figure:
    """The figure for `{name: [{"at", "value"}, …]}`: a small panel per value with its own
    scale (a position of 7 and 340 impressions do not share an axis), the time axes shared;
    an empty figure for no series."""
    if not series:
        return go.Figure()
    names = [n for n in ORDER if n in series] + sorted(set(series) - set(ORDER))
    rows = -(-len(names) // COLUMNS)
    fig = make_subplots(
        rows=rows,
        cols=COLUMNS,
        shared_xaxes=True,
        vertical_spacing=0.5 / rows,
        horizontal_spacing=0.08,
        subplot_titles=[f"{LABELS.get(n, n)}" for n in names],
    )
    for at, name in enumerate(names):
        row, col = at // COLUMNS + 1, at % COLUMNS + 1
        points = series[name]
        fig.add_trace(
            go.Scatter(
                x=[p["at"] for p in points],
                y=[p["value"] for p in points],
                mode="lines+markers",
                name=name,
                hovertemplate="%{y:,.4~g}<extra>" + name + "</extra>",
            ),
            row=row,
            col=col,
        )
        if name == "ranking.position":
            fig.update_yaxes(autorange="reversed", row=row, col=col)
    fig.update_xaxes(gridcolor=_GRID)
    fig.update_yaxes(gridcolor=_GRID, zerolinecolor=_GRID)
    fig.update_layout(
        height=ROW_HEIGHT * rows + 40,
        margin={"l": 50, "r": 20, "t": 40, "b": 30},
        showlegend=False,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"size": 11, "color": "#8b8d98"},
    )
    fig.update_annotations(font={"size": 12})
    return fig


def metric_chart(figure: rx.Var, has_data: rx.Var) -> rx.Component:
    return rx.cond(
        has_data,
        rx.box(
            rx.plotly.basic(
                data=figure, config={"displayModeBar": False, "responsive": True}, width="100%"
            ),
            width="100%",
            data_testid="metric-chart",
        ),
        rx.callout(
            "No metrics measured for this article yet. A workflow's monitor step with "
            'metrics (e.g. ["ranking", "traffic", "engagement"]) writes them; add a Plausible, '
            "Umami or Search Console connection under Connections first.",
            icon="chart-line",
            color_scheme="gray",
            width="100%",
            data_testid="metric-chart-empty",
        ),
    )
