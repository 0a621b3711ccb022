"""/admin/alerts: alert forms for team members, Send test with the result inline."""

from __future__ import annotations

import reflex as rx

from app.ui.components.editor_fields import field_label
from app.ui.components.layout import admin_page
from app.ui.components.status_badge import status_badge
from app.ui.components.tables import data_table, delete_dialog, phone_cards, toolbar
from app.ui.pages.registry import page
from app.ui.states.alerts import (
    ANY_SEVERITY,
    EVENTS,
    MINIMA,
    SEVERITIES,
    AlertRow,
    DeliveryRow,
    Person,
)
from app.ui.states.alerts import AlertsState as S

#: "Send to" is where a message goes; "Connection" is the stored credentials it is sent with.
CHANNEL_HINTS = [
    (
        "slack",
        "Where to post: a Slack incoming-webhook URL (https://hooks.slack.com/services/…). "
        "Leave it empty when the connection below holds that URL.",
    ),
    ("telegram", "Where to post: a chat id (-100…) or @channel; empty: the connection's chat."),
    ("email", "Who gets it: one or more addresses, separated by commas."),
    (
        "webhook",
        "Where to POST the signed JSON: a URL, or with a connection a path under its "
        "URL (/alerts) or nothing.",
    ),
    ("in_app", ""),
]
CONNECTION_HINTS = [
    ("slack", "Optional: a Slack connection whose stored webhook URL is used instead of Send to."),
    ("telegram", "Required: the Telegram connection with the bot token that sends."),
    ("email", "Required: the SMTP connection (server and login) that sends."),
    ("webhook", "Optional: an n8n, Zapier or HTTP connection; its URL (and headers) are used."),
    ("in_app", "Not used: in-app alerts go to people in Flowdeck."),
]
_SEVERITY_COLORS = [("info", "blue"), ("warning", "amber"), ("error", "red"), ("critical", "red")]


def _error(key: str) -> rx.Component:
    message = S.errors.get(key, "")
    return rx.cond(
        message != "",
        rx.text(message, color=rx.color("red", 11), size="1", data_testid=f"error-{key}"),
    )


def _field(
    label: str, control: rx.Component, hint: str | rx.Var, key: str, html_for: str = "", **props
) -> rx.Component:
    """A form field: its label, the control, a grey hint and the error for `key`."""
    return rx.vstack(
        field_label(label, html_for),
        control,
        rx.text(hint, size="1", color=rx.color("gray", 11)),
        _error(key),
        spacing="1",
        width="100%",
        **props,
    )


def _select(label: str, key: str, options: list[str] | rx.Var) -> rx.Component:
    return rx.vstack(
        field_label(label),
        rx.select(
            options,
            value=S.form.get(key, ""),
            on_change=lambda v: S.set_form(key, v),
            width="100%",
            custom_attrs={"aria-label": label},
        ),
        _error(key if key not in ("workflow", "connection") else f"{key}_id"),
        spacing="1",
        width="100%",
        data_testid=f"alert-{key}",
    )


def _person_box(person: Person) -> rx.Component:
    return rx.checkbox(
        person["label"],
        checked=S.recipients.contains(person["id"]),
        on_change=lambda on: S.toggle_recipient(person["id"], on),
    )


def _event_box(event: str) -> rx.Component:
    return rx.checkbox(
        event.replace("_", " "),
        checked=S.events.contains(event),
        on_change=lambda on: S.toggle_event(event, on),
        data_testid=f"event-{event}",
    )


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.editing_id != 0, "Edit alert", "New alert")),
            rx.cond(
                S.errors.get("form", "") != "",
                rx.callout(
                    S.errors.get("form", ""),
                    icon="triangle-alert",
                    color_scheme="red",
                    size="1",
                    margin_bottom="0.5rem",
                ),
            ),
            rx.form(
                rx.vstack(
                    rx.vstack(
                        field_label("Name", "alert-name"),
                        rx.input(
                            id="alert-name",
                            name="alert_name",
                            value=S.form.get("name", ""),
                            placeholder="Failures to #ops",
                            width="100%",
                            on_change=lambda v: S.set_form("name", v),
                        ),
                        _error("name"),
                        spacing="1",
                        width="100%",
                    ),
                    rx.grid(
                        _select("Channel", "alert_type", [c for c, _ in CHANNEL_HINTS]),
                        _select("Label (severity)", "severity", list(SEVERITIES)),
                        _select("Only events at least", "min_severity", [ANY_SEVERITY, *MINIMA]),
                        columns="3",
                        spacing="3",
                        width="100%",
                    ),
                    rx.cond(  # an in-app alert picks its recipients below instead
                        S.form.get("alert_type", "") != "in_app",
                        _field(
                            "Send to",
                            rx.input(
                                id="alert-channel",
                                name="channel",
                                default_value="",
                                width="100%",
                                auto_complete="off",
                                placeholder=rx.cond(
                                    S.editing_id != 0, "leave empty to keep the stored target", ""
                                ),
                            ),
                            rx.match(S.form.get("alert_type", ""), *CHANNEL_HINTS, ""),
                            "channel",
                            "alert-channel",
                        ),
                    ),
                    rx.grid(
                        _select("Workflow", "workflow", S.workflow_names),
                        rx.vstack(
                            _select("Connection", "connection", S.connection_names),
                            rx.text(
                                rx.match(S.form.get("alert_type", ""), *CONNECTION_HINTS, ""),
                                size="1",
                                color=rx.color("gray", 11),
                                data_testid="connection-hint",
                            ),
                            spacing="1",
                            width="100%",
                        ),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                    rx.cond(
                        S.form.get("alert_type", "") == "in_app",
                        _field(
                            "Recipients",
                            rx.hstack(rx.foreach(S.people, _person_box), wrap="wrap", spacing="4"),
                            "None picked: every active admin and member.",
                            "recipients",
                            data_testid="alert-recipients",
                        ),
                    ),
                    _field(
                        "Message (optional)",
                        rx.text_area(
                            id="alert-message",
                            name="message",  # submitted by name (by id is deprecated)
                            value=S.form.get("message", ""),
                            placeholder="{{ workflow }} failed at {{ step }}: {{ error }}",
                            rows="2",
                            width="100%",
                            on_change=lambda v: S.set_form("message", v),
                            data_testid="alert-message",
                        ),
                        "Replaces the main line; the title, details and link stay. "
                        "Variables: workflow, step, error, severity, event, link, execution_id.",
                        "message",
                        "alert-message",
                    ),
                    rx.vstack(
                        field_label("When"),
                        rx.hstack(
                            *[_event_box(event) for event in EVENTS], wrap="wrap", spacing="4"
                        ),
                        rx.text(
                            "A failed run sends one message. Tick step fail as well only to "
                            "hear about each failing step too (also steps a run goes on after).",
                            size="1",
                            color=rx.color("gray", 11),
                        ),
                        _error("events"),
                        spacing="1",
                        width="100%",
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                        rx.button("Save alert", type="submit", data_testid="save-alert"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=S.save,
                reset_on_submit=False,
                no_validate=True,
                key=S.editing_id.to(str) + S.form.get("alert_type", ""),
            ),
            max_width="560px",
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )


def _row(row: AlertRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(row["name"], weight="medium"),
                rx.text(
                    row["watches"],
                    size="1",
                    color=rx.color("gray", 11),
                    data_testid="alert-watches",
                ),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.badge(row["alert_type"], variant="outline"),
                rx.text(
                    row["channel"], size="1", color=rx.color("gray", 11), word_break="break-all"
                ),
                spacing="1",
            )
        ),
        rx.table.cell(row["workflow"]),
        rx.table.cell(rx.text(row["events"], size="2")),
        rx.table.cell(
            rx.badge(
                row["severity"],
                variant="soft",
                color_scheme=rx.match(row["severity"], *_SEVERITY_COLORS, "gray"),
            ),
            rx.cond(row["minimum"] != "", rx.text(row["minimum"], size="1")),
        ),
        rx.table.cell(
            rx.switch(
                checked=row["active"],
                on_change=lambda on: S.toggle_active(row["id"], on),
                aria_label="Active",
            )
        ),
        rx.table.cell(
            rx.link(
                row["counts"],
                on_click=S.show_deliveries(row["id"]),
                size="2",
                cursor="pointer",
                data_testid="alert-counts",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.hstack(
                    rx.button(
                        rx.icon("send", size=14),
                        "Send test",
                        size="1",
                        variant="soft",
                        loading=S.testing_id == row["id"],
                        on_click=S.send_test(row["id"]),
                        data_testid="test-alert",
                    ),
                    rx.button(
                        "Edit",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        on_click=S.open_edit(row["id"]),
                    ),
                    rx.icon_button(
                        rx.icon("trash-2", size=14),
                        size="1",
                        variant="ghost",
                        color_scheme="red",
                        aria_label="Delete",
                        on_click=S.ask_delete(row["id"], row["name"]),
                    ),
                    spacing="2",
                    align="center",
                ),
                rx.cond(
                    row["last_test"] != "",
                    rx.text(
                        row["last_test"],
                        size="1",
                        data_testid="test-result",
                        color=rx.cond(
                            row["last_test_ok"], rx.color("green", 11), rx.color("red", 11)
                        ),
                    ),
                ),
                spacing="1",
            )
        ),
        data_testid="alert-row",
        align="center",
    )


def _delivery(row: DeliveryRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["at"]),
        rx.table.cell(row["event"]),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(row["attempts"]),
        rx.table.cell(row["code"]),
        rx.table.cell(row["latency"]),
        rx.table.cell(rx.text(row["error"], size="1", color=rx.color("red", 11))),
    )


def _deliveries_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Deliveries"),
            rx.cond(
                S.deliveries.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[
                                    rx.table.column_header_cell(h)
                                    for h in (
                                        "When (UTC)",
                                        "Event",
                                        "Status",
                                        "Tries",
                                        "Code",
                                        "Latency",
                                        "Error",
                                    )
                                ]
                            )
                        ),
                        rx.table.body(rx.foreach(S.deliveries, _delivery)),
                        size="1",
                        width="100%",
                        style=phone_cards(
                            ("When (UTC)", "Event", "Status", "Tries", "Code", "Latency", "Error")
                        ),
                    ),
                    overflow_x="auto",
                ),
                rx.text("Nothing sent yet.", color=rx.color("gray", 11)),
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Close", variant="soft")),
                justify="end",
                margin_top="1rem",
            ),
            max_width="860px",
        ),
        open=S.deliveries_for != 0,
        on_open_change=S.close_deliveries,
    )


@page(route="/admin/alerts", title="Alerts · Flowdeck", on_load=S.load)
def alerts_page() -> rx.Component:
    return admin_page(
        "Alerts",
        rx.vstack(
            toolbar(
                "Tell Slack, Telegram, email, a webhook or this app when workflows start, "
                "finish or fail.",
                rx.button(
                    rx.icon("plus", size=16),
                    "New alert",
                    on_click=S.open_new,
                    data_testid="new-alert",
                ),
            ),
            data_table(
                ["Alert", "Channel", "Workflow", "When", "Severity", "On", "Sent", ""],
                S.rows,
                _row,
                loaded=S.loaded,
                empty=(
                    "bell",
                    "No alerts yet",
                    "Create one with “New alert”: pick a channel, the events and how to "
                    "label them, then press Send test.",
                ),
            ),
            _dialog(),
            _deliveries_dialog(),
            delete_dialog(S, "Its delivery history goes with it; workflows are not changed."),
            spacing="4",
            width="100%",
        ),
    )
