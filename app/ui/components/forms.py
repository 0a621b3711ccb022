"""Form pieces: a labelled field with its error next to it."""

from __future__ import annotations

import reflex as rx


def field(
    label: str,
    name: str,
    error: rx.Var | str = "",
    *,
    type: str = "text",
    placeholder: str = "",
    required: bool = False,
    auto_focus: bool = False,
) -> rx.Component:
    return rx.vstack(
        rx.el.label(
            label,
            html_for=name,
            style={"font_size": "var(--font-size-2)", "font_weight": "500"},
        ),
        rx.input(
            id=name,
            name=name,
            type=type,
            placeholder=placeholder,
            required=required,
            auto_focus=auto_focus,
            size="3",
            width="100%",
        ),
        rx.cond(
            error != "",
            rx.text(error, color=rx.color("red", 11), size="1", data_testid=f"error-{name}"),
        ),
        spacing="1",
        width="100%",
    )


def form_alert(message: rx.Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon="triangle-alert",
            color_scheme="red",
            size="1",
            width="100%",
            data_testid="form-error",
        ),
    )
