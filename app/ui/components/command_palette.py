"""The command palette dialog, the shortcuts dialog and the page-wide keys: every admin page
gets them through `command_layer()` (in `admin_page`).

The palette follows the WAI-ARIA combobox pattern: a labelled input (`role="combobox"`) that
keeps the focus, `aria-controls` its listbox and `aria-activedescendant` the active option;
each result is a `role="option"` with `aria-selected`. Radix's dialog gives `role="dialog"`,
its title as the name, the focus trap and Escape.
"""

from __future__ import annotations

import reflex as rx

from app.ui.components.command_keys import command_keys
from app.ui.shortcuts import SECTIONS
from app.ui.states.command import OPTION_ID, CommandState, PaletteRow

LISTBOX_ID = "palette-results"
#: Read by screen readers, not drawn (the dialog's name and how to use it).
SCREEN_READER_ONLY = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "padding": "0",
    "margin": "-1px",
    "overflow": "hidden",
    "clip": "rect(0, 0, 0, 0)",
    "white_space": "nowrap",
    "border": "0",
}


def _option(row: PaletteRow, index: rx.Var[int]) -> rx.Component:
    active = CommandState.active == index
    return rx.fragment(
        rx.cond(
            row["group"] != "",
            rx.text(
                row["group"],
                size="1",
                weight="bold",
                color=rx.color("gray", 11),
                padding="0.5rem 0.75rem 0.25rem",
                role="presentation",
            ),
        ),
        rx.hstack(
            rx.icon(row["icon"], size=15, color=rx.color("gray", 11), flex_shrink="0"),
            rx.text(row["label"], size="2", weight="medium", trim="both", white_space="nowrap"),
            rx.text(
                row["hint"],
                size="1",
                color=rx.color("gray", 11),
                overflow="hidden",
                text_overflow="ellipsis",
                white_space="nowrap",
                min_width="0",
            ),
            id=OPTION_ID + index.to(str),
            role="option",
            aria_selected=rx.cond(active, "true", "false"),
            on_click=CommandState.choose(index),
            align="center",
            spacing="2",
            padding="0.5rem 0.75rem",
            border_radius="var(--radius-2)",
            background=rx.cond(active, rx.color("accent", 4), "transparent"),
            cursor="pointer",
            width="100%",
            _hover={"background": rx.color("accent", 3)},
            data_testid="palette-option",
        ),
    )


def _palette() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Go to or do…", style=SCREEN_READER_ONLY),
            rx.dialog.description(
                "Type a workflow's name, a run's number (#42), a page, an action, or text "
                "from a run's error. Arrow keys choose, Enter opens, Escape closes.",
                style=SCREEN_READER_ONLY,
            ),
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                value=CommandState.query,
                on_change=CommandState.set_query,
                debounce_timeout=120,
                placeholder="Workflow, #run, page, action or error text…",
                size="3",
                width="100%",
                auto_focus=True,
                auto_complete="off",
                spell_check=False,
                role="combobox",
                aria_label="Search workflows, runs, pages and actions",
                aria_expanded="true",
                aria_controls=LISTBOX_ID,
                aria_autocomplete="list",
                aria_activedescendant=CommandState.active_id,
                custom_attrs={"data-palette-input": ""},
                data_testid="palette-input",
            ),
            rx.box(
                rx.foreach(CommandState.rows, _option),
                rx.cond(
                    CommandState.rows.length() == 0,
                    rx.text(
                        rx.cond(
                            CommandState.searching_error != "",
                            CommandState.searching_error,
                            "Nothing matches. Try a workflow's name, #42, or words from an error.",
                        ),
                        size="2",
                        color=rx.color("gray", 11),
                        padding="1rem 0.75rem",
                        role="presentation",
                        data_testid="palette-empty",
                    ),
                ),
                id=LISTBOX_ID,
                role="listbox",
                aria_label="Results",
                max_height="min(420px, 60vh)",
                overflow_y="auto",
                margin_top="0.5rem",
                data_testid="palette-results",
            ),
            rx.hstack(
                rx.text("↑ ↓ choose · Enter opens · Esc closes", size="1"),
                rx.spacer(),
                rx.text("? shortcuts", size="1"),
                color=rx.color("gray", 11),
                padding_top="0.5rem",
                width="100%",
            ),
            max_width="640px",
            width="calc(100vw - 2rem)",
            padding="0.75rem",
            align="start",
            top="12vh",
            data_testid="command-palette",
        ),
        open=CommandState.palette_open,
        on_open_change=CommandState.set_palette_open,
    )


def _section(title: str, rows: list[tuple[str, str]]) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="2", as_="h3"),
        rx.table.root(
            rx.table.body(
                *[
                    rx.table.row(
                        rx.table.cell(rx.code(keys, variant="soft"), white_space="nowrap"),
                        rx.table.cell(what),
                    )
                    for keys, what in rows
                ]
            ),
            size="1",
            width="100%",
        ),
        spacing="2",
        width="100%",
    )


def _help() -> rx.Component:
    on_designer = rx.State.router.page.path.contains("/designer")  # type: ignore[attr-defined]
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Keyboard shortcuts"),
            rx.dialog.description(
                "Single keys work while you are not typing in a field.",
                size="2",
                color=rx.color("gray", 11),
                margin_bottom="0.75rem",
            ),
            rx.vstack(
                *[
                    rx.cond(on_designer, _section(title, rows))
                    if designer_only
                    # the canvas's keys, on the designer only
                    else _section(title, rows)
                    for title, rows, designer_only in SECTIONS
                ],
                spacing="4",
                width="100%",
            ),
            rx.flex(
                rx.dialog.close(rx.button("Close", variant="soft")),
                justify="end",
                margin_top="1rem",
            ),
            max_width="560px",
            max_height="85vh",
            overflow_y="auto",
            data_testid="shortcuts-dialog",
        ),
        open=CommandState.help_open,
        on_open_change=CommandState.set_help_open,
    )


def palette_button() -> rx.Component:
    """The sidebar's way in for those who do not know Ctrl/⌘+K yet."""
    return rx.button(
        rx.icon("search", size=14),
        rx.text("Search…", size="2"),
        rx.spacer(),
        rx.code("Ctrl K", size="1", variant="outline", color_scheme="gray", white_space="nowrap"),
        on_click=CommandState.open_palette,
        variant="surface",
        color_scheme="gray",
        width="100%",
        justify_content="flex-start",
        aria_label="Search… Ctrl K (command palette)",  # the visible words first (axe)
        aria_keyshortcuts="Control+K Meta+K",
        data_testid="open-palette",
    )


def command_layer() -> rx.Component:
    return rx.fragment(
        command_keys(
            on_palette=CommandState.open_palette,
            on_help=CommandState.open_help,
            on_palette_key=CommandState.palette_key,
        ),
        _palette(),
        _help(),
    )
