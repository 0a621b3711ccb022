"""/admin/orchestrations: the table of orchestrations with their run counters."""

from __future__ import annotations

import reflex as rx

from app.ui.components.layout import admin_page, empty_state
from app.ui.components.link_button import link_button
from app.ui.components.orchestration_status import run_badge
from app.ui.components.tables import delete_dialog, phone_cards, sort_header
from app.ui.pages.registry import page
from app.ui.states.orchestrations import ALL_MODES
from app.ui.states.orchestrations import OrchestrationsState as S
from app.ui.states.orchestrations_form import MODE_HINTS, MODES
from app.ui.states.orchestrations_views import OrchestrationRow
from app.ui.states.session import SessionState


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
            data_testid="orchestration-search",
        ),
        rx.select(
            [ALL_MODES, *MODES],
            value=S.mode_filter,
            on_change=lambda v: S.set_filter("mode_filter", v),
            custom_attrs={"aria-label": "Mode"},
        ),
        rx.spacer(),
        link_button(
            rx.icon("plus", size=16),
            "New orchestration",
            href="/admin/orchestrations/new",
            data_testid="new-orchestration",
        ),
        width="100%",
        align="center",
        wrap="wrap",
        spacing="3",
    )


def _sortable(label: str, column: str) -> rx.Component:
    return sort_header(label, column, S.sort, S.set_sort(column))


def _row_menu(row: OrchestrationRow) -> rx.Component:
    # The click stops at the box, not on the button: a trigger whose child has its own
    # on_click is wrapped in a div that takes the menu's ARIA (and a second role).
    return rx.box(_menu(row), on_click=rx.stop_propagation)


def _menu(row: OrchestrationRow) -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=14), size="1", variant="ghost", aria_label="More"
            )
        ),
        rx.dropdown_menu.content(
            rx.dropdown_menu.item(
                "Open", on_click=rx.redirect("/admin/orchestrations/" + row["id"].to(str))
            ),
            rx.cond(
                row["active"],
                rx.dropdown_menu.item("Pause", on_click=S.toggle_active(row["id"], False)),
                rx.dropdown_menu.item("Activate", on_click=S.toggle_active(row["id"], True)),
            ),
            rx.dropdown_menu.separator(),
            rx.dropdown_menu.item(
                "Delete", color="red", on_click=S.ask_delete(row["id"], row["name"])
            ),
            on_click=rx.stop_propagation,
        ),
    )


def _row(row: OrchestrationRow) -> rx.Component:
    detail = "/admin/orchestrations/" + row["id"].to(str)
    muted = rx.color("gray", 11)
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.link(row["name"], href=detail, weight="medium", on_click=rx.stop_propagation),
                rx.cond(
                    row["problems"] > 0,
                    rx.tooltip(
                        rx.icon("triangle-alert", size=14, color=rx.color("amber", 10)),
                        content="The stored definition has problems a run would refuse",
                    ),
                ),
                align="center",
                spacing="2",
            )
        ),
        rx.table.cell(rx.badge(row["mode"], variant="outline")),
        rx.table.cell(row["calls"], data_testid="orchestration-calls"),
        rx.table.cell(row["success_rate"]),
        rx.table.cell(rx.text(row["avg"], white_space="nowrap")),
        rx.table.cell(rx.text(row["p95"], white_space="nowrap")),
        rx.table.cell(
            rx.cond(
                row["last_status"] != "",
                rx.vstack(
                    run_badge(row["last_status"]),
                    rx.text(row["last_run"], size="1", color=muted, white_space="nowrap"),
                    spacing="1",
                ),
                rx.text("never", size="2", color=rx.color("gray", 11)),
            )
        ),
        rx.table.cell(
            rx.cond(
                row["active"],
                rx.badge("active", color_scheme="green"),
                rx.badge("paused", color_scheme="gray"),
            )
        ),
        rx.table.cell(_row_menu(row)),
        on_click=rx.redirect(detail),
        cursor="pointer",
        _hover={"background": rx.color("gray", 2)},
        align="center",
        data_testid="orchestration-row",
    )


def _modes_explained() -> rx.Component:
    return rx.vstack(
        *[
            rx.hstack(
                rx.badge(mode, variant="outline", min_width="92px", justify_content="center"),
                rx.text(hint, size="2", color=rx.color("gray", 11)),
                align="center",
                spacing="3",
            )
            for mode, hint in MODE_HINTS.items()
        ],
        spacing="2",
        align="start",
    )


def _empty() -> rx.Component:
    """The empty state, with what each of the four modes does."""
    return rx.center(
        rx.vstack(
            rx.icon("network", size=36, color=rx.color("gray", 8)),
            rx.heading("No orchestrations yet", size="4"),
            rx.text(
                "An orchestration is a named set of API calls run as one unit and recorded "
                "call by call. Create one with “New orchestration” and pick how its calls run:",
                color=rx.color("gray", 11),
                size="2",
                text_align="center",
            ),
            _modes_explained(),
            align="center",
            spacing="3",
            max_width="640px",
        ),
        padding="3rem 1rem",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="var(--radius-4)",
        width="100%",
        data_testid="empty-state",
    )


def _table() -> rx.Component:
    return rx.cond(
        S.rows.length() > 0,
        rx.vstack(
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            _sortable("Name", "name"),
                            rx.table.column_header_cell("Mode"),
                            rx.table.column_header_cell("Calls"),
                            rx.table.column_header_cell("Success"),
                            _sortable("Avg time", "avg_ms"),
                            _sortable("p95", "p95_ms"),
                            _sortable("Last run", "last_run_at"),
                            rx.table.column_header_cell("State"),
                            rx.table.column_header_cell(""),
                        )
                    ),
                    rx.table.body(rx.foreach(S.rows, _row)),
                    variant="surface",
                    width="100%",
                    style=phone_cards(
                        ("", "Mode", "Calls", "Success", "Avg time", "p95", "Last run", "State", "")
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
            rx.cond(
                (S.search == "") & (S.mode_filter == ALL_MODES),
                _empty(),
                empty_state("search", "Nothing matches", "Clear the search or the mode filter."),
            ),
            rx.skeleton(rx.box(height="240px", width="100%")),
        ),
    )


@page(
    route="/admin/orchestrations",
    title="Orchestrations · Flowdeck",
    on_load=[SessionState.guard_admin_area, S.load],
)
def orchestrations_page() -> rx.Component:
    return admin_page(
        "Orchestrations",
        rx.vstack(
            _filters(),
            _table(),
            delete_dialog(
                S,
                "The orchestration, its versions and all its runs are removed. "
                "This cannot be undone.",
            ),
            spacing="4",
            width="100%",
        ),
    )
