"""The workflow page's steps: per step what it does in one line, and its config on demand.

A list rather than a table, so it reads the same on a phone; the config opens in a native
`<details>` (keyboard and screen readers know it), already masked by the state
(`app.core.step_summary.shown_config`).
"""

from __future__ import annotations

import reflex as rx

from app.ui.states.workflow_detail import StepSummary


def _facts(step: StepSummary) -> rx.Component:
    muted = rx.color("gray", 11)
    return rx.hstack(
        rx.cond(
            step["condition"] != "",
            rx.text("runs if ", rx.code(step["condition"], size="1"), size="1", color=muted),
        ),
        rx.cond(
            step["retry"] != "none",
            rx.text("retry: ", step["retry"], size="1", color=muted),
        ),
        spacing="3",
        wrap="wrap",
    )


def _config(step: StepSummary) -> rx.Component:
    return rx.el.details(
        rx.el.summary(
            "Config",
            style={
                "cursor": "pointer",
                "font_size": "var(--font-size-1)",
                "color": rx.color("gray", 11),
                "width": "fit-content",
            },
        ),
        rx.el.pre(
            step["config"],
            style={
                "margin": "0.4rem 0 0",
                "padding": "0.5rem 0.75rem",
                "max_height": "320px",
                "overflow": "auto",
                "font_family": "var(--code-font-family)",
                "font_size": "12px",
                "line_height": "1.5",
                "white_space": "pre",
                "background": rx.color("gray", 2),
                "border": f"1px solid {rx.color('gray', 5)}",
                "border_radius": "var(--radius-2)",
            },
            data_testid="step-config",
        ),
        width="100%",
        min_width="0",
    )


def _step(step: StepSummary) -> rx.Component:
    return rx.hstack(
        rx.text(
            step["position"],
            size="1",
            weight="bold",
            color=rx.color("gray", 11),
            min_width="1.5rem",
            padding_top="0.15rem",
        ),
        rx.vstack(
            rx.hstack(
                rx.text(step["name"], weight="medium", size="2"),
                rx.cond(step["name"] != step["id"], rx.code(step["id"], size="1", variant="ghost")),
                rx.badge(step["type"], variant="outline"),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            rx.text(
                step["summary"],
                size="2",
                color=rx.color("gray", 12),
                word_break="break-word",
                data_testid="step-summary",
            ),
            _facts(step),
            _config(step),
            spacing="1",
            width="100%",
            min_width="0",
        ),
        spacing="2",
        width="100%",
        padding_y="0.75rem",
        border_top=f"1px solid {rx.color('gray', 4)}",
        style={
            "&:first-of-type": {"border_top": "none", "padding_top": "0"},
            "&:last-of-type": {"padding_bottom": "0"},
        },
        data_testid="step-overview",
    )


def step_overview(steps: rx.Var[list[StepSummary]]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.foreach(steps, _step),
            spacing="0",
            width="100%",
        ),
        width="100%",
    )
