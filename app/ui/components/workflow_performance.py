"""The Performance panel of a workflow's page: its charts over a period, a table of its steps
(the bottleneck and the most failing step marked), its most common errors grouped by shape,
and the errors of the step a person picks, each with a link to an example execution."""

from __future__ import annotations

import reflex as rx

from app.ui.components.analytics_views import (
    charts,
    download_button,
    period_bar,
    range_error,
    totals,
)
from app.ui.components.tables import small_table
from app.ui.states.workflow_performance import WorkflowPerformanceState as S

MUTED = rx.color("gray", 11)


def _card(title: rx.Component | str, key: str, *body: rx.Component, testid: str) -> rx.Component:
    heading = rx.heading(title, size="3") if isinstance(title, str) else title
    return rx.card(
        rx.vstack(
            rx.hstack(heading, rx.spacer(), download_button(S, key, key), align="center",
                      width="100%"),
            *body,
            spacing="2",
            width="100%",
        ),
        width="100%",
        min_width="0",
        data_testid=testid,
    )  # fmt: skip


def _step(row: rx.Var) -> rx.Component:
    picked = S.selected_step == row["action_id"]
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.code(row["action_id"]),
                rx.cond(row["bottleneck"] != "",
                        rx.badge("bottleneck", color_scheme="orange", variant="soft",
                                 data_testid="mark-bottleneck")),
                rx.cond(row["failing"] != "",
                        rx.badge("most failing", color_scheme="red", variant="soft",
                                 data_testid="mark-failing")),
                spacing="2",
                align="center",
                wrap="wrap",
            )
        ),
        rx.table.cell(row["runs"]),
        rx.table.cell(
            rx.cond(row["failures"] != "0",
                    rx.text(row["failures"], " · ", row["failure_rate"], color=rx.color("red", 11)),
                    rx.text("0", color=MUTED))
        ),
        rx.table.cell(row["retries"]),
        rx.table.cell(row["avg"]),
        rx.table.cell(rx.text(row["p95"],
                              weight=rx.cond(row["bottleneck"] != "", "bold", "regular"))),
        rx.table.cell(
            rx.button("Errors", size="1", variant=rx.cond(picked, "solid", "soft"),
                      on_click=S.pick_step(row["action_id"]), data_testid="pick-step")
        ),
        background=rx.cond(picked, rx.color("accent", 3),
                           rx.cond(row["failing"] != "", rx.color("red", 2), "transparent")),
        data_testid="perf-step",
        data_step=row["action_id"],
    )  # fmt: skip


def _example(row: rx.Var) -> rx.Component:
    return rx.cond(
        row["example"] != "",
        rx.link("#", row["example"], href="/admin/executions/" + row["example"],
                data_testid="error-example"),
        rx.text("example pruned", size="1", color=MUTED, data_testid="example-pruned"),
    )  # fmt: skip


def _error(row: rx.Var, with_step: bool) -> rx.Component:
    shape = rx.vstack(
        rx.code(row["shape"], size="1", white_space="pre-wrap", word_break="break-word"),
        rx.cond(row["example_error"] != "",
                rx.text(row["example_error"], size="1", color=MUTED, word_break="break-word")),
        spacing="1",
    )  # fmt: skip
    cells = [rx.table.cell(shape, max_width="520px"), rx.table.cell(row["count"]),
             rx.table.cell(rx.text(row["first_seen"], size="1")),
             rx.table.cell(rx.text(row["last_seen"], size="1")),
             rx.table.cell(_example(row))]  # fmt: skip
    if with_step:
        step = rx.cond(row["action_id"] != "", rx.code(row["action_id"]),
                       rx.text("run", size="1", color=MUTED))  # fmt: skip
        cells.insert(0, rx.table.cell(step))
    return rx.table.row(*cells, data_testid="error-group")


def _recent(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link("#", row["execution_id"],
                              href="/admin/executions/" + row["execution_id"],
                              data_testid="recent-failure-link")),
        rx.table.cell(rx.text(row["at"], size="1")),
        rx.table.cell(rx.text(row["error"], size="1", color=rx.color("red", 11),
                              word_break="break-word")),
        data_testid="recent-failure",
    )  # fmt: skip


ERROR_HEADERS = ["Message shape", "Count", "First seen", "Last seen", "Example"]


def _step_errors() -> rx.Component:
    title = rx.hstack(
        rx.heading("Errors of step ", rx.code(S.selected_step), size="3"),
        rx.text("last ", S.step_summary.get("days", ""), " days · ",
                S.step_summary.get("failures", "0"), " failed of ",
                S.step_summary.get("runs", "0"), " runs", size="1", color=MUTED),
        rx.cond(S.step_loading, rx.spinner(size="1")),
        rx.icon_button(rx.icon("x", size=14), size="1", variant="ghost", on_click=S.close_step,
                       aria_label="Close the step's errors"),
        align="center",
        wrap="wrap",
        spacing="2",
    )  # fmt: skip
    return _card(
        title,
        "step_errors",
        rx.cond(S.step_problem != "",
                rx.callout(S.step_problem, icon="circle-x", color_scheme="red", size="1")),
        rx.cond(S.step_groups.length() > 0,
                small_table(ERROR_HEADERS, S.step_groups, lambda r: _error(r, False),
                            "step-groups"),
                rx.text("No errors of this step in the period.", size="2", color=MUTED)),
        rx.cond(S.step_recent.length() > 0,
                rx.vstack(rx.text("Latest failures", size="2", weight="medium"),
                          small_table(["Run", "At (UTC)", "Error"], S.step_recent, _recent,
                                 "recent-failures"),
                          spacing="1", width="100%")),
        testid="step-errors",
    )  # fmt: skip


def performance_panel() -> rx.Component:
    return rx.vstack(
        period_bar(S, "perf"),
        range_error(S, "perf"),
        rx.cond(S.problem != "", rx.callout(S.problem, icon="circle-x", color_scheme="red")),
        totals(S),
        rx.cond(S.selected_step != "", _step_errors()),
        charts(S, "This workflow did not run in this period. Pick a longer period, or run it."),
        rx.cond(
            S.loaded & S.has_runs,
            rx.vstack(
                _card("Steps", "steps",
                      rx.text("Sorted by p95 duration: the first is the bottleneck. Pick a step "
                              "to see its errors.", size="1", color=MUTED),
                      small_table(["Step", "Runs", "Failures", "Retries", "Average", "p95", ""],
                             S.steps, _step, "perf-steps"),
                      testid="perf-steps-card"),
                _card("Most common errors", "errors",
                      rx.cond(S.errors.length() > 0,
                              small_table(["Step", *ERROR_HEADERS], S.errors,
                                     lambda r: _error(r, True), "perf-errors"),
                              rx.text("No errors in this period.", size="2", color=MUTED)),
                      testid="perf-errors-card"),
                spacing="3",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
        data_testid="performance-panel",
    )  # fmt: skip
