"""The trigger section of the workflow form: it changes with the trigger type."""

from __future__ import annotations

import reflex as rx

from app.ui.components.editor_fields import error, field_label, select_field
from app.ui.components.webhook_box import webhook_box
from app.ui.forms.step_kinds import FlowField
from app.ui.forms.trigger_kinds import TRIGGER_FIELDS, TRIGGER_HINTS
from app.ui.forms.workflow_form import CRON_PRESETS, TRIGGER_TYPES
from app.ui.states.workflow_editor import WorkflowEditorErrors as S


def _trigger_input(label: str, key: str, html_id: str, **props: str) -> rx.Component:
    """A labelled input bound to the trigger's `key`."""
    return rx.vstack(
        field_label(label, html_id),
        rx.input(
            id=html_id,
            value=S.trigger[key],
            on_change=lambda v: S.set_trigger_field(key, v),
            width="100%",
            **props,
        ),
        error(S.errors.get(f"trigger.config.{key}", ""), f"error-trigger-{key}"),
        spacing="1",
        width="100%",
    )


def _time_zone_field() -> rx.Component:
    """The time zone: typing a part of a name (`berlin`, `new york`) lists the IANA names that
    match; a click on one fills it in."""
    return rx.vstack(
        _trigger_input(
            "Time zone (type to search)",
            "timezone",
            "wf-tz",
            placeholder="Europe/Berlin",
            auto_complete="off",
        ),
        rx.cond(
            S.tz_matches.length() > 0,
            rx.flex(
                rx.foreach(
                    S.tz_matches,
                    lambda name: rx.button(
                        name,
                        size="1",
                        variant="soft",
                        type="button",
                        on_click=S.set_trigger_field("timezone", name),
                        data_testid="tz-option",
                    ),
                ),
                gap="0.4rem",
                wrap="wrap",
                role="group",
                aria_label="Matching time zones",
            ),
        ),
        spacing="1",
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
                    _trigger_input("Cron (5 fields)", "cron", "wf-cron", font_family="monospace"),
                    _time_zone_field(),
                    columns="2",
                    spacing="4",
                    width="100%",
                ),
                rx.callout.root(  # root + icon: a callout's own text is a <p>, no <div> in it
                    rx.callout.icon(rx.icon("calendar-clock")),
                    rx.vstack(
                        rx.text(S.cron_words, size="2", weight="medium", data_testid="cron-words"),
                        rx.foreach(S.next_runs, lambda r: rx.text("Next: ", r, size="1")),
                        spacing="1",
                    ),
                    size="1",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            _trigger_input("Every (seconds)", "interval_seconds", "wf-interval"),
        ),
        select_field(
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
        select_field(
            "Signature",
            ["none", "github", "flowdeck"],
            t["signature"],
            lambda v: S.set_trigger_field("signature", v),
            "wf-signature",
        ),
        rx.cond(  # an unsigned hook has no secret to set
            t["signature"] != "none",
            _trigger_input(
                "Secret (leave empty to keep or to have one generated)",
                "secret",
                "wf-secret",
                type="password",
            ),
            rx.text(
                "Unsigned: anyone who knows the URL can start this workflow. Choose a "
                "signature to require a secret.",
                size="1",
                color=rx.color("gray", 11),
            ),
        ),
        rx.cond(
            S.webhook_url != "",
            webhook_box(S.webhook_url, S.curl_example),
            rx.text(
                "The URL appears here after the first save.", size="1", color=rx.color("gray", 11)
            ),
        ),
        spacing="3",
        width="100%",
    )


def _described_input(f: FlowField) -> rx.Component:
    """One field of a trigger type described in `TRIGGER_FIELDS`, its problem under it."""
    html_id = f"wf-{f.key.replace('_', '-')}"
    value, on_change = S.trigger[f.key], lambda v: S.set_trigger_field(f.key, v)
    if f.kind == "select":
        control = rx.select(  # the id goes to its button, so the label names it
            list(f.options), value=value, on_change=on_change, width="100%", id=html_id
        )
    elif f.kind in ("textarea", "json", "code"):
        control = rx.text_area(
            id=html_id, value=value, on_change=on_change, rows="4", width="100%",
            font_family="monospace" if f.kind != "textarea" else None,
        )  # fmt: skip
    else:
        control = rx.input(
            id=html_id,
            value=value,
            on_change=on_change,
            placeholder=f.placeholder,
            width="100%",
            type="password" if f.kind == "secret" else "text",
        )
    return rx.vstack(
        field_label(f.label, html_id),
        control,
        error(S.errors.get(f"trigger.config.{f.config_key}", ""), f"error-{html_id}"),
        spacing="1",
        width="100%",
        data_testid=f"field-{html_id}",
    )


def _described_fields(kind: str) -> rx.Component:
    """A registered trigger type's section, built from its `TRIGGER_FIELDS`."""
    fields = TRIGGER_FIELDS[kind]
    parts: list[rx.Component] = [
        rx.grid(
            *[_described_input(f) for f in fields],
            columns=rx.breakpoints(initial="1", md=str(min(len(fields), 3))),
            spacing="4",
            width="100%",
        )
    ]
    if kind == "api_endpoint":
        parts.append(_endpoint_url())
    if kind == "deployment":
        parts.append(_hook_url())
    if kind in TRIGGER_HINTS:
        parts.append(rx.text(TRIGGER_HINTS[kind], size="1", color=rx.color("gray", 11)))
    return rx.vstack(*parts, spacing="3", width="100%")


def _hook_url() -> rx.Component:
    return rx.cond(
        S.webhook_url != "",
        rx.vstack(
            rx.text("URL", size="2", weight="medium"),
            rx.code(S.webhook_url, data_testid="deploy-url"),
            spacing="1",
            width="100%",
        ),
        rx.text("The URL appears here after the first save.", size="1", color=rx.color("gray", 11)),
    )


def _endpoint_url() -> rx.Component:
    return rx.cond(
        S.endpoint_url != "",
        rx.vstack(
            rx.text("URL", size="2", weight="medium"),
            rx.code(S.endpoint_url, data_testid="endpoint-url"),
            rx.code_block(S.endpoint_curl, language="bash", wrap_long_lines=True),
            spacing="1",
            width="100%",
        ),
        rx.text("The URL appears here after the first save.", size="1", color=rx.color("gray", 11)),
    )


def _recovery_field() -> rx.Component:
    """The workflow's `on_interrupted` policy, in words."""
    return rx.vstack(
        field_label("If Flowdeck stops mid-run", "wf-on-interrupted"),
        rx.select.root(
            rx.select.trigger(id="wf-on-interrupted", width="100%"),
            rx.select.content(
                rx.select.item("Leave it interrupted", value="leave"),
                rx.select.item("Retry once after restart", value="retry"),
            ),
            value=S.fields["on_interrupted"],
            on_change=lambda v: S.set_field("on_interrupted", v),
        ),
        rx.text(
            "A crash or a restart interrupts the runs in progress. Retry starts each again "
            "once, from the step that was cut off, reusing the steps that had finished; "
            "choose it only when running those steps twice is harmless.",
            size="1",
            color=rx.color("gray", 11),
        ),
        error(S.errors.get("on_interrupted", ""), "error-on_interrupted"),
        spacing="1",
        width="100%",
        data_testid="wf-on-interrupted",
    )


def _on_failure_field() -> rx.Component:
    """The workflow-level error handler: another workflow to run when a run fails."""
    return rx.vstack(
        field_label("If a run fails, run workflow (id, optional)", "wf-on-failure"),
        rx.input(
            id="wf-on-failure",
            value=S.fields["on_failure_workflow_id"],
            on_change=lambda v: S.set_field("on_failure_workflow_id", v),
            placeholder="12",
            width="100%",
        ),
        rx.text(
            "That workflow starts with the failed run, its workflow and the error as its "
            "trigger payload (like an alert trigger); it is never started again by its own "
            "failure.",
            size="1",
            color=rx.color("gray", 11),
        ),
        error(S.errors.get("on_failure_workflow_id", ""), "error-on_failure_workflow_id"),
        spacing="1",
        width="100%",
        data_testid="wf-on-failure",
    )


def trigger_section() -> rx.Component:
    t = S.trigger
    return rx.card(
        rx.vstack(
            rx.heading("Trigger", size="3"),
            select_field(
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
                *[(kind, _described_fields(kind)) for kind in TRIGGER_FIELDS],
                (
                    "event",
                    rx.grid(
                        _trigger_input("Event name", "event", "wf-event"),
                        _trigger_input(
                            "Filter (condition on `event`)",
                            "filter",
                            "wf-filter",
                            placeholder="event.status == 'ready'",
                        ),
                        columns="2",
                        spacing="4",
                        width="100%",
                    ),
                ),
                (
                    "publish",
                    select_field(
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
            error(S.trigger_error, "error-trigger"),
            _recovery_field(),
            _on_failure_field(),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
