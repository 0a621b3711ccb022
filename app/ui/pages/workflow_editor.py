"""/admin/workflows/new and /admin/workflows/[id]/edit: the workflow form."""

from __future__ import annotations

import reflex as rx

from app.ui.components.breadcrumbs import breadcrumbs
from app.ui.components.editor_fields import error, field_label, select_field, text_field
from app.ui.components.layout import admin_page
from app.ui.components.link_button import link_button
from app.ui.components.template_help import sample_section
from app.ui.components.workflow_retention import retention_section
from app.ui.components.workflow_steps import steps_section
from app.ui.components.workflow_trigger import trigger_section
from app.ui.pages.registry import page
from app.ui.states.workflow_editor import WorkflowEditorErrors as S


def _basics() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Basics", size="3"),
            rx.grid(
                text_field("Name", "name", "Publish and share"),
                select_field(
                    "Type",
                    ["custom", "n8n", "zapier", "git", "api"],
                    S.fields["workflow_type"],
                    lambda v: S.set_field("workflow_type", v),
                    "wf-type",
                ),
                select_field(
                    "Priority",
                    ["low", "normal", "high"],
                    S.fields["priority"],
                    lambda v: S.set_field("priority", v),
                    "wf-priority",
                ),
                text_field("Concurrency limit", "concurrency_limit", "1"),
                text_field("Max parallel steps (1-64)", "max_parallel", "8"),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            rx.vstack(
                field_label("Description", "wf-description"),
                rx.text_area(
                    id="wf-description",
                    value=S.fields["description"],
                    width="100%",
                    on_change=lambda v: S.set_field("description", v),
                ),
                spacing="1",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )


def _secret_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Webhook secret"),
            rx.callout(
                "Copy it now: Flowdeck shows it only once.", icon="key-round", color_scheme="amber"
            ),
            rx.code(
                S.secret_once,
                data_testid="webhook-secret",
                style={"word_break": "break-all", "margin": "1rem 0"},
            ),
            rx.hstack(
                rx.button(
                    rx.icon("copy", size=14),
                    "Copy",
                    variant="soft",
                    on_click=rx.set_clipboard(S.secret_once),
                ),
                rx.dialog.close(rx.button("Done")),
                justify="end",
                spacing="3",
            ),
        ),
        open=S.secret_once != "",
        on_open_change=S.close_secret,
    )


def editor(title: str) -> rx.Component:
    return admin_page(
        title,
        rx.vstack(
            rx.cond(
                S.form_error != "",
                rx.callout(
                    S.form_error,
                    icon="triangle-alert",
                    color_scheme="red",
                    width="100%",
                    data_testid="form-error",
                ),
            ),
            rx.hstack(
                rx.cond(
                    S.workflow_id != 0,
                    breadcrumbs(
                        ("Workflows", "/admin/workflows"),
                        (S.fields["name"], "/admin/workflows/" + S.workflow_id.to_string()),
                        ("Edit", None),
                    ),
                    breadcrumbs(("Workflows", "/admin/workflows"), ("New workflow", None)),
                ),
                rx.spacer(),
                rx.hstack(
                    rx.text("Advanced: JSON", size="2"),
                    rx.switch(
                        checked=S.json_mode,
                        on_change=lambda _v: S.toggle_json(),
                        aria_label="Advanced: JSON",
                        data_testid="json-toggle",
                    ),
                    align="center",
                    spacing="2",
                ),
                width="100%",
                align="center",
            ),
            rx.cond(
                S.json_mode,
                rx.vstack(
                    rx.text_area(
                        value=S.json_text,
                        on_change=S.set_json_text,
                        rows="28",
                        font_family="monospace",
                        width="100%",
                        data_testid="json-editor",
                    ),
                    error(S.errors.get("json", ""), "error-json"),
                    width="100%",
                ),
                rx.vstack(
                    _basics(),
                    trigger_section(),
                    sample_section(),
                    steps_section(),
                    retention_section(),
                    spacing="4",
                    width="100%",
                ),
            ),
            rx.hstack(
                link_button("Cancel", href="/admin/workflows", variant="soft", color_scheme="gray"),
                rx.button(
                    rx.icon("save", size=14),
                    "Save workflow",
                    on_click=S.save,
                    loading=S.saving,
                    title="Save (Ctrl+S)",
                    custom_attrs={"data-shortcut-save": ""},
                    data_testid="save-workflow",
                ),
                justify="end",
                spacing="3",
                width="100%",
            ),
            _secret_dialog(),
            spacing="4",
            width="100%",
            max_width="960px",
        ),
    )


@page(route="/admin/workflows/new", title="New workflow · Flowdeck", on_load=S.load_new)
def new_workflow_page() -> rx.Component:
    return editor("New workflow")


@page(
    route="/admin/workflows/[workflow_id]/edit",
    title="Edit workflow · Flowdeck",
    on_load=S.load_edit,
)
def edit_workflow_page() -> rx.Component:
    return editor("Edit workflow")
