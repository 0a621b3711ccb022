"""/admin/workflows/[id]/designer: the workflow on a canvas, a palette, and the step's panel."""

from __future__ import annotations

import reflex as rx

from app.ui.components.flow_canvas import flow_canvas
from app.ui.components.layout import admin_page
from app.ui.components.workflow_steps import step_card
from app.ui.states.designer import PALETTE
from app.ui.states.designer import DesignerState as S

ICONS = {"Basic": "box", "Flow": "git-branch", "Content": "file-text"}
CANVAS_HEIGHT = "calc(100vh - 210px)"


def _palette_entry(kind: str, icon: str) -> rx.Component:
    return rx.cond(
        S.palette_matches.contains(kind),
        rx.button(
            rx.icon(icon, size=14),
            kind,
            variant="ghost",
            size="1",
            width="100%",
            justify_content="flex-start",
            on_click=S.add_node(kind),
            title=f"Add a {kind} step after the selected one",
            data_testid=f"palette-{kind}",
            draggable=True,
            custom_attrs={"data-palette-kind": kind},
        ),
    )


def _palette() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.input(
                rx.input.slot(rx.icon("search", size=14)),
                placeholder="Search steps",
                value=S.palette_query,
                on_change=S.set_palette_query,
                size="1",
                width="100%",
                data_testid="palette-search",
            ),
            *[
                rx.cond(
                    S.palette_groups.contains(label),
                    rx.vstack(
                        rx.text(label, size="1", weight="bold", color=rx.color("gray", 11)),
                        *[_palette_entry(kind, ICONS[label]) for kind in kinds],
                        spacing="1",
                        width="100%",
                    ),
                )
                for label, kinds in PALETTE
            ],
            rx.cond(
                S.palette_matches.length() == 0,
                rx.text("No step type matches", size="1", color=rx.color("gray", 10)),
            ),
            rx.text(
                "Click to add after the selected step, or drag onto the canvas. Drag from a "
                "handle to connect; Delete removes what is selected.",
                size="1",
                color=rx.color("gray", 10),
            ),
            spacing="3",
            width="100%",
        ),
        width="200px",
        flex_shrink="0",
        height=CANVAS_HEIGHT,
        overflow_y="auto",
        data_testid="palette",
    )


def _canvas() -> rx.Component:
    return rx.box(
        flow_canvas(
            nodes=S.canvas_nodes,
            edges=S.canvas_edges,
            selected=S.selected,
            fit_token=S.fit_token,
            color_mode=rx.color_mode_cond("light", "dark"),
            on_connect_nodes=S.connect_nodes,
            on_move_nodes=S.move_nodes,
            on_select_node=S.select_node,
            on_delete_items=S.delete_items,
            on_drop_step=S.drop_node,
        ),
        flex="1",
        min_width="0",
        height=CANVAS_HEIGHT,
        border=f"1px solid {rx.color('gray', 6)}",
        border_radius="var(--radius-3)",
        overflow="hidden",
    )


def _panel() -> rx.Component:
    return rx.cond(
        S.selected_index >= 0,
        rx.box(
            step_card(S.actions[S.selected_index], S.selected_index),
            width="400px",
            flex_shrink="0",
            height=CANVAS_HEIGHT,
            overflow_y="auto",
            data_testid="designer-panel",
        ),
    )


def _problems() -> rx.Component:
    return rx.cond(
        S.problem_lines.length() > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert", size=16)),
            rx.vstack(
                rx.foreach(S.problem_lines, lambda line: rx.text(line, size="2")),
                spacing="1",
            ),
            color_scheme="red",
            width="100%",
            data_testid="designer-problems",
        ),
    )


def _toolbar() -> rx.Component:
    base = "/admin/workflows/" + S.workflow_id.to(str)
    return rx.hstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), "Workflow", align="center", spacing="1"),
            href=base,
            size="2",
        ),
        rx.heading(S.fields["name"], size="4", data_testid="designer-name"),
        rx.spacer(),
        rx.link(rx.button(rx.icon("list", size=14), "Form", variant="soft"), href=base + "/edit"),
        rx.button(
            rx.icon("wand-sparkles", size=14),
            "Tidy up",
            variant="soft",
            on_click=S.tidy_up,
            data_testid="designer-tidy",
        ),
        rx.button(
            rx.icon("save", size=14),
            "Save",
            on_click=S.save_design,
            loading=S.saving,
            data_testid="designer-save",
        ),
        width="100%",
        align="center",
        spacing="3",
    )


@rx.page(
    route="/admin/workflows/[workflow_id]/designer",
    title="Designer · Flowdeck",
    on_load=S.load_designer,
)
def designer_page() -> rx.Component:
    return admin_page(
        "Designer",
        rx.vstack(
            _toolbar(),
            rx.cond(S.form_error != "", rx.callout(S.form_error, color_scheme="red", width="100%")),
            _problems(),
            rx.hstack(_palette(), _canvas(), _panel(), spacing="3", width="100%", align="start"),
            spacing="3",
            width="100%",
        ),
    )
