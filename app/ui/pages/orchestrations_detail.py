"""/admin/orchestrations/new and /admin/orchestrations/[orchestration_id]: the form (basics,
the dependency graph, the call cards), a JSON tab, and for a saved one its runs and Run."""

from __future__ import annotations

import reflex as rx

from app.ui.components.breadcrumbs import breadcrumbs
from app.ui.components.layout import admin_page
from app.ui.components.link_button import link_button
from app.ui.components.orchestration_calls import calls_section, error
from app.ui.components.orchestration_form import basics_section, graph_section
from app.ui.components.orchestration_history import history_section
from app.ui.components.orchestration_status import run_badge
from app.ui.components.tables import phone_cards
from app.ui.pages.registry import page
from app.ui.states.orchestrations_detail import OrchestrationDetailState as S
from app.ui.states.orchestrations_history import OrchestrationHistoryState as H
from app.ui.states.orchestrations_views import RunRow


def _json_tab() -> rx.Component:
    return rx.vstack(
        rx.text(
            "The whole definition. Edit it here; going back to the form or saving applies it.",
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.text_area(
            value=S.json_text,
            on_change=S.set_json_text,
            rows="30",
            font_family="var(--code-font-family)",
            width="100%",
            data_testid="json-editor",
        ),
        error(S.errors.get("json", ""), "error-json"),
        spacing="2",
        width="100%",
    )


def _problems() -> rx.Component:
    return rx.cond(
        S.problems.length() > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert", size=16)),
            rx.vstack(
                rx.text("Fix these before saving:", weight="medium", size="2"),
                rx.el.ul(
                    rx.foreach(
                        S.problems,
                        lambda line: rx.el.li(rx.text(line, size="2"), data_testid="problem-line"),
                    ),
                    style={"margin": "0", "padding_left": "1.1rem"},
                ),
                spacing="1",
            ),
            color_scheme="red",
            width="100%",
            data_testid="form-problems",
        ),
    )


def _run_row(row: RunRow) -> rx.Component:
    href = "/admin/orchestrations/runs/" + row["id"].to(str)
    return rx.table.row(
        rx.table.cell(rx.link("#", row["id"], href=href, on_click=rx.stop_propagation)),
        rx.table.cell(run_badge(row["status"])),
        rx.table.cell(row["trigger"]),
        rx.table.cell(rx.text(row["started"], white_space="nowrap")),
        rx.table.cell(row["duration"]),
        rx.table.cell(row["calls"]),
        rx.table.cell(rx.text(row["error"], size="1", color=rx.color("red", 11))),
        on_click=rx.redirect(href),
        cursor="pointer",
        _hover={"background": rx.color("gray", 2)},
        data_testid="run-row",
    )


def _runs() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Runs", size="4"),
            rx.spacer(),
            rx.icon_button(
                rx.icon("refresh-cw", size=14),
                size="1",
                variant="ghost",
                on_click=S.refresh_runs,
                aria_label="Refresh runs",
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            S.runs.length() > 0,
            rx.box(
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
                                    "Calls done",
                                    "Error",
                                )
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(S.runs, _run_row)),
                    variant="surface",
                    size="1",
                    width="100%",
                    style=phone_cards(
                        ("Run", "Status", "Trigger", "Started", "Duration", "Calls done", "Error")
                    ),
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text("No runs yet: press Run.", size="2", color=rx.color("gray", 11)),
        ),
        spacing="3",
        width="100%",
    )


def _run_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Run ", S.fields["name"]),
            rx.dialog.description(
                "Inputs as a JSON object; templates see them as inputs.",
                size="2",
                margin_bottom="0.75rem",
            ),
            rx.cond(
                S.dirty,
                rx.callout(
                    "Unsaved changes are not part of this run: it runs the saved version.",
                    icon="info",
                    color_scheme="amber",
                    size="1",
                    margin_bottom="0.5rem",
                ),
            ),
            rx.text_area(
                value=S.run_inputs,
                on_change=S.set_run_inputs,
                rows="6",
                font_family="var(--code-font-family)",
                width="100%",
                data_testid="run-inputs",
            ),
            error(S.run_error, "run-error"),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button(
                    rx.icon("play", size=14),
                    "Run now",
                    on_click=S.confirm_run,
                    loading=S.starting,
                    data_testid="confirm-run",
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="520px",
        ),
        open=S.run_open,
        on_open_change=S.close_run,
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        rx.link(
            rx.hstack(
                rx.icon("arrow-left", size=14), "All orchestrations", align="center", spacing="1"
            ),
            href="/admin/orchestrations",
            size="2",
        ),
        rx.spacer(),
        rx.cond(
            S.orch_id != 0,
            rx.button(
                rx.icon("play", size=14),
                "Run",
                variant="soft",
                on_click=S.ask_run,
                disabled=S.fields["is_active"] != "true",
                data_testid="run-orchestration",
            ),
        ),
        rx.button(
            rx.icon("save", size=14),
            "Save",
            on_click=[S.save, H.load],  # a save from the History tab lists its new version
            loading=S.saving,
            data_testid="save-orchestration",
        ),
        width="100%",
        align="center",
        spacing="3",
    )


def _editor() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.form_error != "",
            rx.callout(
                S.form_error,
                icon="triangle-alert",
                color_scheme="red",
                width="100%",
                data_testid="form-error",
            ),
        ),
        rx.cond(
            S.loaded,
            rx.vstack(
                _toolbar(),
                _problems(),
                rx.tabs.root(
                    rx.tabs.list(
                        rx.tabs.trigger("Form", value="form", data_testid="tab-form"),
                        rx.tabs.trigger("JSON", value="json", data_testid="tab-json"),
                        rx.cond(
                            S.orch_id != 0,
                            rx.tabs.trigger(
                                "Runs ",
                                rx.badge(
                                    S.runs.length(),
                                    variant="soft",
                                    color_scheme="gray",
                                    margin_left="0.4rem",
                                ),
                                value="runs",
                                data_testid="tab-runs",
                            ),
                        ),
                        rx.cond(
                            S.orch_id != 0,
                            rx.tabs.trigger(
                                "History",
                                value="history",
                                on_click=H.load,
                                data_testid="tab-history",
                            ),
                        ),
                    ),
                    rx.tabs.content(
                        rx.vstack(
                            basics_section(),
                            graph_section(),
                            calls_section(),
                            spacing="4",
                            width="100%",
                            padding_top="1rem",
                        ),
                        value="form",
                    ),
                    rx.tabs.content(rx.box(_json_tab(), padding_top="1rem"), value="json"),
                    rx.tabs.content(rx.box(_runs(), padding_top="1rem"), value="runs"),
                    rx.tabs.content(rx.box(history_section(), padding_top="1rem"), value="history"),
                    value=S.tab,
                    on_change=S.set_tab,
                    width="100%",
                ),
                rx.cond(
                    (S.tab != "runs") & (S.tab != "history"),
                    rx.hstack(
                        link_button(
                            "Back",
                            href="/admin/orchestrations",
                            variant="soft",
                            color_scheme="gray",
                        ),
                        rx.button(
                            rx.icon("save", size=14), "Save", on_click=S.save, loading=S.saving
                        ),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                ),
                _run_dialog(),
                spacing="4",
                width="100%",
            ),
            rx.cond(
                S.form_error != "",
                rx.link("Back to all orchestrations", href="/admin/orchestrations", size="2"),
                rx.skeleton(rx.box(height="420px"), width="100%"),
            ),
        ),
        spacing="4",
        width="100%",
        max_width="1100px",
    )


@page(
    route="/admin/orchestrations/new",
    title="New orchestration · Flowdeck",
    on_load=S.load_new,
)
def new_orchestration_page() -> rx.Component:
    return admin_page(
        "New orchestration",
        breadcrumbs(("Orchestrations", "/admin/orchestrations"), ("New orchestration", None)),
        _editor(),
    )


@page(
    route="/admin/orchestrations/[orchestration_id]",
    title="Orchestration · Flowdeck",
    on_load=S.load_edit,
)
def orchestration_page() -> rx.Component:
    return admin_page(
        "Orchestration",
        breadcrumbs(("Orchestrations", "/admin/orchestrations"), (S.fields["name"], None)),
        _editor(),
    )
