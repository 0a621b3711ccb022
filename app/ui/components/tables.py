"""The pieces every list page shares: a toolbar, the table with its empty and loading
states (rows turn into cards on a phone), and the "are you sure" dialog."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import reflex as rx

from app.ui.components.layout import empty_state

#: Below Reflex's `sm` breakpoint (48em), where the sidebar gives way to the menu.
PHONE = "@media (max-width: 47.99em)"


def phone_cards(labels: Sequence[str]) -> dict[str, Any]:
    """The style that turns a table into cards on a phone: each row a card, each cell a line
    led by its column's name (`labels`, one per column; "" for none, e.g. a checkbox or the
    row's buttons). Of the header row only cells holding a control (select all, a sort
    button) stay, as one wrapped line above the cards; nothing scrolls sideways."""
    named: dict[str, Any] = {}
    for i, label in enumerate(labels, start=1):
        if label:  # a line of its own, led by the name; unnamed cells share a line
            named[f"& tbody tr > :nth-child({i})"] = {"width": "100% !important"}
            named[f"& tbody tr > :nth-child({i})::before"] = {"content": json.dumps(label)}
    return {
        PHONE: {
            "min_width": "0 !important",
            "& .rt-ScrollAreaViewport": {"overflow": "visible !important"},
            "& .rt-ScrollAreaViewport > div, & table, & tbody, & thead": {
                "display": "block !important",
                "min_width": "0 !important",
                "width": "100%",
                "height": "auto",  # Radix gives the table height 0 (for its cells' sake)
                "overflow": "visible",
            },
            "& thead tr": {
                "display": "flex",
                "flex_wrap": "wrap",
                "gap": "0.25rem 1rem",
                "padding": "0.4rem 0.75rem",
                "box_shadow": f"inset 0 -1px {rx.color('gray', 5)}",
            },
            "& thead tr > *": {
                "padding": "0",
                "height": "auto",
                "box_shadow": "none",
                "width": "auto !important",
            },
            "& thead tr > :not(:has(button, a, input))": {"display": "none"},
            "& thead tr:not(:has(button, a, input))": {"display": "none"},
            "& tbody tr": {
                "display": "flex",
                "flex_wrap": "wrap",
                "align_items": "center",
                "gap": "0.35rem 0.75rem",
                "padding": "0.6rem 0.75rem",
                "box_shadow": f"inset 0 -1px {rx.color('gray', 5)}",
            },
            "& tbody tr > *": {
                "display": "flex",
                "align_items": "center",
                "flex_wrap": "wrap",
                "gap": "0.25rem 0.75rem",
                "padding": "0",
                "height": "auto",
                "min_height": "0",
                "width": "auto !important",
                "max_width": "100% !important",
                "box_shadow": "none",
                "overflow_wrap": "anywhere",
            },
            "& tbody tr > :empty": {"display": "none"},
            "& tbody tr > *::before": {
                "flex": "0 0 6.5rem",
                "color": rx.color("gray", 11),
                "font_size": "var(--font-size-1)",
            },
            **named,
        }
    }


def card_table(
    headers: Sequence[str | rx.Component],
    body: rx.Component,
    *,
    labels: Sequence[str] | None = None,
    size: str = "2",
    variant: str = "surface",
    **props: Any,
) -> rx.Component:
    """A table (`headers`: text or header cells; `body`: its rows) that is a list of cards on
    a phone. `labels` name the columns on a card (default: the text headers)."""
    names = labels if labels is not None else [h if isinstance(h, str) else "" for h in headers]
    cells = [rx.table.column_header_cell(h) if isinstance(h, str) else h for h in headers]
    return rx.table.root(
        rx.table.header(rx.table.row(*cells)),
        rx.table.body(body),
        variant=variant,
        size=size,
        width="100%",
        style=phone_cards(names),
        **props,
    )


def toolbar(text: str, button: rx.Component) -> rx.Component:
    """A sentence saying what the page is for, and its main action on the right."""
    return rx.hstack(
        rx.text(text, color=rx.color("gray", 11)),
        rx.spacer(),
        button,
        width="100%",
        align="center",
    )


def sort_header(label: str, column: str, sort: rx.Var, on_sort: Any) -> rx.Component:
    """A column header that sorts the list by `column` (`sort` is the current key, `-` first
    when descending): a real button, so the keyboard reaches it, and `aria-sort` on the cell."""
    return rx.table.column_header_cell(
        rx.el.button(
            label,
            rx.cond(
                sort == column,
                rx.icon("arrow-up", size=12),
                rx.cond(sort == "-" + column, rx.icon("arrow-down", size=12)),
            ),
            type="button",
            on_click=on_sort,
            style={
                "display": "inline-flex",
                "align_items": "center",
                "gap": "0.25rem",
                "padding": "0",
                "border": "0",
                "background": "none",
                "font": "inherit",
                "color": "inherit",
                "cursor": "pointer",
            },
        ),
        custom_attrs={
            "aria-sort": rx.cond(
                sort == column,
                "ascending",
                rx.cond(sort == "-" + column, "descending", "none"),
            )
        },
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
            card_table(headers, rx.foreach(rows, render_row), size=size),
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
    """A compact table of `rows` (each drawn by `render`): cards on a phone, and on a wider
    screen it scrolls sideways on its own when it must."""
    return rx.box(
        card_table(headers, rx.foreach(rows, render), size="1", variant="ghost"),
        overflow_x="auto",
        width="100%",
        data_testid=testid,
    )
