"""/admin/analytics: how all workflows ran over a period — executions by status, success rate,
duration percentiles and queue wait over time, and the busiest, slowest and most failing
workflows (each one a click away from its Performance panel)."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from app.ui.components.analytics_views import (
    charts,
    download_button,
    period_bar,
    range_error,
    totals,
)
from app.ui.components.layout import admin_page
from app.ui.components.tables import phone_cards
from app.ui.pages.registry import page
from app.ui.states.analytics import AnalyticsState as S


def _perf_href(workflow_id: rx.Var, step: rx.Var | str = "") -> rx.Var:
    href = "/admin/workflows/" + workflow_id.to(str) + "?tab=performance&" + S.drill_query
    return href if isinstance(step, str) and not step else href + "&step=" + step


def _name(row: rx.Var) -> rx.Component:
    return rx.link(row["name"], href=_perf_href(row["workflow_id"]), weight="medium")


def _busiest(row: rx.Var) -> rx.Component:
    return rx.table.row(rx.table.cell(_name(row)), rx.table.cell(row["executions"]))


def _slowest(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_name(row)), rx.table.cell(row["p95"]), rx.table.cell(row["executions"])
    )


def _failing(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_name(row)),
        rx.table.cell(
            rx.text(
                rx.text.span(row["failures"], color=rx.color("red", 11), weight="medium"),
                " · ",
                row["failure_rate"],
                white_space="nowrap",
            )
        ),
        rx.table.cell(
            rx.cond(
                row["step"] != "",
                rx.link(
                    rx.code(row["step"]),
                    href=_perf_href(row["workflow_id"], row["step"]),
                    title="This step's errors",
                    data_testid="drill-step",
                ),
                rx.text("run error", size="1", color=rx.color("gray", 11)),
            )
        ),
        rx.table.cell(rx.text(row["first"], size="1")),
        rx.table.cell(rx.text(row["last"], size="1")),
        data_testid="most-failing-row",
    )


def _ranking(
    key: str, title: str, headers: list[str], rows: rx.Var, render: Callable, empty: str
) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(title, size="3"),
                rx.spacer(),
                download_button(S, key, title),
                align="center",
                width="100%",
            ),
            rx.cond(
                rows.length() > 0,  # type: ignore[attr-defined]
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(*[rx.table.column_header_cell(h) for h in headers])
                        ),
                        rx.table.body(rx.foreach(rows, render)),
                        size="1",
                        width="100%",
                        style=phone_cards(headers),
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                rx.text(empty, size="2", color=rx.color("gray", 11)),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        min_width="0",
        data_testid=f"ranking-{key.replace('_', '-')}",
    )


def _rankings() -> rx.Component:
    return rx.vstack(
        _ranking("most_failing", "Most failing workflows",
                 ["Workflow", "Failures", "Failing step", "First failure", "Last failure"],
                 S.most_failing, _failing, "No failures in this period."),
        rx.grid(
            _ranking("busiest", "Busiest workflows", ["Workflow", "Runs"], S.busiest, _busiest,
                     "No runs."),
            _ranking("slowest", "Slowest workflows (p95)", ["Workflow", "p95", "Runs"], S.slowest,
                     _slowest, "No runs."),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )  # fmt: skip


@page(route="/admin/analytics", title="Analytics · Flowdeck", on_load=S.load)
def analytics_page() -> rx.Component:
    return admin_page(
        "Analytics",
        rx.vstack(
            rx.text(
                "How every workflow ran: which fail, at which step, since when, and how slow.",
                color=rx.color("gray", 11),
            ),
            period_bar(S, "analytics"),
            range_error(S, "analytics"),
            rx.cond(
                S.problem != "",
                rx.callout(S.problem, icon="circle-x", color_scheme="red", width="100%"),
            ),
            totals(S),
            charts(S, "No workflow ran in this period. Pick a longer period, or run one."),
            rx.cond(S.loaded & S.has_runs, _rankings()),
            spacing="4",
            width="100%",
            data_testid="analytics-page",
        ),
    )
