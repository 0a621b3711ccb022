"""/admin/workflows: stats cards, the workflow table and its row actions."""

from __future__ import annotations

import reflex as rx

from app.ui.components.bulk_bar import WORKFLOW_BULK as BULK
from app.ui.components.bulk_bar import (
    bulk_bar,
    confirm_bulk_dialog,
    page_checkbox,
    row_checkbox,
    summary_dialog,
)
from app.ui.components.layout import admin_page, empty_state
from app.ui.components.link_button import link_button
from app.ui.components.run_strip import run_strip
from app.ui.components.stat_card import stat_card
from app.ui.components.status_badge import status_badge
from app.ui.components.tables import delete_dialog, phone_cards, sort_header
from app.ui.components.workflow_transfer import import_button, import_dialog
from app.ui.forms.trigger_kinds import TRIGGER_TYPES
from app.ui.live import LiveOps
from app.ui.pages.registry import page
from app.ui.states.session import SessionState
from app.ui.states.workflows import WorkflowRow
from app.ui.states.workflows import WorkflowsState as S


def _cards() -> rx.Component:
    c, loaded = LiveOps.cards, LiveOps.loaded
    return rx.grid(
        stat_card(
            "Workflows",
            c.get("total_workflows", "0"),
            "workflow",
            loaded,
            "card-total",
            "all defined",
        ),
        stat_card(
            "Active",
            c.get("active_workflows", "0"),
            "circle-play",
            loaded,
            "card-active",
            "not paused",
        ),
        stat_card(
            "Executions (24 h)",
            c.get("executions_24h", "0"),
            "activity",
            loaded,
            "card-24h",
            "all time: " + c.get("executions_total", "0").to(str),
        ),
        stat_card(
            "Success rate (24 h)",
            c.get("success_rate_24h", "–"),
            "circle-check",
            loaded,
            "card-success",
        ),
        stat_card(
            "Running now",
            c.get("running_now", "0"),
            "loader",
            loaded,
            "card-running",
            c.get("queued_now", "0").to(str) + " queued",
        ),
        stat_card(
            "Last activity",
            c.get("last_activity", "–"),
            "clock",
            loaded,
            "card-last",
            c.get("last_activity_day", "").to(str) + " UTC",
        ),
        columns=rx.breakpoints(initial="2", md="3", xl="6"),
        spacing="3",
        width="100%",
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            placeholder="Search by name",
            value=S.search,
            on_change=lambda v: S.set_filter("search", v),
            debounce_timeout=300,
            width="240px",
            custom_attrs={"data-page-search": ""},  # `/` focuses it
            data_testid="workflow-search",
        ),
        rx.select(
            ["all types", "custom", "n8n", "zapier", "git", "api"],
            value=S.type_filter,
            on_change=lambda v: S.set_filter("type_filter", v),
            custom_attrs={"aria-label": "Type"},
        ),
        rx.select(
            ["active or paused", "active", "paused"],
            value=S.active_filter,
            on_change=lambda v: S.set_filter("active_filter", v),
            custom_attrs={"aria-label": "State"},
        ),
        rx.select(
            ["any trigger", *TRIGGER_TYPES],
            value=S.trigger_filter,
            on_change=lambda v: S.set_filter("trigger_filter", v),
            custom_attrs={"aria-label": "Trigger"},
        ),
        rx.spacer(),
        import_button(),
        link_button(
            rx.icon("plus", size=16),
            "New workflow",
            href="/admin/workflows/new",
            data_testid="new-workflow",
        ),
        width="100%",
        align="center",
        wrap="wrap",
        spacing="3",
    )


def _sortable(label: str, column: str) -> rx.Component:
    return sort_header(label, column, S.sort, S.set_sort(column))


def _live(row: WorkflowRow, field: str) -> rx.Var:
    """A run column: the pushed counters once the workflow has run, else the loaded row."""
    key = row["id"].to(str)
    return rx.cond(LiveOps.counters.contains(key), LiveOps.counters[key][field], row[field])


def _row(row: WorkflowRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row_checkbox(S, row["id"])),
        rx.table.cell(
            rx.link(row["name"], href="/admin/workflows/" + row["id"].to(str), weight="medium")
        ),
        rx.table.cell(rx.badge(row["type"], variant="outline")),
        rx.table.cell(
            rx.tooltip(
                rx.text(row["trigger"], size="2"),
                content=rx.cond(row["next_runs"] != "", row["next_runs"], row["trigger"]),
            )
        ),
        rx.table.cell(
            rx.cond(
                row["active"],
                rx.badge("active", color_scheme="green"),
                rx.badge("paused", color_scheme="gray"),
            )
        ),
        rx.table.cell(
            rx.cond(
                _live(row, "last_status") != "",
                rx.vstack(
                    status_badge(_live(row, "last_status")),
                    rx.text(_live(row, "last_run"), size="1", color=rx.color("gray", 11)),
                    spacing="1",
                ),
                rx.text("never", size="2", color=rx.color("gray", 11)),
            )
        ),
        rx.table.cell(
            # `get`: rows kept from an earlier visit may be drawn before their strips arrive.
            run_strip(
                S.strips.get(row["id"].to(str), []),
                S.strip_labels.get(row["id"].to(str), ""),
                bar_width=3,
            ),
            padding_top="0.9rem",
        ),
        rx.table.cell(_live(row, "runs"), data_testid="workflow-runs"),
        rx.table.cell(_live(row, "success_rate")),
        rx.table.cell(_live(row, "avg_duration")),
        rx.table.cell(_row_menu(row)),
        data_testid="workflow-row",
        align="center",
    )


def _row_menu(row: WorkflowRow) -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("play", size=14),
            "Run",
            size="1",
            variant="soft",
            on_click=S.ask_run(row["id"], row["name"]),
            disabled=~row["active"],
            data_testid="run-workflow",
        ),
        rx.dropdown_menu.root(
            rx.dropdown_menu.trigger(
                rx.icon_button(
                    rx.icon("ellipsis", size=14), size="1", variant="ghost", aria_label="More"
                )
            ),
            rx.dropdown_menu.content(
                rx.dropdown_menu.item(
                    "Edit", on_click=rx.redirect("/admin/workflows/" + row["id"].to(str) + "/edit")
                ),
                rx.cond(
                    row["active"],
                    rx.dropdown_menu.item("Pause", on_click=S.toggle_active(row["id"], False)),
                    rx.dropdown_menu.item("Resume", on_click=S.toggle_active(row["id"], True)),
                ),
                rx.dropdown_menu.item("Duplicate", on_click=S.duplicate(row["id"])),
                rx.dropdown_menu.separator(),
                rx.dropdown_menu.item(
                    "Delete", color="red", on_click=S.ask_delete(row["id"], row["name"])
                ),
            ),
        ),
        spacing="2",
        align="center",
    )


def run_dialog(state=S) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Run ", state.run_name),
            rx.dialog.description(
                "Optional trigger payload, as a JSON object. Templates see it as `trigger`.",
                size="2",
                margin_bottom="0.75rem",
            ),
            rx.text_area(
                value=state.run_payload,
                on_change=state.set_run_payload,
                rows="6",
                font_family="monospace",
                width="100%",
                data_testid="run-payload",
            ),
            rx.cond(
                state.run_error != "",
                rx.text(
                    state.run_error, color=rx.color("red", 11), size="1", data_testid="run-error"
                ),
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button(
                    rx.icon("play", size=14),
                    "Run now",
                    on_click=state.confirm_run,
                    data_testid="confirm-run",
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="480px",
        ),
        open=state.run_id != 0,
        on_open_change=state.close_run,
    )


def _table() -> rx.Component:
    return rx.cond(
        S.rows.length() > 0,
        rx.vstack(
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell(
                                page_checkbox(S, S.rows.map(lambda r: r["id"])),
                                width="36px",
                            ),
                            _sortable("Name", "name"),
                            rx.table.column_header_cell("Type"),
                            rx.table.column_header_cell("Trigger"),
                            rx.table.column_header_cell("State"),
                            _sortable("Last run", "last_run_at"),
                            rx.table.column_header_cell("Last 30 runs", white_space="nowrap"),
                            _sortable("Runs", "runs"),
                            rx.table.column_header_cell("Success"),
                            _sortable("Avg time", "avg_duration_ms"),
                            rx.table.column_header_cell(""),
                        )
                    ),
                    rx.table.body(rx.foreach(S.rows, _row)),
                    variant="surface",
                    width="100%",
                    style=phone_cards(
                        (
                            "",
                            "",
                            "Type",
                            "Trigger",
                            "State",
                            "Last run",
                            "Last 30 runs",
                            "Runs",
                            "Success",
                        )
                        + ("Avg time", "")
                    ),
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.hstack(
                rx.text(S.page_label, size="2", color=rx.color("gray", 11)),
                rx.spacer(),
                rx.button(
                    "Previous",
                    size="1",
                    variant="soft",
                    on_click=S.go_page(-1),
                    disabled=S.page == 0,
                ),
                rx.button(
                    "Next",
                    size="1",
                    variant="soft",
                    on_click=S.go_page(1),
                    disabled=(S.page + 1) * 20 >= S.total,
                ),
                width="100%",
                align="center",
            ),
            width="100%",
        ),
        rx.cond(
            S.loaded,
            empty_state(
                "workflow",
                "No workflows yet",
                "Create one with “New workflow”: pick a trigger, add steps, save. "
                "Then run it and watch it in Executions.",
            ),
            rx.skeleton(rx.box(height="240px", width="100%")),
        ),
    )


@page(
    route="/admin/workflows",
    title="Workflows · Flowdeck",
    on_load=[SessionState.guard_admin_area, LiveOps.link, S.load],
)
def workflows_page() -> rx.Component:
    return admin_page(
        "Workflows",
        rx.vstack(
            _cards(),
            _filters(),
            bulk_bar(S, BULK, "workflow", S.total),
            _table(),
            run_dialog(),
            confirm_bulk_dialog(S, BULK),
            summary_dialog(S),
            import_dialog(),
            delete_dialog(
                S,
                "The workflow, its versions and all its executions are removed. "
                "This cannot be undone.",
            ),
            spacing="4",
            width="100%",
        ),
    )
