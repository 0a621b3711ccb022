"""The "Use template" dialog: the template's variables as a form, each error next to its field."""

from __future__ import annotations

import reflex as rx

from app.ui.components.forms import form_alert
from app.ui.states.template_views import VarField
from app.ui.states.templates import TemplatesState as S


def _error(name: rx.Var) -> rx.Component:
    message = S.use_errors.get(name, "")
    return rx.cond(
        message != "",
        rx.text(message, color=rx.color("red", 11), size="1", data_testid="template-var-error"),
    )


def _control(item: VarField) -> rx.Component:
    common = {"name": item["name"], "id": "tv-" + item["name"], "width": "100%"}
    return rx.match(
        item["widget"],
        (
            "textarea",
            rx.text_area(
                default_value=item["default"],
                placeholder=item["placeholder"],
                rows="3",
                **common,
            ),
        ),
        (
            "select",
            rx.select(
                item["options"],
                default_value=item["default"],
                placeholder="Choose…",
                name=item["name"],
                width="100%",
                custom_attrs={"aria-label": item["label"]},
            ),
        ),
        (
            "switch",
            rx.switch(
                name=item["name"],
                default_checked=item["default"] == "true",
                aria_label=item["label"],
            ),
        ),
        (
            "missing",
            rx.callout(
                rx.fragment(
                    "No ",
                    item["platform"],
                    " connection yet. ",
                    rx.link("Add one under Connections", href="/admin/connections"),
                    ", then come back.",
                ),
                icon="plug",
                color_scheme="amber",
                size="1",
                width="100%",
                data_testid="template-missing-connection",
            ),
        ),
        rx.input(
            type=item["input_type"],
            default_value=item["default"],
            placeholder=item["placeholder"],
            size="2",
            **common,
        ),
    )


def _field(item: VarField) -> rx.Component:
    return rx.vstack(
        rx.el.label(
            item["label"],
            rx.cond(item["required"], rx.text.span(" *", color=rx.color("red", 10))),
            html_for="tv-" + item["name"],
            style={"font_size": "var(--font-size-2)", "font_weight": "500"},
        ),
        _control(item),
        rx.cond(
            item["help"] != "",
            rx.text(item["help"], size="1", color=rx.color("gray", 11)),
        ),
        _error(item["name"]),
        spacing="1",
        width="100%",
        data_testid="template-var",
        data_var=item["name"],
    )


def use_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Use “", S.open_name, "”"),
            rx.dialog.description(
                "Fill in these fields; the new workflow opens when it is created.",
                size="2",
                color=rx.color("gray", 11),
                margin_bottom="1rem",
            ),
            rx.form(
                rx.vstack(
                    rx.vstack(
                        rx.el.label(
                            "Workflow name",
                            html_for="tv-workflow-name",
                            style={"font_size": "var(--font-size-2)", "font_weight": "500"},
                        ),
                        rx.input(
                            name="workflow_name",
                            id="tv-workflow-name",
                            default_value=S.open_name,
                            width="100%",
                            data_testid="template-workflow-name",
                        ),
                        rx.cond(
                            S.name_error != "",
                            rx.text(S.name_error, color=rx.color("red", 11), size="1"),
                        ),
                        spacing="1",
                        width="100%",
                    ),
                    rx.foreach(S.use_fields, _field),
                    form_alert(S.use_alert),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(
                            rx.cond(S.use_busy, rx.spinner(size="1"), rx.icon("zap", size=14)),
                            "Create workflow",
                            type="submit",
                            disabled=S.use_busy,
                            data_testid="template-create",
                        ),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=S.use_template,
                reset_on_submit=False,
                key=S.open_id,
            ),
            max_width="560px",
            max_height="90vh",
            overflow_y="auto",
        ),
        open=S.use_open,
        on_open_change=S.close_use,
    )
