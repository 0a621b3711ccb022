"""Admin → Executions: every run, newest first, live on the unfiltered first page."""

from __future__ import annotations

import reflex as rx

from app.core.statuses import ExecutionStatus
from app.services.executions import LISTED_TRIGGERS
from app.ui.components.bulk_bar import EXECUTION_BULK as BULK
from app.ui.components.bulk_bar import (
    bulk_bar,
    confirm_bulk_dialog,
    page_checkbox,
    row_checkbox,
    summary_dialog,
)
from app.ui.components.layout import admin_page, empty_state
from app.ui.components.link_button import link_button
from app.ui.components.status_badge import status_badge
from app.ui.components.tables import phone_cards
from app.ui.live import ExecRow, LiveOps
from app.ui.pages.registry import page
from app.ui.states.executions import ALL, PAGE_SIZE, ExecutionsState
from app.ui.states.session import SessionState

State = ExecutionsState
RANGE_LABELS = [
    ("1h", "Last hour"),
    ("24h", "Last 24 hours"),
    ("7d", "Last 7 days"),
    (ALL, "Any time"),
]
ONE_LINE = {
    "display": "block",
    "white_space": "nowrap",
    "overflow": "hidden",
    "text_overflow": "ellipsis",
}
HEADERS = ["Status", "Run", "Workflow", "Trigger", "Started (UTC)", "Duration", "Steps", "Error"]


def testid_badge(status: rx.Var | str, testid: str) -> rx.Component:
    badge = status_badge(status)
    badge.custom_attrs["data-testid"] = testid
    return badge


def _select(
    placeholder: str, value: rx.Var, on_change: rx.EventHandler, items: rx.Component, label: str
) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder=placeholder, min_width="150px", aria_label=label),
        rx.select.content(items),
        value=value,
        on_change=on_change,
        size="2",
    )


def _items(pairs: list[tuple[str, str]]) -> rx.Component:
    return rx.fragment(*[rx.select.item(text, value=value) for value, text in pairs])


def filters() -> rx.Component:
    statuses = [(ALL, "All statuses")] + [(s.value, s.value) for s in ExecutionStatus]
    triggers = [(ALL, "All triggers")] + [(t, t) for t in LISTED_TRIGGERS]
    return rx.flex(
        _select(
            "Workflow",
            State.workflow_filter,
            State.set_workflow_filter,
            rx.fragment(
                rx.select.item("All workflows", value=ALL),
                rx.foreach(
                    State.workflow_options, lambda w: rx.select.item(w["name"], value=w["id"])
                ),
            ),
            "Filter by workflow",
        ),
        _select(
            "Status",
            State.status_filter,
            State.set_status_filter,
            _items(statuses),
            "Filter by status",
        ),
        _select(
            "Trigger",
            State.trigger_filter,
            State.set_trigger_filter,
            _items(triggers),
            "Filter by trigger",
        ),
        _select(
            "Time",
            State.range_filter,
            State.set_range_filter,
            _items(RANGE_LABELS),
            "Filter by time range",
        ),
        rx.cond(
            State.filtered,
            rx.button(
                rx.icon("x", size=14),
                "Clear filters",
                variant="ghost",
                size="2",
                on_click=State.clear_filters,
                data_testid="clear-filters",
            ),
        ),
        rx.spacer(),
        rx.cond(
            State.live,
            rx.badge(
                rx.icon("radio", size=12),
                "Live",
                color_scheme="green",
                variant="surface",
                data_testid="live-badge",
            ),
            rx.badge("Page ", State.page_number, color_scheme="gray", variant="surface"),
        ),
        gap="0.75rem",
        wrap="wrap",
        align="center",
        width="100%",
        data_testid="execution-filters",
    )


def execution_row(row: ExecRow) -> rx.Component:
    detail = f"/admin/executions/{row['id']}"
    muted = rx.color("gray", 11)
    return rx.table.row(
        rx.table.cell(row_checkbox(State, row["id"])),
        rx.table.cell(testid_badge(row["status"], "execution-status")),
        rx.table.cell(
            rx.link(f"#{row['id']}", href=detail, weight="medium", on_click=rx.stop_propagation),
            rx.cond(
                row["retry_of"] != 0,
                rx.link(
                    f"retry of #{row['retry_of']}",
                    href=f"/admin/executions/{row['retry_of']}",
                    on_click=rx.stop_propagation,
                    size="1",
                    color=muted,
                    display="block",
                    white_space="nowrap",
                    data_testid="execution-retry-of",
                ),
            ),
        ),
        rx.table.cell(
            rx.link(
                row["workflow"],
                href=f"/admin/workflows/{row['workflow_id']}",
                on_click=rx.stop_propagation,
                color=rx.color("gray", 12),
                weight="medium",
            ),
            white_space="nowrap",
        ),
        rx.table.cell(rx.badge(row["trigger"], variant="outline", color_scheme="gray")),
        rx.table.cell(rx.text(row["started"], size="2", color=muted), white_space="nowrap"),
        rx.table.cell(rx.text(row["duration"], size="2"), white_space="nowrap"),
        rx.table.cell(
            rx.text(row["steps"], size="2", data_testid="execution-steps"),
            rx.cond(
                row["reused"] > 0,
                rx.text(
                    row["reused"].to_string() + " reused",
                    size="1",
                    color=rx.color("gray", 11),
                    title="Steps this retry took over from the run it retried (not run again)",
                    data_testid="execution-reused",
                ),
            ),
        ),
        rx.table.cell(
            rx.cond(
                row["error"] != "",
                rx.tooltip(
                    rx.text(
                        row["error"],
                        size="2",
                        color=rx.color("red", 11),
                        style=ONE_LINE,
                        max_width="280px",
                        data_testid="execution-error",
                    ),
                    content=row["error"],
                ),
                rx.text("—", size="2", color=rx.color("gray", 11)),
            ),
            max_width="300px",
        ),
        on_click=rx.redirect(detail),
        cursor="pointer",
        _hover={"background": rx.color("gray", 2)},
        align="center",
        custom_attrs={"data-execution-id": row["id"]},
        data_testid="execution-row",
    )


def _skeleton_rows() -> rx.Component:
    return rx.fragment(
        *[
            rx.table.row(
                *[
                    rx.table.cell(rx.skeleton(rx.text("loading…"), height="1.25rem"))
                    for _ in ["", *HEADERS]
                ]
            )
            for _ in range(6)
        ]
    )


def table(rows: rx.Var, ready: rx.Var) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(
                        page_checkbox(State, rows.map(lambda r: r["id"])),  # type: ignore[attr-defined]
                        width="36px",
                    ),
                    *[rx.table.column_header_cell(h) for h in HEADERS],
                )
            ),
            rx.table.body(rx.cond(ready, rx.foreach(rows, execution_row), _skeleton_rows())),
            variant="surface",
            size="2",
            width="100%",
            min_width="900px",
            style=phone_cards(["", "", *HEADERS[1:]]),  # the status beside the checkbox
        ),
        width="100%",
        overflow_x="auto",
        contain="inline-size",  # scroll inside instead of widening the page
    )


def empty() -> rx.Component:
    return rx.cond(
        State.filtered,
        rx.vstack(
            empty_state(
                "search-x",
                "No executions match these filters",
                "Widen the time range or clear the filters to see every run.",
            ),
            rx.button("Clear filters", variant="soft", on_click=State.clear_filters),
            align="center",
            width="100%",
        ),
        rx.vstack(
            empty_state(
                "play",
                "No executions yet",
                "Run a workflow from the Workflows tab (or let its schedule or webhook fire): "
                "each run appears here the moment it starts, and updates live.",
            ),
            link_button(rx.icon("workflow", size=14), "Go to Workflows", href="/admin/workflows"),
            align="center",
            width="100%",
        ),
    )


def pager(count: rx.Var, has_older: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(count, " shown", size="2", color=rx.color("gray", 11)),
        rx.spacer(),
        rx.button(
            rx.icon("chevron-left", size=14),
            "Newer",
            variant="soft",
            size="2",
            disabled=State.cursors.length() == 0,
            on_click=State.newer,
            data_testid="page-newer",
        ),
        rx.button(
            "Older",
            rx.icon("chevron-right", size=14),
            variant="soft",
            size="2",
            disabled=~has_older,
            on_click=State.older,
            data_testid="page-older",
        ),
        width="100%",
        align="center",
    )


def listing(rows: rx.Var, has_older: rx.Var, ready: rx.Var) -> rx.Component:
    return rx.cond(
        ready & (rows.length() == 0),
        empty(),
        rx.vstack(table(rows, ready), pager(rows.length(), has_older), spacing="3", width="100%"),
    )


@page(
    route="/admin/executions",
    title="Executions · Flowdeck",
    on_load=[SessionState.guard_admin_area, LiveOps.link, ExecutionsState.load],
)
def executions_page() -> rx.Component:
    return admin_page(
        "Executions",
        rx.vstack(
            rx.text(
                "Every run of every workflow, newest first. Click a run for its steps.",
                color=rx.color("gray", 11),
            ),
            filters(),
            bulk_bar(State, BULK, "execution"),
            rx.cond(
                State.live,
                listing(
                    LiveOps.executions, LiveOps.executions.length() >= PAGE_SIZE, LiveOps.loaded
                ),
                listing(State.rows, State.next_cursor != "", State.loaded),
            ),
            confirm_bulk_dialog(State, BULK),
            summary_dialog(State),
            spacing="4",
            width="100%",
        ),
    )
