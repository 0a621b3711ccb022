"""The change report card on the Versions page (workflows)."""

from __future__ import annotations

import reflex as rx

from app.ui.states.change_report import (
    PERIODS,
    ChangeReportState,
    PersonChanges,
    WorkflowChanges,
)

R = ChangeReportState


def _person(row: PersonChanges) -> rx.Component:
    return rx.hstack(
        rx.text(row["who"], size="2", trim="both"),
        rx.spacer(),
        rx.badge(row["changes"], variant="soft", radius="full"),
        width="100%",
    )


def _workflow(row: WorkflowChanges) -> rx.Component:
    return rx.hstack(
        rx.link(row["name"], href="/admin/workflows/" + row["id"].to(str), size="2"),
        rx.spacer(),
        rx.badge(row["changes"], variant="soft", radius="full"),
        width="100%",
    )


def _column(title: str, rows: rx.Var, render, empty: str) -> rx.Component:
    return rx.vstack(
        rx.text(title, size="1", weight="medium", color=rx.color("gray", 11)),
        rx.cond(
            rows.length() > 0,
            rx.vstack(rx.foreach(rows, render), spacing="1", width="100%"),
            rx.text(empty, size="2", color=rx.color("gray", 11)),
        ),
        spacing="2",
        width="100%",
    )


def change_report() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text("Workflow changes", weight="bold"),
                rx.spacer(),
                rx.select(
                    list(PERIODS),
                    value=R.period,
                    on_change=R.set_period,
                    size="1",
                    data_testid="changes-period",
                    custom_attrs={"aria-label": "Period"},
                ),
                width="100%",
                align="center",
            ),
            rx.cond(
                R.problem != "",
                rx.text(R.problem, size="2", color=rx.color("red", 11)),
                rx.grid(
                    rx.vstack(
                        rx.heading(R.total, size="6", data_testid="changes-total"),
                        rx.text(
                            "changes to ",
                            R.workflows_changed,
                            " workflow(s)",
                            size="1",
                            color=rx.color("gray", 11),
                        ),
                        spacing="1",
                    ),
                    _column("By person", R.by_person, _person, "Nobody changed a workflow."),
                    _column("Changed most", R.most_changed, _workflow, "No workflow changed."),
                    columns=rx.breakpoints(initial="1", sm="3"),
                    spacing="5",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid="change-report",
    )
