"""/admin/workflows/[workflow_id]: definition summary, stats, recent runs, run button."""

from __future__ import annotations

import reflex as rx

from app.ui.components.breadcrumbs import breadcrumbs
from app.ui.components.layout import admin_page
from app.ui.components.link_button import link_button
from app.ui.components.run_strip import run_strip
from app.ui.components.stat_card import stat_card
from app.ui.components.status_badge import status_badge
from app.ui.components.step_overview import step_overview
from app.ui.components.tables import phone_cards
from app.ui.components.template_save import save_template_button, save_template_dialog
from app.ui.components.webhook_box import webhook_box
from app.ui.components.workflow_performance import performance_panel
from app.ui.components.workflow_transfer import export_button
from app.ui.live import ExecRow
from app.ui.pages.registry import page
from app.ui.pages.workflows import run_dialog
from app.ui.states.workflow_detail import WorkflowDetailState as S
from app.ui.states.workflow_performance import WorkflowPerformanceState as Perf


def _run(row: ExecRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link("#", row["id"], href="/admin/executions/" + row["id"].to(str))),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(row["trigger"]),
        rx.table.cell(row["started"]),
        rx.table.cell(row["duration"]),
        rx.table.cell(row["steps"]),
        rx.table.cell(rx.text(row["error"], size="1", color=rx.color("red", 11))),
    )


def _history() -> rx.Component:
    return rx.vstack(
        rx.heading("Run history", size="3"),
        rx.card(
            rx.vstack(
                run_strip(
                    S.strip,
                    S.strip_label,
                    bar_width=10,
                    height="56px",
                    testid="detail-run-strip",
                ),
                rx.text(
                    "The last 30 runs, newest on the right; a bar's height is the run's "
                    "duration. Click one to open it.",
                    size="1",
                    color=rx.color("gray", 11),
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _body() -> rx.Component:
    w = S.workflow
    return rx.vstack(
        rx.hstack(
            rx.link(
                rx.hstack(
                    rx.icon("arrow-left", size=14), "All workflows", align="center", spacing="1"
                ),
                href="/admin/workflows",
                size="2",
            ),
            rx.spacer(),
            link_button(
                rx.icon("pencil", size=14),
                "Edit",
                href="/admin/workflows/" + w["id"].to(str) + "/edit",
                variant="soft",
            ),
            link_button(
                rx.icon("workflow", size=14),
                "Designer",
                href="/admin/workflows/" + w["id"].to(str) + "/designer",
                variant="soft",
                data_testid="detail-designer",
            ),
            export_button(w["id"]),
            save_template_button(w["id"], w["name"]),
            rx.button(
                rx.icon("play", size=14),
                "Run now",
                on_click=S.ask_run(w["id"], w["name"]),
                disabled=~w["active"],
                data_testid="detail-run",
            ),
            width="100%",
            align="center",
            spacing="3",
            wrap="wrap",  # a phone stacks the buttons instead of widening the page
        ),
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(w["name"], size="5"),
                    rx.cond(
                        w["active"],
                        rx.badge("active", color_scheme="green"),
                        rx.badge("paused", color_scheme="gray"),
                    ),
                    rx.badge(w["type"], variant="outline"),
                    rx.link(
                        rx.badge("version ", S.version, variant="soft"),
                        href="/admin/versions?workflow=" + w["id"].to(str),
                        title="History of this workflow",
                    ),
                    align="center",
                    wrap="wrap",
                ),
                rx.cond(S.description != "", rx.text(S.description, color=rx.color("gray", 11))),
                rx.hstack(rx.icon("zap", size=14), rx.text(w["trigger"], size="2"), align="center"),
                rx.cond(
                    S.stats.get("next_runs", "") != "",
                    rx.text(S.stats.get("next_runs", ""), size="1", color=rx.color("gray", 11)),
                ),
                rx.cond(S.webhook_url != "", webhook_box(S.webhook_url)),
                rx.text(
                    "Priority ",
                    S.priority,
                    " · at most ",
                    S.concurrency,
                    " run(s) at a time",
                    size="1",
                    color=rx.color("gray", 11),
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        rx.grid(
            stat_card("Runs", S.stats.get("runs", "0"), "activity", S.found),
            stat_card("Runs (24 h)", S.stats.get("runs_24h", "0"), "clock", S.found),
            stat_card("Success rate", S.stats.get("success_rate", "–"), "circle-check", S.found),
            stat_card(
                "Duration p50 / p95",
                S.stats.get("p50", "–").to(str) + " / " + S.stats.get("p95", "–").to(str),
                "timer",
                S.found,
            ),
            columns=rx.breakpoints(initial="2", md="4"),
            spacing="3",
            width="100%",
        ),
        rx.heading("Steps", size="3"),
        step_overview(S.steps),
        _history(),
        rx.heading("Recent executions", size="3"),
        rx.cond(
            S.recent.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in (
                                "Run",
                                "Status",
                                "Trigger",
                                "Started",
                                "Duration",
                                "Steps",
                                "Error",
                            )
                        ]
                    )
                ),
                rx.table.body(rx.foreach(S.recent, _run)),
                variant="surface",
                width="100%",
                style=phone_cards(
                    ("Run", "Status", "Trigger", "Started", "Duration", "Steps", "Error")
                ),
            ),
            rx.text("It has not run yet. Press “Run now”.", color=rx.color("gray", 11), size="2"),
        ),
        run_dialog(S),
        save_template_dialog(),
        spacing="4",
        width="100%",
    )


def _tabs() -> rx.Component:
    """The workflow itself, and its Performance panel (`?tab=performance`)."""
    return rx.tabs.root(
        rx.tabs.list(
            rx.tabs.trigger("Overview", value="overview"),
            rx.tabs.trigger("Performance", value="performance", data_testid="tab-performance"),
            margin_bottom="1rem",
        ),
        rx.tabs.content(_body(), value="overview"),
        rx.tabs.content(performance_panel(), value="performance"),
        value=Perf.tab,
        on_change=Perf.set_tab,
        width="100%",
    )


@page(
    route="/admin/workflows/[workflow_id]",
    title=S.page_title,
    on_load=[S.load_detail, Perf.load],
)
def workflow_detail_page() -> rx.Component:
    return admin_page(
        "Workflow",
        breadcrumbs(("Workflows", "/admin/workflows"), (S.workflow["name"], None)),
        rx.cond(
            S.error != "",
            rx.callout(S.error, icon="circle-x", color_scheme="red", width="100%"),
            rx.cond(S.found, _tabs(), rx.skeleton(rx.box(height="320px", width="100%"))),
        ),
    )
