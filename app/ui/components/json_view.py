"""Pretty JSON: the text is formatted on the server, the block only shows it."""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

MAX_CHARS = 20_000  # a 1 MB API response would freeze the tab; the API has the full value


def pretty_json(value: Any) -> str:
    """Indented JSON for display; "" when there is nothing to show."""
    if value is None or value == {} or value == []:
        return ""
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False, default=str)
    if len(text) > MAX_CHARS:
        hidden = len(text) - MAX_CHARS
        text = f"{text[:MAX_CHARS]}\n… {hidden:,} more characters (read the rest through the API)"
    return text


def json_view(label: str, text: rx.Var, *, empty: str = "—") -> rx.Component:
    """A labelled, scrollable, copyable code block (or a quiet dash when empty)."""
    return rx.vstack(
        rx.hstack(
            rx.text(label, size="1", weight="bold", color=rx.color("gray", 11)),
            rx.spacer(),
            rx.cond(
                text != "",
                rx.icon_button(
                    rx.icon("copy", size=12),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=[rx.set_clipboard(text), rx.toast.info(f"{label} copied")],
                    aria_label=f"Copy {label.lower()}",
                ),
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            text != "",
            rx.el.pre(
                text,
                style={
                    "margin": "0",
                    "padding": "0.75rem",
                    "width": "100%",
                    "max_height": "320px",
                    "overflow": "auto",
                    "font_family": "var(--code-font-family)",
                    "font_size": "12px",
                    "line_height": "1.5",
                    "white_space": "pre",
                    "background": rx.color("gray", 2),
                    "border": f"1px solid {rx.color('gray', 5)}",
                    "border_radius": "var(--radius-2)",
                },
            ),
            rx.text(empty, size="2", color=rx.color("gray", 11)),
        ),
        spacing="1",
        width="100%",
        min_width="0",
    )
