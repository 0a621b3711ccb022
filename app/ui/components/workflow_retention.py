"""The workflow form's collapsible "History retention" section (#16): the workflow's own
retention values; blank uses the global one, shown as the placeholder."""

from __future__ import annotations

import reflex as rx

from app.ui.components.editor_fields import error, field_label
from app.ui.states.workflow_editor import WorkflowEditorErrors as S

_FIELDS = [
    ("keep_days", "Keep finished executions (days)"),
    ("keep_last", "Always keep the newest N"),
    ("keep_data_days", "Keep step inputs/outputs (days)"),
]


def _input(name: str, label: str) -> rx.Component:
    return rx.vstack(
        field_label(label, f"wf-{name}"),
        rx.input(
            id=f"wf-{name}",
            value=S.fields[name],
            placeholder=S.retention_hints.get(name, "Global setting"),
            input_mode="numeric",
            width="100%",
            on_change=lambda v: S.set_field(name, v),
            data_testid=f"wf-{name}",
        ),
        error(S.errors.get(name, ""), f"error-{name}"),
        spacing="1",
        width="100%",
    )


def retention_section() -> rx.Component:
    return rx.card(
        rx.accordion.root(
            rx.accordion.item(
                header=rx.hstack(
                    rx.icon("history", size=16),
                    rx.text("History retention", weight="bold"),
                    align="center",
                    spacing="2",
                ),
                content=rx.vstack(
                    rx.text(
                        "How long this workflow's past runs are kept. Blank: the global setting "
                        "(Admin → Data). Running and waiting runs are never pruned.",
                        size="2",
                        color=rx.color("gray", 11),
                    ),
                    rx.grid(
                        *[_input(*f) for f in _FIELDS],
                        columns=rx.breakpoints(initial="1", md="3"),
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                    padding_top="0.5rem",
                    color=rx.color("gray", 12),  # the accordion tints its content otherwise
                ),
                value="retention",
                data_testid="retention-section",
            ),
            collapsible=True,
            type="single",
            variant="ghost",
            width="100%",
        ),
        width="100%",
    )
