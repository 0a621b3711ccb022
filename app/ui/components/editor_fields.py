"""Small labelled inputs of the workflow form, bound to its state."""

from __future__ import annotations

import reflex as rx

from app.ui.states.workflow_editor import WorkflowEditorErrors as S


def field_label(text: str, html_for: str = "") -> rx.Component:
    return rx.el.label(
        text,
        html_for=html_for or None,
        style={"font_size": "var(--font-size-2)", "font_weight": "500"},
    )


def error(message: rx.Var, testid: str = "") -> rx.Component:
    return rx.cond(
        message != "",
        rx.text(
            message,
            color=rx.color("red", 11),
            size="1",
            white_space="pre-wrap",
            data_testid=testid or None,
            data_problem="1",  # the form scrolls to the first of these after a failed save
        ),
    )


def text_field(label: str, key: str, placeholder: str = "") -> rx.Component:
    return rx.vstack(
        field_label(label, f"wf-{key}"),
        rx.input(
            id=f"wf-{key}",
            value=S.fields[key],
            placeholder=placeholder,
            width="100%",
            on_change=lambda v: S.set_field(key, v),
        ),
        error(S.errors.get(key, ""), f"error-{key}"),
        spacing="1",
        width="100%",
    )


def select_field(
    label: str, options: list[str], value: rx.Var, on_change, testid: str
) -> rx.Component:
    return rx.vstack(
        field_label(label),
        rx.select(
            options,
            value=value,
            on_change=on_change,
            width="100%",
            custom_attrs={"aria-label": label},
        ),
        spacing="1",
        width="100%",
        data_testid=testid,
    )
