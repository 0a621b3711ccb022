"""A step card's place in the graph ("Runs after", "Trigger rule") and the flow steps' fields."""

from __future__ import annotations

import reflex as rx

from app.ui.components.editor_fields import error, field_label
from app.ui.components.template_help import labelled
from app.ui.forms.step_kinds import (
    FLOW_COLUMNS,
    FLOW_FIELDS,
    PARTIAL_FLOW_TYPES,
    TRIGGER_RULE_HINTS,
    TRIGGER_RULES,
    FlowField,
)
from app.ui.states.template_help import field_id
from app.ui.states.workflow_editor import WorkflowEditorErrors as S


def _field_error(index: rx.Var, key: str) -> rx.Component:
    return error(S.action_field_errors[index].get(key, ""), f"error-action-{key}")


def _choice(label: rx.Var | str, checked: rx.Var, on_change, testid: rx.Var | str) -> rx.Component:
    return rx.checkbox(label, checked=checked, on_change=on_change, size="2", data_testid=testid)


def _dependency(index: rx.Var, chosen: rx.Var, option: rx.Var) -> rx.Component:
    return _choice(
        option["label"],
        chosen.contains(option["value"]),
        lambda v: S.toggle_dependency(index, option["value"], v),
        "dep-option",
    )


def runs_after(index: rx.Var, action: rx.Var) -> rx.Component:
    """Checkboxes: "(previous step)" (nothing chosen), "at the start" ([]), or chosen steps."""
    chosen = action["depends_on"].to(list[str])
    at_start = action["at_start"].to(bool)
    return rx.vstack(
        field_label("Runs after"),
        rx.flex(
            _choice(
                "(previous step)",
                ~at_start & (chosen.length() == 0),
                lambda v: S.run_after_previous(index, v),
                "dep-previous",
            ),
            _choice("at the start", at_start, lambda v: S.run_at_start(index, v), "dep-start"),
            rx.foreach(
                S.dependency_choices,
                lambda option: rx.cond(
                    option["source"] != action["id"].to(str).strip(),
                    _dependency(index, chosen, option),
                ),
            ),
            rx.foreach(
                S.missing_dependencies[index],
                lambda option: _dependency(index, chosen, option),
            ),
            wrap="wrap",
            column_gap="var(--space-4)",
            row_gap="var(--space-1)",
            padding="6px 8px",
            border=f"1px solid {rx.color('gray', 6)}",
            border_radius="var(--radius-2)",
            width="100%",
            role="group",
            aria_label="Runs after",
            data_testid="action-depends_on",
        ),
        _field_error(index, "depends_on"),
        spacing="1",
        width="100%",
    )


def trigger_rule(index: rx.Var, action: rx.Var) -> rx.Component:
    rule = action["trigger_rule"].to(str)
    return rx.vstack(
        field_label("Trigger rule"),
        rx.select(
            TRIGGER_RULES,
            value=rule,
            width="100%",
            on_change=lambda v: S.set_action_field(index, "trigger_rule", v),
            custom_attrs={"aria-label": "Trigger rule"},
        ),
        rx.text(
            rx.match(rule, *TRIGGER_RULE_HINTS.items(), ""),
            size="1",
            color=rx.color("gray", 11),
            data_testid="trigger-rule-hint",
        ),
        _field_error(index, "trigger_rule"),
        spacing="1",
        width="100%",
        data_testid="action-trigger_rule",
    )


def graph_fields(index: rx.Var, action: rx.Var) -> rx.Component:
    return rx.grid(
        runs_after(index, action),
        trigger_rule(index, action),
        columns=rx.breakpoints(initial="1", md="3fr 1fr"),
        spacing="3",
        width="100%",
    )


def _flow_input(index: rx.Var, action: rx.Var, f: FlowField) -> rx.Component:
    common = {
        "value": action[f.key],
        "width": "100%",
        "on_change": lambda v: S.set_action_field(index, f.key, v),
    }
    if f.kind == "select":  # a select's test id goes on its box (see the return)
        control = rx.select(list(f.options), **common, custom_attrs={"aria-label": f.label})
    else:
        common["id"] = field_id(index, f.key)
    if f.kind == "textarea":
        control = rx.text_area(rows="4", data_testid=f"action-{f.key}", **common)
    elif f.kind == "code":
        control = rx.text_area(
            font_family="monospace", rows="8", data_testid=f"action-{f.key}", **common
        )
    elif f.kind == "json":
        control = rx.text_area(
            font_family="monospace", rows="4", data_testid=f"action-{f.key}", **common
        )
    elif f.kind != "select":
        control = rx.input(
            placeholder=f.placeholder,
            font_family="monospace",
            data_testid=f"action-{f.key}",
            **common,
        )
    return rx.vstack(
        field_label(f.label) if f.kind == "select" else labelled(index, f.key, f.label),
        control,
        _field_error(index, f"config.{f.config_key}"),
        spacing="1",
        width="100%",
        data_testid=f"field-{f.key}" if f.kind == "select" else None,
        **({"grid_column": "1 / -1"} if f.kind == "code" else {}),
    )


def flow_inputs(index: rx.Var, action: rx.Var, kind: str) -> rx.Component:
    """The inputs of `kind`'s `FLOW_FIELDS`, in a grid."""
    fields = FLOW_FIELDS[kind]
    return rx.grid(
        *[_flow_input(index, action, f) for f in fields],
        columns=rx.breakpoints(initial="1", md=str(FLOW_COLUMNS.get(kind, len(fields)))),
        spacing="3",
        width="100%",
    )


def flow_cases(index: rx.Var, action: rx.Var) -> list[tuple[str, rx.Component]]:
    """One `rx.match` case per flow step type, its inputs built from `FLOW_FIELDS` (a type
    with only some of its fields there places `flow_inputs` in its own card)."""
    return [
        (kind, flow_inputs(index, action, kind))
        for kind in FLOW_FIELDS
        if kind not in PARTIAL_FLOW_TYPES
    ]
