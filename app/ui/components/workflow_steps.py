"""The steps section of the workflow form: one card per action, fields by action type."""

from __future__ import annotations

import reflex as rx

from app.core.article_links import DEFAULT_SHARE_HINT
from app.ui.components.editor_fields import error, field_label
from app.ui.components.template_help import labelled, test_button, trial_result
from app.ui.components.workflow_graph_fields import flow_cases, flow_inputs, graph_fields
from app.ui.forms.step_kinds import (
    ACTION_TYPES,
    BASIC_TYPES,
    CONTENT_TYPES,
    FLOW_TYPES,
    OPS_TYPES,
)
from app.ui.states.template_help import field_id
from app.ui.states.workflow_editor import WorkflowEditorErrors as S

RETRY_STRATEGIES = ["none", "immediate", "linear", "exponential"]


def _input_error(index: rx.Var, key: str) -> rx.Component:
    """The problems of the step's `key` input, right under it."""
    return error(S.action_field_errors[index].get(key, ""), f"error-action-{key}")


#: Fields whose label is tied to the input (the others carry a placeholder that names them;
#: tying "Name" too would make the workflow's own Name field ambiguous by its label).
_TIED = {"retry_max", "retry_delay", "timeout_s", "timeout_call", "seconds", "window_days"}


def _action_input(
    index: rx.Var,
    action: rx.Var,
    key: str,
    label: str,
    placeholder: str = "",
    mono: bool = False,
    picker: bool = False,
) -> rx.Component:
    return rx.vstack(
        labelled(index, key, label)
        if picker
        else field_label(label, field_id(index, key) if key in _TIED else ""),
        rx.input(
            value=action[key],
            placeholder=placeholder,
            width="100%",
            font_family="monospace" if mono else None,
            on_change=lambda v: S.set_action_field(index, key, v),
            id=field_id(index, key),
            data_testid=f"action-{key}",
        ),
        _input_error(index, key),
        spacing="1",
        width="100%",
    )


def _action_json(
    index: rx.Var, action: rx.Var, key: str, label: str, placeholder: str = ""
) -> rx.Component:
    return rx.vstack(
        labelled(index, key, label),
        rx.text_area(
            value=action[key],
            placeholder=placeholder,
            font_family="monospace",
            rows="5",
            width="100%",
            on_change=lambda v: S.set_action_field(index, key, v),
            id=field_id(index, key),
            data_testid=f"action-{key}",
        ),
        _input_error(index, key),
        spacing="1",
        width="100%",
    )


def _action_config(index: rx.Var, action: rx.Var) -> rx.Component:
    return rx.match(
        action["type"],
        ("delay", _action_input(index, action, "seconds", "Seconds to wait")),
        (
            "transform",
            _action_json(
                index, action, "values_json", "Values (JSON; strings may be {{ templates }})"
            ),
        ),
        (
            "api_call",
            rx.vstack(
                rx.grid(
                    rx.vstack(
                        field_label("Method"),
                        rx.select(
                            ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"],
                            value=action["method"],
                            on_change=lambda v: S.set_action_field(index, "method", v),
                            custom_attrs={"aria-label": "Method"},
                        ),
                        spacing="1",
                    ),
                    _action_input(
                        index, action, "url", "URL", "https://api.example.com/items", picker=True
                    ),
                    _action_input(
                        index, action, "connection", "Connection (a path's base URL)", "optional"
                    ),
                    columns=rx.breakpoints(initial="1", md="1fr 3fr 2fr"),
                    spacing="3",
                    width="100%",
                ),
                rx.grid(
                    _action_json(index, action, "headers_json", "Headers (JSON object)"),
                    _action_json(index, action, "body_json", "JSON body"),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3",
                    width="100%",
                ),
                flow_inputs(index, action, "api_call"),
                rx.grid(
                    _action_input(
                        index,
                        action,
                        "expected_status",
                        "Expected status codes",
                        "200, 201 (empty: any 2xx)",
                    ),
                    _action_input(index, action, "timeout_call", "Request timeout (s)"),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
        ),
        *_domain_cases(index, action),
        *flow_cases(index, action),
        _action_json(index, action, "extra_json", "Config (JSON)"),
    )


def _switch(index: rx.Var, action: rx.Var, label: str) -> rx.Component:
    return rx.hstack(
        rx.switch(
            checked=action["flag"],
            on_change=lambda v: S.set_action_field(index, "flag", v),
            aria_label=label,
        ),
        rx.text(label, size="2"),
        align="center",
    )


def _domain_cases(index: rx.Var, action: rx.Var) -> list[tuple[str, rx.Component]]:
    """Fields of the content actions; article ids default to the trigger's article."""
    article = _action_input(
        index,
        action,
        "article",
        "Article id (empty: the trigger's)",
        "{{ trigger.article_id }}",
        picker=True,
    )
    connection = _action_input(index, action, "connection", "Connection (id or name)")
    message = _action_json(index, action, "message", "Message ({{ templates }} allowed)")
    return [
        ("publish", rx.grid(article, connection, columns="2", spacing="3", width="100%")),
        (
            "share",
            rx.vstack(
                rx.grid(
                    _action_input(
                        index,
                        action,
                        "platforms",
                        "Platforms (every connection of each; comma-separated)",
                        "x, linkedin, mastodon, bluesky, discord, teams, telegram",
                    ),
                    _action_input(
                        index,
                        action,
                        "list_text",
                        "Connections (ids or names, comma-separated)",
                        "Team Slack, Ops Telegram",
                    ),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3",
                    width="100%",
                ),
                _action_json(
                    index,
                    action,
                    "message",
                    "Message ({{ templates }} allowed; empty: built from the article)",
                    DEFAULT_SHARE_HINT,
                ),
                _switch(index, action, "Fail the step if any platform fails"),
                spacing="3",
                width="100%",
            ),
        ),
        (
            "monitor",
            rx.vstack(
                rx.grid(
                    _action_input(
                        index,
                        action,
                        "metrics",
                        "Metrics of the article (comma-separated)",
                        "ranking, traffic, engagement",
                    ),
                    article,
                    _action_input(
                        index,
                        action,
                        "connection",
                        "Metric sources (empty: every connected one)",
                        "Plausible, Search Console",
                    ),
                    _action_input(index, action, "window_days", "Days looked back", "7"),
                    columns=rx.breakpoints(initial="1", md="4"),
                    spacing="3",
                    width="100%",
                ),
                _action_json(index, action, "list_text", "URLs (one per line)"),
                rx.grid(
                    _action_json(
                        index,
                        action,
                        "paths_json",
                        'Values from JSON bodies ({"name": "url|$.path"})',
                    ),
                    _action_json(
                        index, action, "thresholds_json", 'Thresholds ({"name": {"max": 500}})'
                    ),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
        ),
        (
            "optimize",
            rx.vstack(
                rx.grid(
                    article,
                    _action_input(
                        index,
                        action,
                        "list_text",
                        "Keywords (comma-separated)",
                        "automation, workflows",
                    ),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                _switch(
                    index, action, "Apply safe fixes (slug, meta description) as a new version"
                ),
                spacing="3",
                width="100%",
            ),
        ),
        (
            "notify",
            rx.vstack(
                rx.grid(
                    _action_input(index, action, "alert", "Alert id"),
                    connection,
                    rx.vstack(
                        field_label("Severity"),
                        rx.select(
                            ["info", "warning", "error", "critical"],
                            value=action["severity"],
                            on_change=lambda v: S.set_action_field(index, "severity", v),
                            custom_attrs={"aria-label": "Severity"},
                        ),
                        spacing="1",
                    ),
                    columns="3",
                    spacing="3",
                    width="100%",
                ),
                message,
                spacing="3",
                width="100%",
            ),
        ),
        (
            "git_commit",
            rx.vstack(
                rx.grid(article, connection, columns="2", spacing="3", width="100%"),
                message,
                spacing="3",
                width="100%",
            ),
        ),
    ]


def _action_card(
    action: rx.Var, index: rx.Var, on_remove: rx.EventSpec | None = None
) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(index + 1, variant="solid", radius="full"),
                rx.select(
                    ACTION_TYPES,
                    value=action["type"],
                    size="2",
                    on_change=lambda v: S.set_action_field(index, "type", v),
                    custom_attrs={"aria-label": "Step type"},
                ),
                rx.spacer(),
                test_button(index),
                rx.icon_button(
                    rx.icon("arrow-up", size=14),
                    size="1",
                    variant="ghost",
                    type="button",
                    on_click=S.move_action(index, -1),
                    aria_label="Move up",
                ),
                rx.icon_button(
                    rx.icon("arrow-down", size=14),
                    size="1",
                    variant="ghost",
                    type="button",
                    on_click=S.move_action(index, 1),
                    aria_label="Move down",
                ),
                rx.icon_button(
                    rx.icon("trash-2", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    type="button",
                    on_click=on_remove if on_remove is not None else S.remove_action(index),
                    aria_label="Remove step",
                ),
                width="100%",
                align="center",
            ),
            rx.grid(
                _action_input(
                    index, action, "id", "Step id (used as steps.<id>)", "fetch", mono=True
                ),
                _action_input(index, action, "name", "Name", "Fetch the article"),
                columns="2",
                spacing="3",
                width="100%",
            ),
            _action_config(index, action),
            graph_fields(index, action),
            rx.grid(
                _action_input(
                    index,
                    action,
                    "condition",
                    "Run only if (condition)",
                    "steps.fetch.output.status == 200",
                    mono=True,
                    picker=True,
                ),
                _action_input(index, action, "timeout_s", "Timeout (s)", "none"),
                columns="3fr 1fr",
                spacing="3",
                width="100%",
            ),
            rx.grid(
                rx.vstack(
                    field_label("Retry"),
                    rx.select(
                        RETRY_STRATEGIES,
                        value=action["retry_strategy"],
                        on_change=lambda v: S.set_action_field(index, "retry_strategy", v),
                        custom_attrs={"aria-label": "Retry"},
                    ),
                    spacing="1",
                ),
                _action_input(index, action, "retry_max", "Max attempts"),
                _action_input(index, action, "retry_delay", "Delay (s)"),
                rx.vstack(
                    field_label("On error"),
                    rx.hstack(
                        rx.switch(
                            checked=action["continue_on_error"],
                            on_change=lambda v: S.set_action_field(index, "continue_on_error", v),
                            aria_label="On error: continue",
                        ),
                        rx.text("continue", size="2"),
                        align="center",
                        height="32px",
                    ),
                    spacing="1",
                ),
                # By the card's own width, not the window's: four in the form, two in the
                # designer's 400 px side panel (four there cut "continue" off).
                columns="repeat(auto-fit, minmax(150px, 1fr))",
                spacing="3",
                width="100%",
            ),
            error(S.action_errors[index], "error-action"),
            trial_result(index),
            rx.cond(
                S.action_warnings[index] != "",
                rx.callout(
                    S.action_warnings[index],
                    icon="triangle-alert",
                    color_scheme="amber",
                    size="1",
                    width="100%",
                    data_testid="warning-action",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid="action-card",
    )


def _add_menu(label: str, kinds: list[str]) -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.button(
                rx.icon("plus", size=14),
                label,
                size="1",
                variant="soft",
                type="button",
                data_testid=f"add-{label.replace(' ', '-')}",
            )
        ),
        rx.dropdown_menu.content(
            *[
                rx.dropdown_menu.item(kind, on_click=S.add_action(kind), data_testid=f"add-{kind}")
                for kind in kinds
            ]
        ),
    )


def steps_section() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Steps", size="3"),
            rx.spacer(),
            *[
                rx.button(
                    rx.icon("plus", size=14),
                    kind,
                    size="1",
                    variant="soft",
                    type="button",
                    on_click=S.add_action(kind),
                    data_testid=f"add-{kind}",
                )
                for kind in BASIC_TYPES
            ],
            _add_menu("flow step", FLOW_TYPES),
            _add_menu("operations step", OPS_TYPES),
            _add_menu("content step", CONTENT_TYPES),
            width="100%",
            align="center",
            wrap="wrap",  # a phone puts the add buttons on more lines, not off-screen
        ),
        rx.foreach(S.actions, lambda action, index: _action_card(action, index)),
        error(S.errors.get("actions", ""), "error-actions"),
        spacing="3",
        width="100%",
    )


def step_card(action: rx.Var, index: rx.Var, on_remove: rx.EventSpec | None = None) -> rx.Component:
    """One step's card with every field of its type: the form's, and the designer's panel
    (whose trash is its own `on_remove`: it keeps the canvas layout and can be undone)."""
    return _action_card(action, index, on_remove)
