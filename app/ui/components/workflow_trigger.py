"""The trigger section of the workflow form: it changes with the trigger type."""

from __future__ import annotations

import reflex as rx

from app.ui.components.editor_fields import error, field_label, select_field
from app.ui.forms.workflow_form import CRON_PRESETS, TRIGGER_TYPES
from app.ui.states.workflow_editor import WorkflowEditorErrors as S


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
                        field_label("Cron (5 fields)", "wf-cron"),
                        rx.input(
                            id="wf-cron",
                            value=t["cron"],
                            font_family="monospace",
                            on_change=lambda v: S.set_trigger_field("cron", v),
                        ),
                        spacing="1",
                    ),
                    rx.vstack(
                        field_label("Time zone", "wf-tz"),
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
                field_label("Every (seconds)", "wf-interval"),
                rx.input(
                    id="wf-interval",
                    value=t["interval_seconds"],
                    on_change=lambda v: S.set_trigger_field("interval_seconds", v),
                ),
                spacing="1",
            ),
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
        rx.vstack(
            field_label("Secret (leave empty to keep or to have one generated)", "wf-secret"),
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
                (
                    "event",
                    rx.grid(
                        rx.vstack(
                            field_label("Event name", "wf-event"),
                            rx.input(
                                id="wf-event",
                                value=t["event"],
                                on_change=lambda v: S.set_trigger_field("event", v),
                            ),
                            spacing="1",
                        ),
                        rx.vstack(
                            field_label("Filter (condition on `event`)", "wf-filter"),
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
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
