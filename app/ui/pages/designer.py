"""/admin/workflows/[id]/designer: the workflow on a canvas, a palette, and the step's panel.

On a phone (narrower than 768 px, Radix's `sm`) only the canvas shows, read-only: it pans,
zooms and fits, and a note says editing needs a wider screen. The editing controls are hidden
by CSS breakpoints and the canvas turns read-only itself (`read_only_below`).
"""

from __future__ import annotations

import reflex as rx

from app.ui.components.breadcrumbs import breadcrumbs
from app.ui.components.flow_canvas import flow_canvas
from app.ui.components.layout import admin_page
from app.ui.components.link_button import link_button
from app.ui.components.workflow_steps import step_card
from app.ui.pages.registry import page
from app.ui.states.command import CommandState
from app.ui.states.designer import PALETTE
from app.ui.states.designer import DesignerState as S

ICONS = {"Basic": "box", "Flow": "git-branch", "Operations": "siren", "Content": "file-text"}
CANVAS_HEIGHT = "calc(100vh - 210px)"
NARROW = 768  # px: below it (Radix's `sm` breakpoint) the canvas is read-only
WIDE_ONLY = rx.breakpoints(initial="none", sm="flex")
NARROW_ONLY = rx.breakpoints(initial="flex", sm="none")


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
                custom_attrs={"data-page-search": ""},  # `/` focuses it
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
                rx.text("No step type matches", size="1", color=rx.color("gray", 11)),
            ),
            rx.text(
                "Click to add after the selected step, or drag onto the canvas. Drag from a "
                "handle to connect; Delete removes what is selected; ? lists every shortcut.",
                size="1",
                color=rx.color("gray", 11),
            ),
            spacing="3",
            width="100%",
        ),
        width="200px",
        flex_shrink="0",
        height=CANVAS_HEIGHT,
        overflow_y="auto",
        display=WIDE_ONLY,
        data_testid="palette",
    )


def _canvas() -> rx.Component:
    return rx.box(
        flow_canvas(
            nodes=S.canvas_nodes,
            edges=S.canvas_edges,
            patch=S.canvas_patch,
            selected_ids=S.canvas_selection,
            fit_token=S.fit_token,
            read_only_below=NARROW,
            shortcuts=True,
            dirty=S.edit_status["dirty"],
            color_mode=rx.color_mode_cond("light", "dark"),
            on_connect_nodes=S.connect_nodes,
            on_move_nodes=S.move_nodes,
            on_select_nodes=S.select_nodes,
            on_delete_items=S.delete_items,
            on_drop_step=S.drop_node,
            on_undo=S.undo,
            on_redo=S.redo,
            on_copy_nodes=S.copy_nodes,
            on_paste_steps=S.paste_nodes,
        ),
        flex="1",
        min_width="0",
        height=CANVAS_HEIGHT,
        border=f"1px solid {rx.color('gray', 6)}",
        border_radius="var(--radius-3)",
        overflow="hidden",
    )


def _panel() -> rx.Component:
    """The selected step's fields; a field losing focus makes what was typed one undo step."""
    return rx.cond(
        S.selected_index >= 0,
        rx.box(
            step_card(
                S.panel_step,
                S.selected_index,
                on_remove=S.remove_step(S.selected_index),
            ),
            width="400px",
            flex_shrink="0",
            height=CANVAS_HEIGHT,
            overflow_y="auto",
            display=WIDE_ONLY,
            on_blur=S.checkpoint,
            data_testid="designer-panel",
        ),
        rx.cond(
            S.selected_count > 1,
            rx.card(
                rx.vstack(
                    rx.text(
                        S.selected_count.to(str) + " steps selected", size="2", weight="medium"
                    ),
                    rx.text(
                        "Delete removes them, Ctrl+C copies them, dragging one moves them all.",
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                    spacing="1",
                ),
                width="220px",
                flex_shrink="0",
                display=WIDE_ONLY,
                data_testid="designer-selection-note",
            ),
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


def _icon_button(icon: str, label: str, testid: str, **props) -> rx.Component:
    return rx.tooltip(
        rx.icon_button(
            rx.icon(icon, size=16),
            variant="soft",
            aria_label=label,
            data_testid=testid,
            **props,
        ),
        content=label,
    )


def _edit_tools() -> rx.Component:
    """Undo, redo, Tidy up, the unsaved-changes flag and Save: hidden on a phone."""
    status = S.edit_status
    return rx.hstack(
        _icon_button(
            "undo-2",
            "Undo (Ctrl+Z)",
            "designer-undo",
            on_click=S.undo,
            disabled=~status["can_undo"],
        ),
        _icon_button(
            "redo-2",
            "Redo (Ctrl+Shift+Z)",
            "designer-redo",
            on_click=S.redo,
            disabled=~status["can_redo"],
        ),
        rx.button(
            rx.icon("wand-sparkles", size=14),
            "Tidy up",
            variant="soft",
            on_click=S.tidy_up,
            data_testid="designer-tidy",
        ),
        rx.cond(
            status["dirty"],
            rx.badge("Unsaved changes", color_scheme="amber", data_testid="designer-dirty"),
        ),
        rx.button(
            rx.icon("save", size=14),
            "Save",
            on_click=S.save_design,
            loading=S.saving,
            title="Save (Ctrl+S)",
            custom_attrs={"data-shortcut-save": ""},
            data_testid="designer-save",
        ),
        align="center",
        spacing="3",
        display=WIDE_ONLY,
    )


def _toolbar() -> rx.Component:
    base = "/admin/workflows/" + S.workflow_id.to(str)
    return rx.hstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), "Workflow", align="center", spacing="1"),
            href=base,
            size="2",
            data_testid="designer-back",
        ),
        rx.heading(S.fields["name"], size="4", data_testid="designer-name"),
        rx.spacer(),
        _icon_button(
            "keyboard",
            "Keyboard shortcuts (?)",
            "designer-shortcuts",
            on_click=CommandState.open_help,
        ),
        link_button(
            rx.icon("list", size=14),
            "Form",
            href=base + "/edit",
            variant="soft",
            data_testid="designer-form",
        ),
        _edit_tools(),
        width="100%",
        align="center",
        spacing="3",
        wrap="wrap",
    )


def _phone_note() -> rx.Component:
    return rx.callout(
        "Editing needs a wider screen: here you can pan, zoom and read the workflow.",
        icon="monitor",
        size="1",
        width="100%",
        display=NARROW_ONLY,
        data_testid="designer-phone-note",
    )


@page(
    route="/admin/workflows/[workflow_id]/designer",
    title="Designer · Flowdeck",
    on_load=S.load_designer,
)
def designer_page() -> rx.Component:
    return admin_page(
        "Designer",
        rx.vstack(
            breadcrumbs(
                ("Workflows", "/admin/workflows"),
                (S.fields["name"], "/admin/workflows/" + S.workflow_id.to_string()),
                ("Designer", None),
            ),
            _toolbar(),
            rx.cond(S.form_error != "", rx.callout(S.form_error, color_scheme="red", width="100%")),
            _phone_note(),
            _problems(),
            rx.hstack(_palette(), _canvas(), _panel(), spacing="3", width="100%", align="start"),
            spacing="3",
            width="100%",
        ),
    )
