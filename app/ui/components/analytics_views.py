"""The pieces the Analytics page and a workflow's Performance panel share: the period bar,
the totals, and a chart card with its table view and CSV download. `S` is a state using
`states.analytics.AnalyticsCharts`."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.ui.components.analytics_charts import PERIODS, SERIES_COLUMNS
from app.ui.components.layout import empty_state
from app.ui.components.stat_card import stat_card
from app.ui.components.tables import phone_cards

CHART_TITLES = {
    "executions": ("Executions", "Runs per bucket, stacked by how they ended."),
    "success_rate": ("Success rate", "Share of finished runs that succeeded."),
    "duration": ("Duration p50 / p95 / p99", "How long runs took, start to end."),
    "queue_wait": ("Queue wait", "How long runs waited before they started."),
}


def period_bar(S: Any, testid: str) -> rx.Component:  # noqa: N803
    return rx.flex(
        rx.segmented_control.root(
            *[rx.segmented_control.item(label, value=v) for v, label in PERIODS.items()],
            rx.segmented_control.item("Custom", value="custom"),
            value=S.period,
            on_change=S.set_period,
            size=rx.breakpoints(initial="1", sm="2"),  # five choices fit a 390 px phone
            data_testid=f"{testid}-period",
        ),
        rx.cond(
            S.period == "custom",
            rx.flex(
                rx.input(
                    type="date",
                    value=S.custom_start,
                    on_change=S.set_custom_start,
                    aria_label="First day (UTC)",
                    data_testid=f"{testid}-start",
                ),
                rx.text("to", size="2", color=rx.color("gray", 11)),
                rx.input(
                    type="date",
                    value=S.custom_end,
                    on_change=S.set_custom_end,
                    aria_label="Last day (UTC)",
                    data_testid=f"{testid}-end",
                ),
                rx.button("Apply", on_click=S.apply_range, size="2", data_testid=f"{testid}-apply"),
                gap="0.5rem",
                align="center",
                wrap="wrap",
            ),
        ),
        rx.cond(S.loading, rx.spinner(size="2", data_testid=f"{testid}-loading")),
        rx.spacer(),
        rx.text(S.period_text, size="1", color=rx.color("gray", 11)),
        gap="0.75rem",
        align="center",
        wrap="wrap",
        width="100%",
    )


def range_error(S: Any, testid: str) -> rx.Component:  # noqa: N803
    return rx.cond(
        S.range_error != "",
        rx.callout(
            S.range_error,
            icon="calendar-x",
            color_scheme="red",
            size="1",
            role="alert",
            data_testid=f"{testid}-range-error",
        ),
    )


def totals(S: Any) -> rx.Component:  # noqa: N803
    t = S.totals
    return rx.grid(
        stat_card("Executions", t.get("executions", "0"), "activity", S.loaded, "total-runs"),
        stat_card("Success rate", t.get("success_rate", "—"), "circle-check", S.loaded,
                  "total-success", hint=t.get("failed", "0").to(str) + " failed"),
        stat_card("Duration p95", t.get("p95", "—"), "timer", S.loaded, "total-p95",
                  hint="p50 " + t.get("p50", "—").to(str) + " · p99 " + t.get("p99", "—").to(str)),
        stat_card("Queue wait p95", t.get("queue_p95", "—"), "hourglass", S.loaded, "total-wait",
                  hint="p50 " + t.get("queue_p50", "—").to(str)),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="3",
        width="100%",
    )  # fmt: skip


def _series_table(S: Any, chart: str) -> rx.Component:  # noqa: N803
    columns = SERIES_COLUMNS[chart]
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(*[rx.table.column_header_cell(label) for _, label in columns])
            ),
            rx.table.body(
                rx.foreach(
                    S.rows,
                    lambda row: rx.table.row(*[rx.table.cell(row[key]) for key, _ in columns]),
                )
            ),
            size="1",
            width="100%",
            style=phone_cards([label for _, label in columns]),
        ),
        max_height="260px",
        overflow_y="auto",
        width="100%",
        data_testid=f"table-{chart}",
    )


def download_button(S: Any, key: str, label: str) -> rx.Component:  # noqa: N803
    return rx.icon_button(
        rx.icon("download", size=14),
        size="1",
        variant="soft",
        color_scheme="gray",
        on_click=S.download_csv(key),
        title="Download CSV",
        aria_label=f"Download {label} as CSV",
        data_testid=f"csv-{key}",
    )


def chart_card(S: Any, chart: str) -> rx.Component:  # noqa: N803
    title, hint = CHART_TITLES[chart]
    figure = getattr(S, f"fig_{chart}")
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading(title, size="3"),
                    rx.text(hint, size="1", color=rx.color("gray", 11)),
                    spacing="0",
                ),
                rx.spacer(),
                rx.segmented_control.root(
                    rx.segmented_control.item("Chart", value="chart"),
                    rx.segmented_control.item("Table", value="table"),
                    value=rx.cond(S.tables.contains(chart), "table", "chart"),
                    on_change=lambda mode: S.show_as(chart, mode),
                    size="1",
                    data_testid=f"view-{chart}",
                ),
                download_button(S, chart, title),
                align="start",
                spacing="2",
                width="100%",
            ),
            rx.cond(
                S.tables.contains(chart),
                _series_table(S, chart),
                rx.box(
                    rx.plotly.basic(
                        data=figure,
                        config={"displayModeBar": False, "responsive": True},
                        width="100%",
                    ),
                    width="100%",
                    data_testid=f"chart-{chart}",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        min_width="0",
    )


def charts(S: Any, empty_hint: str) -> rx.Component:  # noqa: N803
    """The four charts; a skeleton before the first answer, an empty state without runs."""
    return rx.cond(
        S.loaded,
        rx.cond(
            S.has_runs,
            rx.grid(
                *[chart_card(S, chart) for chart in CHART_TITLES],
                columns=rx.breakpoints(initial="1", lg="2"),
                spacing="3",
                width="100%",
                opacity=rx.cond(S.loading, "0.6", "1"),
            ),
            empty_state("chart-no-axes-column", "No executions in this period", empty_hint),
        ),
        rx.grid(
            *[rx.skeleton(rx.box(height="300px", width="100%")) for _ in CHART_TITLES],
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="3",
            width="100%",
            data_testid="charts-loading",
        ),
    )
