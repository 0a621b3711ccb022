"""/admin/approvals: the Approvals inbox (pending first), decisions with a comment, history."""

from __future__ import annotations

import reflex as rx

from app.core.approvers import MAX_COMMENT
from app.ui.components.layout import admin_page, empty_state
from app.ui.pages.registry import page
from app.ui.states.approvals import FILTERS, ApprovalRow
from app.ui.states.approvals import ApprovalsState as S

_STATUS_COLORS = [
    ("pending", "violet"),
    ("approved", "green"),
    ("rejected", "red"),
    ("cancelled", "gray"),
]


def _badge(status: rx.Var) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(status, *_STATUS_COLORS, "gray"),
        variant="soft",
        radius="full",
    )


def _filters() -> rx.Component:
    return rx.flex(
        rx.select.root(
            rx.select.trigger(min_width="150px", aria_label="Show"),
            rx.select.content(*[rx.select.item(text, value=key) for key, text in FILTERS]),
            value=S.status_filter,
            on_change=S.set_status_filter,
            size="2",
        ),
        rx.el.label(
            rx.flex(
                rx.switch(
                    checked=S.only_mine,
                    on_change=S.set_only_mine,
                    id="approvals-only-mine",
                ),
                rx.text("Only those I may decide", size="2"),
                spacing="2",
                align="center",
            )
        ),
        rx.spacer(),
        rx.text(S.total, " in all", size="2", color=rx.color("gray", 11)),
        rx.button(
            rx.icon("refresh-cw", size=14),
            "Refresh",
            variant="soft",
            size="2",
            on_click=S.refresh,
        ),  # fmt: skip
        spacing="3",
        align="center",
        wrap="wrap",
        width="100%",
    )


def _fact(label: str, value: rx.Var) -> rx.Component:
    return rx.text(rx.text.span(label, color=rx.color("gray", 11)), " ", value, size="1", as_="div")


def _actions(row: ApprovalRow) -> rx.Component:
    return rx.cond(
        row["can_decide"],
        rx.hstack(
            rx.button(
                rx.icon("check", size=14),
                "Approve",
                color_scheme="green",
                on_click=S.open_decision(row["id"], "approved"),
                id=f"approve-{row['id']}",
            ),
            rx.button(
                rx.icon("x", size=14),
                "Reject",
                color_scheme="red",
                variant="soft",
                on_click=S.open_decision(row["id"], "rejected"),
                id=f"reject-{row['id']}",
            ),
            spacing="2",
        ),
        rx.cond(
            row["status"] == "pending",
            rx.text("Waiting for: ", row["approvers"], size="2", color=rx.color("gray", 11)),
            rx.text(row["decision"], size="2", data_testid="approval-decision"),
        ),
    )


def _card(row: ApprovalRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                _badge(row["status"]),
                rx.text(row["workflow"], weight="bold"),
                rx.text("· step ", row["step"], size="2", color=rx.color("gray", 11)),
                rx.spacer(),
                rx.link("Execution #", row["execution_id"], href=row["execution_href"], size="2"),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            rx.text(row["message"], white_space="pre-wrap", data_testid="approval-message"),
            rx.flex(
                _fact("Requested", row["requested"]),
                _fact("Deadline", row["deadline"]),
                _fact("Approvers", row["approvers"]),
                spacing="4",
                wrap="wrap",
            ),
            _actions(row),
            spacing="2",
            width="100%",
        ),
        width="100%",
        id=f"approval-{row['id']}",
    )


def _list() -> rx.Component:
    return rx.cond(
        S.rows.length() > 0,
        rx.vstack(rx.foreach(S.rows, _card), spacing="3", width="100%"),
        rx.cond(
            S.loaded,
            empty_state(
                "circle-check",
                "Nothing here",
                "Approval steps that wait for a decision appear here. "
                "Pick another filter to see earlier decisions.",
            ),
            rx.skeleton(rx.box(height="200px", width="100%")),
        ),
    )


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(S.dialog_title),
            rx.dialog.description(S.deciding_message, size="2", margin_bottom="1rem"),
            rx.vstack(
                rx.el.label(rx.text("Comment (optional)", size="2"), html_for="approval-comment"),
                rx.text_area(
                    value=S.comment,
                    on_change=S.set_comment,
                    id="approval-comment",
                    max_length=MAX_COMMENT,
                    placeholder="Why (kept with the decision and in the audit trail)",
                    width="100%",
                ),
                rx.hstack(
                    rx.dialog.close(
                        rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                    ),
                    rx.button(
                        rx.cond(S.deciding == "approved", "Approve", "Reject"),
                        color_scheme=rx.cond(S.deciding == "approved", "green", "red"),
                        on_click=S.confirm,
                        loading=S.busy,
                        id="approval-confirm",
                    ),
                    justify="end",
                    spacing="3",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="480px",
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )


@page(route="/admin/approvals", title="Approvals · Flowdeck", on_load=S.load)
def approvals_page() -> rx.Component:
    return admin_page(
        "Approvals",
        rx.vstack(
            rx.text(
                "Steps waiting for a person's decision. Only the approvers a step names may "
                "decide it; admins too must be named.",
                color=rx.color("gray", 11),
            ),
            _filters(),
            _list(),
            _dialog(),
            spacing="4",
            width="100%",
        ),
    )
