"""The History tab of an orchestration's page: versions, compare two, roll back with a reason.

The same pieces as the workflow Versions page (`diff_view`'s change words and field rows, the
timeline entry's look), for `OrchestrationHistoryState`.
"""

from __future__ import annotations

import reflex as rx

from app.ui.components.diff_view import change_words, field_changes
from app.ui.states.orchestrations_detail import OrchestrationDetailState
from app.ui.states.orchestrations_history import OrchestrationHistoryState as H
from app.ui.states.version_views import VersionRow

TYPE_COLORS = [("created", "green"), ("edited", "blue"), ("rolled back", "amber")]


def _muted(text: rx.Var | str, size: str = "2") -> rx.Component:
    return rx.text(text, size=size, color=rx.color("gray", 11))


def _entry(row: VersionRow) -> rx.Component:
    restore = rx.cond(
        row["current"],
        rx.badge("current", color_scheme="green", variant="surface"),
        rx.button(
            rx.icon("rotate-ccw", size=12),
            "Roll back",
            size="1",
            variant="soft",
            on_click=H.ask_restore(row["number"]),
            data_testid="restore-version",
        ),
    )
    return rx.box(
        rx.flex(
            rx.badge("v", row["number"], variant="solid", size="2", data_testid="version-number"),
            rx.badge(
                row["change_type"],
                color_scheme=rx.match(row["change_type"], *TYPE_COLORS, "gray"),
                variant="soft",
            ),
            rx.spacer(),
            rx.checkbox(
                "Compare",
                checked=H.picked.contains(row["number"]),
                on_change=lambda _v: H.toggle_pick(row["number"]),
                size="1",
                data_testid="compare-pick",
            ),
            restore,
            gap="0.5rem",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            row["summary"] != "",
            rx.text(row["summary"], size="2", margin_top="0.35rem", data_testid="version-summary"),
        ),
        rx.cond(
            row["description"] != "",
            rx.text(row["description"], size="2", color=rx.color("gray", 11), margin_top="0.2rem"),
        ),
        rx.cond(
            row["restored"] != "",
            rx.flex(
                rx.icon("history", size=14, color=rx.color("amber", 10)),
                rx.text(row["restored"], size="2", color=rx.color("amber", 11)),
                gap="0.4rem",
                align="center",
                margin_top="0.2rem",
                data_testid="version-restored",
            ),
        ),
        rx.text(row["who"], " · ", row["when"], size="1", color=rx.color("gray", 11)),
        padding="0.6rem 0.75rem",
        border_left=f"2px solid {rx.color('accent', 6)}",
        width="100%",
        data_testid="version-entry",
    )


def _diff() -> rx.Component:
    nothing = (H.words.length() == 0) & (H.fields.length() == 0)
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("git-compare", size=16),
                rx.heading("Changes ", H.compared, size="3", data_testid="diff-title"),
                align="center",
            ),
            rx.cond(
                nothing,
                rx.text("These two versions hold the same definition.", size="2"),
                rx.fragment(
                    rx.cond(H.words.length() > 0, change_words(H.words)),
                    rx.cond(H.fields.length() > 0, field_changes(H.fields)),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid="diff-view",
    )


def _restore_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Roll back to version ", H.restore_number),
            rx.dialog.description(
                "This saves a new version with the definition of version ",
                H.restore_number,
                ". Nothing is deleted; you can undo it the same way.",
                size="2",
                margin_bottom="0.75rem",
            ),
            rx.cond(
                OrchestrationDetailState.dirty,
                rx.callout(
                    "The form's unsaved changes are dropped: it shows the rolled-back version.",
                    icon="info",
                    color_scheme="amber",
                    size="1",
                    margin_bottom="0.5rem",
                ),
            ),
            rx.el.label(
                "Reason (required)",
                html_for="restore-reason",
                style={"font_size": "var(--font-size-2)", "font_weight": "500"},
            ),
            rx.text_area(
                id="restore-reason",
                value=H.reason,
                on_change=H.set_reason,
                placeholder="e.g. the new login URL answers 500",
                rows="3",
                width="100%",
                data_testid="restore-reason",
            ),
            rx.cond(
                H.reason_error != "",
                rx.text(
                    H.reason_error, color=rx.color("red", 11), size="1", data_testid="error-reason"
                ),
            ),
            rx.cond(
                H.restore_error != "",
                rx.callout(
                    H.restore_error,
                    icon="triangle-alert",
                    color_scheme="red",
                    size="1",
                    margin_top="0.5rem",
                    data_testid="restore-error",
                ),
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button(
                    rx.icon("rotate-ccw", size=14),
                    "Roll back",
                    on_click=H.confirm_restore,
                    data_testid="confirm-restore",
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="480px",
        ),
        open=H.restore_number != 0,
        on_open_change=H.close_restore,
    )


def history_section() -> rx.Component:
    """The tab's content: the timeline, then the compare of the ticked two."""
    return rx.vstack(
        rx.cond(
            H.history_problem != "",
            rx.callout(
                H.history_problem,
                icon="circle-x",
                color_scheme="red",
                width="100%",
                data_testid="history-problem",
            ),
        ),
        rx.hstack(
            rx.heading("Versions", size="4"),
            rx.badge("current v", H.current, variant="outline"),
            align="center",
        ),
        rx.box(
            rx.vstack(rx.foreach(H.versions, _entry), spacing="2", width="100%"),
            max_height=["none", "none", "460px"],
            overflow_y="auto",
            width="100%",
            data_testid="version-timeline",
        ),
        rx.cond(H.history_note != "", _muted(H.history_note, "1")),
        rx.cond(H.compared != "", _diff(), _muted(H.compare_hint)),
        _restore_dialog(),
        spacing="3",
        width="100%",
    )
