"""The execution page's waits: what each waiting step waits for, and the approval decision.

A timer says until when, a webhook wait shows its resume URL, a child run links to it, an
approval shows its message and approvers, with Approve / Reject for the people it names (the
service checks again: hiding the buttons is not the check).
"""

from __future__ import annotations

import reflex as rx

from app.ui.states.execution_detail import ExecutionDetailState
from app.ui.states.execution_detail_views import WaitView

State = ExecutionDetailState


def _line(label: str, value: rx.Var, testid: str = "") -> rx.Component:
    return rx.cond(
        value != "",
        rx.hstack(
            rx.text(label, size="1", weight="bold", color=rx.color("gray", 11), min_width="80px"),
            rx.text(value, size="2", data_testid=testid or None, word_break="break-word"),
            spacing="2",
            align="baseline",
        ),
    )


def _resume_url(wait: WaitView) -> rx.Component:
    return rx.cond(
        wait["url"] != "",
        rx.hstack(
            rx.code(
                "POST " + wait["url"].to(str),
                size="1",
                variant="soft",
                color_scheme="gray",
                overflow_x="auto",
                white_space="nowrap",
                max_width="100%",
                data_testid="wait-resume-url",
            ),
            rx.icon_button(
                rx.icon("copy", size=14),
                size="1",
                variant="ghost",
                aria_label="Copy the resume URL",
                on_click=[rx.set_clipboard(wait["url"]), rx.toast.info("Resume URL copied")],
            ),
            align="center",
            spacing="2",
            width="100%",
            min_width="0",
        ),
    )


def _decide(wait: WaitView) -> rx.Component:
    return rx.cond(
        wait["approval_id"] != 0,
        rx.cond(
            wait["can_decide"],
            rx.hstack(
                rx.button(
                    rx.icon("check", size=14),
                    "Approve",
                    color_scheme="green",
                    on_click=State.open_decision(wait["approval_id"], "approved"),
                    data_testid="approve-step",
                ),
                rx.button(
                    rx.icon("x", size=14),
                    "Reject",
                    color_scheme="red",
                    variant="soft",
                    on_click=State.open_decision(wait["approval_id"], "rejected"),
                    data_testid="reject-step",
                ),
                spacing="2",
            ),
            rx.text("Only the named approvers may decide.", size="1", color=rx.color("gray", 11)),
        ),
    )


def _wait_card(wait: WaitView) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.icon("hourglass", size=18, color="var(--violet-11)", flex_shrink="0"),
            rx.vstack(
                rx.hstack(
                    rx.code(wait["step"], size="1", variant="soft"),
                    rx.text(wait["title"], size="2", weight="bold"),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.cond(
                    wait["message"] != "",
                    rx.blockquote(wait["message"], size="2", data_testid="wait-message"),
                ),
                _line("Approvers", wait["approvers"], "wait-approvers"),
                _line("Deadline", wait["deadline"]),
                _resume_url(wait),
                rx.cond(
                    wait["child_id"] != 0,
                    rx.link(
                        "Open run #",
                        wait["child_id"],
                        href="/admin/executions/" + wait["child_id"].to(str),
                        size="2",
                    ),
                ),
                _decide(wait),
                spacing="2",
                width="100%",
                min_width="0",
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        width="100%",
        border_left="4px solid var(--violet-9)",
        data_testid="wait-card",
    )


def waits_section() -> rx.Component:
    return rx.cond(
        State.waits.length() > 0,
        rx.vstack(rx.foreach(State.waits, _wait_card), spacing="3", width="100%"),
    )


def decision_dialog() -> rx.Component:
    approve = State.decision == "approved"
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(approve, "Approve this step?", "Reject this step?")),
            rx.dialog.description(
                rx.cond(
                    approve,
                    "The run goes on along the approved branch.",
                    "The run goes on along the rejected branch.",
                ),
                size="2",
            ),
            rx.text_area(
                placeholder="Comment (optional): it is recorded with your decision",
                value=State.decision_comment,
                on_change=State.set_decision_comment,
                max_length=2000,
                rows="3",
                width="100%",
                margin_top="1rem",
                data_testid="decision-comment",
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Back", variant="soft", color_scheme="gray")),
                rx.button(
                    rx.cond(approve, "Approve", "Reject"),
                    color_scheme=rx.cond(approve, "green", "red"),
                    loading=State.busy == "decide",
                    on_click=State.submit_decision,
                    data_testid="confirm-decision",
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="460px",
        ),
        open=State.decision != "",
        on_open_change=State.close_decision,
    )
