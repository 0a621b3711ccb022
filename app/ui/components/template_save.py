""" "Save as template": the button on a workflow's page and its dialog."""

from __future__ import annotations

import reflex as rx

from app.ui.components.forms import form_alert
from app.ui.states.template_save import TemplateSaveState as S


def save_template_button(workflow_id: rx.Var, name: rx.Var) -> rx.Component:
    return rx.button(
        rx.icon("layout-template", size=14),
        "Save as template",
        variant="soft",
        on_click=S.open_save(workflow_id, name),
        data_testid="save-as-template",
    )


def _labelled(label: str, key: str, control: rx.Component, hint: str = "") -> rx.Component:
    message = S.errors.get(key, "")
    return rx.vstack(
        rx.el.label(
            label,
            html_for=f"ts-{key}",
            style={"font_size": "var(--font-size-2)", "font_weight": "500"},
        ),
        control,
        rx.text(hint, size="1", color=rx.color("gray", 11)) if hint else rx.fragment(),
        rx.cond(
            message != "",
            rx.text(message, size="1", color=rx.color("red", 11), data_testid=f"error-{key}"),
        ),
        spacing="1",
        width="100%",
    )


def save_template_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Save as template"),
            rx.dialog.description(
                "Others can start from this workflow in the gallery. Connections it uses become "
                "fields to fill in; no secret is copied.",
                size="2",
                color=rx.color("gray", 11),
                margin_bottom="1rem",
            ),
            rx.form(
                rx.vstack(
                    _labelled(
                        "Name",
                        "name",
                        rx.input(
                            name="name", id="ts-name", default_value=S.default_name, width="100%"
                        ),
                    ),
                    _labelled(
                        "Description",
                        "description",
                        rx.text_area(
                            name="description", id="ts-description", rows="3", width="100%"
                        ),
                        "What it does and when to use it.",
                    ),
                    _labelled(
                        "Category",
                        "category",
                        rx.box(
                            rx.select(
                                S.categories,
                                name="category",
                                placeholder="Choose a category",
                                width="100%",
                                id="ts-category",
                            ),
                            width="100%",
                            data_testid="template-save-category",
                        ),
                    ),
                    _labelled(
                        "Icon",
                        "icon",
                        rx.input(
                            name="icon",
                            id="ts-icon",
                            placeholder="e.g. send, rocket, bug",
                            width="100%",
                        ),
                        "A Lucide icon name; empty for the default.",
                    ),
                    form_alert(S.alert),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button("Save template", type="submit", data_testid="save-template"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.save,
                reset_on_submit=False,
                key=S.workflow_id.to(str),
            ),
            max_width="520px",
        ),
        open=S.save_open,
        on_open_change=S.close_save,
    )
