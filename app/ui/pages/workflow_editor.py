"""/admin/workflows/new and /admin/workflows/[id]/edit: the workflow form."""

from __future__ import annotations

import reflex as rx

from app.ui.components.layout import admin_page
from app.ui.forms.workflow_form import ACTION_TYPES, CRON_PRESETS, TRIGGER_TYPES
from app.ui.states.workflow_editor import WorkflowEditorErrors as S

RETRY_STRATEGIES = ["none", "immediate", "linear", "exponential"]


def _label(text: str, html_for: str = "") -> rx.Component:
    return rx.el.label(
        text,
        html_for=html_for or None,
        style={"font_size": "var(--font-size-2)", "font_weight": "500"},
    )


def _error(message: rx.Var, testid: str = "") -> rx.Component:
    return rx.cond(
        message != "",
        rx.text(
            message,
            color=rx.color("red", 11),
            size="1",
            white_space="pre-wrap",
            data_testid=testid or None,
        ),
    )


def _text_field(label: str, key: str, placeholder: str = "") -> rx.Component:
    return rx.vstack(
        _label(label, f"wf-{key}"),
        rx.input(
            id=f"wf-{key}",
            value=S.fields[key],
            placeholder=placeholder,
            width="100%",
            on_change=lambda v: S.set_field(key, v),
        ),
        _error(S.errors.get(key, ""), f"error-{key}"),
        spacing="1",
        width="100%",
    )


def _select(label: str, options: list[str], value: rx.Var, on_change, testid: str) -> rx.Component:
    return rx.vstack(
        _label(label),
        rx.select(options, value=value, on_change=on_change, width="100%"),
        spacing="1",
        width="100%",
        data_testid=testid,
    )


def _basics() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Basics", size="3"),
            rx.grid(
                _text_field("Name", "name", "Publish and share"),
                _select(
                    "Type",
                    ["custom", "n8n", "zapier", "git", "api"],
                    S.fields["workflow_type"],
                    lambda v: S.set_field("workflow_type", v),
                    "wf-type",
                ),
                _select(
                    "Priority",
                    ["low", "normal", "high"],
                    S.fields["priority"],
                    lambda v: S.set_field("priority", v),
                    "wf-priority",
                ),
                _text_field("Concurrency limit", "concurrency_limit", "1"),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            rx.vstack(
                _label("Description", "wf-description"),
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


def _schedule_fields() -> rx.Component:
    t = S.trigger
    return rx.vstack(
        rx.segmented_control.root(
            rx.segmented_control.item("Cron", value="cron"),
            rx.segmented_control.item("Interval", value="interval"),
            value=t["schedule_kind"],
            on_change=lambda v: S.set_trigger_field("schedule_kind", v),
        ),
        rx.cond(
            t["schedule_kind"] == "cron",
            rx.vstack(
                rx.hstack(
                    *[
                        rx.button(
                            label,
                            size="1",
                            variant="soft",
                            type="button",
                            on_click=S.apply_preset(cron),
                        )
                        for label, cron in CRON_PRESETS
                    ],
                    wrap="wrap",
                    spacing="2",
                ),
                rx.grid(
                    rx.vstack(
                        _label("Cron (5 fields)", "wf-cron"),
                        rx.input(
                            id="wf-cron",
                            value=t["cron"],
                            font_family="monospace",
                            on_change=lambda v: S.set_trigger_field("cron", v),
                        ),
                        spacing="1",
                    ),
                    rx.vstack(
                        _label("Time zone", "wf-tz"),
                        rx.input(
                            id="wf-tz",
                            value=t["timezone"],
                            placeholder="Europe/Berlin",
                            on_change=lambda v: S.set_trigger_field("timezone", v),
                        ),
                        spacing="1",
                    ),
                    columns="2",
                    spacing="4",
                    width="100%",
                ),
                rx.callout(
                    rx.vstack(
                        rx.text(S.cron_words, weight="medium", data_testid="cron-words"),
                        rx.foreach(S.next_runs, lambda r: rx.text("Next: ", r, size="1")),
                        spacing="1",
                    ),
                    icon="calendar-clock",
                    size="1",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            rx.vstack(
                _label("Every (seconds)", "wf-interval"),
                rx.input(
                    id="wf-interval",
                    value=t["interval_seconds"],
                    on_change=lambda v: S.set_trigger_field("interval_seconds", v),
                ),
                spacing="1",
            ),
        ),
        _select(
            "Missed runs while Flowdeck was down",
            ["skip", "run_once"],
            t["misfire"],
            lambda v: S.set_trigger_field("misfire", v),
            "wf-misfire",
        ),
        spacing="3",
        width="100%",
    )


def _webhook_fields() -> rx.Component:
    t = S.trigger
    return rx.vstack(
        _select(
            "Signature",
            ["none", "github", "flowdeck"],
            t["signature"],
            lambda v: S.set_trigger_field("signature", v),
            "wf-signature",
        ),
        rx.vstack(
            _label("Secret (leave empty to keep or to have one generated)", "wf-secret"),
            rx.input(
                id="wf-secret",
                type="password",
                value=t["secret"],
                on_change=lambda v: S.set_trigger_field("secret", v),
            ),
            spacing="1",
            width="100%",
        ),
        rx.cond(
            S.webhook_url != "",
            rx.vstack(
                rx.text("URL", size="2", weight="medium"),
                rx.code(S.webhook_url, data_testid="webhook-url"),
                rx.text("Try it", size="2", weight="medium"),
                rx.code_block(S.curl_example, language="bash", wrap_long_lines=True),
                spacing="1",
                width="100%",
            ),
            rx.text(
                "The URL appears here after the first save.", size="1", color=rx.color("gray", 11)
            ),
        ),
        spacing="3",
        width="100%",
    )


def _trigger() -> rx.Component:
    t = S.trigger
    return rx.card(
        rx.vstack(
            rx.heading("Trigger", size="3"),
            _select(
                "Starts when",
                TRIGGER_TYPES,
                t["type"],
                lambda v: S.set_trigger_field("type", v),
                "wf-trigger-type",
            ),
            rx.match(
                t["type"],
                ("schedule", _schedule_fields()),
                ("webhook", _webhook_fields()),
                (
                    "event",
                    rx.grid(
                        rx.vstack(
                            _label("Event name", "wf-event"),
                            rx.input(
                                id="wf-event",
                                value=t["event"],
                                on_change=lambda v: S.set_trigger_field("event", v),
                            ),
                            spacing="1",
                        ),
                        rx.vstack(
                            _label("Filter (condition on `event`)", "wf-filter"),
                            rx.input(
                                id="wf-filter",
                                value=t["filter"],
                                placeholder="event.status == 'ready'",
                                on_change=lambda v: S.set_trigger_field("filter", v),
                            ),
                            spacing="1",
                        ),
                        columns="2",
                        spacing="4",
                        width="100%",
                    ),
                ),
                (
                    "publish",
                    _select(
                        "When an article becomes",
                        ["ready", "published", "archived", "draft"],
                        t["article_status"],
                        lambda v: S.set_trigger_field("article_status", v),
                        "wf-article-status",
                    ),
                ),
                rx.text(
                    "Runs when someone presses Run, or through the API.",
                    size="2",
                    color=rx.color("gray", 11),
                ),
            ),
            _error(S.trigger_error, "error-trigger"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _action_input(
    index: rx.Var, action: rx.Var, key: str, label: str, placeholder: str = "", mono: bool = False
) -> rx.Component:
    return rx.vstack(
        _label(label),
        rx.input(
            value=action[key],
            placeholder=placeholder,
            width="100%",
            font_family="monospace" if mono else None,
            on_change=lambda v: S.set_action_field(index, key, v),
            data_testid=f"action-{key}",
        ),
        spacing="1",
        width="100%",
    )


def _action_json(index: rx.Var, action: rx.Var, key: str, label: str) -> rx.Component:
    return rx.vstack(
        _label(label),
        rx.text_area(
            value=action[key],
            font_family="monospace",
            rows="5",
            width="100%",
            on_change=lambda v: S.set_action_field(index, key, v),
            data_testid=f"action-{key}",
        ),
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
                        _label("Method"),
                        rx.select(
                            ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"],
                            value=action["method"],
                            on_change=lambda v: S.set_action_field(index, "method", v),
                        ),
                        spacing="1",
                    ),
                    _action_input(index, action, "url", "URL", "https://api.example.com/items"),
                    columns="1fr 4fr",
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
        _action_json(index, action, "extra_json", "Config (JSON)"),
    )


def _switch(index: rx.Var, action: rx.Var, label: str) -> rx.Component:
    return rx.hstack(
        rx.switch(checked=action["flag"], on_change=lambda v: S.set_action_field(index, "flag", v)),
        rx.text(label, size="2"),
        align="center",
    )


def _domain_cases(index: rx.Var, action: rx.Var) -> list[tuple[str, rx.Component]]:
    """Fields of the content actions; article ids default to the trigger's article."""
    article = _action_input(
        index, action, "article", "Article id (empty: the trigger's)", "{{ trigger.article_id }}"
    )
    connection = _action_input(index, action, "connection", "Connection (id or name)")
    message = _action_json(index, action, "message", "Message ({{ templates }} allowed)")
    return [
        ("publish", rx.grid(article, connection, columns="2", spacing="3", width="100%")),
        (
            "share",
            rx.vstack(
                _action_input(
                    index,
                    action,
                    "list_text",
                    "Connections (ids or names, comma-separated)",
                    "Team Slack, Ops Telegram",
                ),
                message,
                _switch(index, action, "Fail the step if any platform fails"),
                spacing="3",
                width="100%",
            ),
        ),
        (
            "monitor",
            rx.vstack(
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
                        _label("Severity"),
                        rx.select(
                            ["info", "warning", "error", "critical"],
                            value=action["severity"],
                            on_change=lambda v: S.set_action_field(index, "severity", v),
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


def _action_card(action: rx.Var, index: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(index + 1, variant="solid", radius="full"),
                rx.select(
                    ACTION_TYPES,
                    value=action["type"],
                    size="2",
                    on_change=lambda v: S.set_action_field(index, "type", v),
                ),
                rx.spacer(),
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
                    on_click=S.remove_action(index),
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
            rx.grid(
                _action_input(
                    index,
                    action,
                    "condition",
                    "Run only if (condition)",
                    "steps.fetch.output.status == 200",
                    mono=True,
                ),
                _action_input(index, action, "timeout_s", "Timeout (s)", "none"),
                columns="3fr 1fr",
                spacing="3",
                width="100%",
            ),
            rx.grid(
                rx.vstack(
                    _label("Retry"),
                    rx.select(
                        RETRY_STRATEGIES,
                        value=action["retry_strategy"],
                        on_change=lambda v: S.set_action_field(index, "retry_strategy", v),
                    ),
                    spacing="1",
                ),
                _action_input(index, action, "retry_max", "Max attempts"),
                _action_input(index, action, "retry_delay", "Delay (s)"),
                rx.vstack(
                    _label("On error"),
                    rx.hstack(
                        rx.switch(
                            checked=action["continue_on_error"],
                            on_change=lambda v: S.set_action_field(index, "continue_on_error", v),
                        ),
                        rx.text("continue", size="2"),
                        align="center",
                        height="32px",
                    ),
                    spacing="1",
                ),
                columns=rx.breakpoints(initial="2", md="4"),
                spacing="3",
                width="100%",
            ),
            _error(S.action_errors[index], "error-action"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid="action-card",
    )


def _actions() -> rx.Component:
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
                for kind in ACTION_TYPES[:3]
            ],
            rx.dropdown_menu.root(
                rx.dropdown_menu.trigger(
                    rx.button(
                        rx.icon("plus", size=14),
                        "content step",
                        size="1",
                        variant="soft",
                        type="button",
                        data_testid="add-content-step",
                    )
                ),
                rx.dropdown_menu.content(
                    *[
                        rx.dropdown_menu.item(
                            kind, on_click=S.add_action(kind), data_testid=f"add-{kind}"
                        )
                        for kind in ACTION_TYPES[3:]
                    ]
                ),
            ),
            width="100%",
            align="center",
        ),
        rx.foreach(S.actions, _action_card),
        _error(S.errors.get("actions", ""), "error-actions"),
        spacing="3",
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
                rx.link(
                    rx.hstack(
                        rx.icon("arrow-left", size=14), "All workflows", align="center", spacing="1"
                    ),
                    href="/admin/workflows",
                    size="2",
                ),
                rx.spacer(),
                rx.hstack(
                    rx.text("Advanced: JSON", size="2"),
                    rx.switch(
                        checked=S.json_mode,
                        on_change=lambda _v: S.toggle_json(),
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
                    _error(S.errors.get("json", ""), "error-json"),
                    width="100%",
                ),
                rx.vstack(_basics(), _trigger(), _actions(), spacing="4", width="100%"),
            ),
            rx.hstack(
                rx.link(
                    rx.button("Cancel", variant="soft", color_scheme="gray", type="button"),
                    href="/admin/workflows",
                ),
                rx.button(
                    rx.icon("save", size=14),
                    "Save workflow",
                    on_click=S.save,
                    loading=S.saving,
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


@rx.page(route="/admin/workflows/new", title="New workflow · Flowdeck", on_load=S.load_new)
def new_workflow_page() -> rx.Component:
    return editor("New workflow")


@rx.page(
    route="/admin/workflows/[workflow_id]/edit",
    title="Edit workflow · Flowdeck",
    on_load=S.load_edit,
)
def edit_workflow_page() -> rx.Component:
    return editor("Edit workflow")
