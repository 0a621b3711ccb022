"""The pieces every list page shares: a toolbar, the table with its empty and loading
states, and the "are you sure" dialog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from app.ui.components.layout import empty_state


def toolbar(text: str, button: rx.Component) -> rx.Component:
    """A sentence saying what the page is for, and its main action on the right."""
    return rx.hstack(
        rx.text(text, color=rx.color("gray", 11)),
        rx.spacer(),
        button,
        width="100%",
        align="center",
    )


def data_table(
    headers: list[str],
    rows: rx.Var,
    render_row: Callable[[Any], rx.Component],
    *,
    loaded: rx.Var,
    empty: tuple[str, str, str],
    size: str = "2",
) -> rx.Component:
    """The table once there are rows; before that a skeleton, then an empty state."""
    return rx.cond(
        rows.length() > 0,  # type: ignore[attr-defined]
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                rx.table.body(rx.foreach(rows, render_row)),
                variant="surface",
                size=size,
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.cond(loaded, empty_state(*empty), rx.skeleton(rx.box(height="200px", width="100%"))),
    )


def confirm_dialog(
    title: rx.Component | str,
    description: str,
    *,
    confirm: str,
    on_confirm: Any,
    open: rx.Var,
    on_open_change: Any,
    testid: str = "confirm-delete",
) -> rx.Component:
    """A keyboard-usable "are you sure" for what cannot be undone."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description, size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(confirm, color_scheme="red", on_click=on_confirm, data_testid=testid)
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
        ),
        open=open,
        on_open_change=on_open_change,
    )


def delete_dialog(state: Any, consequence: str) -> rx.Component:
    """The "Delete <name>?" dialog of a state using `DeleteConfirm`."""
    return confirm_dialog(
        rx.text("Delete ", state.delete_name, "?"),
        consequence,
        confirm="Delete",
        on_confirm=state.confirm_delete,
        open=state.delete_id != 0,
        on_open_change=state.close_delete,
    )


def small_table(
    headers: list[str], rows: rx.Var, render: Callable[[Any], rx.Component], testid: str
) -> rx.Component:
    """A compact table of `rows` (each drawn by `render`) that scrolls sideways on its own."""
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, render)),
            size="1",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
        data_testid=testid,
    )
