"""The orchestration form's basics (name, mode with its meaning, timeout, parallelism, the
default retry, active) and the calls' dependency graph, read-only on the designer's canvas."""

from __future__ import annotations

import reflex as rx

from app.ui.components.flow_canvas import flow_canvas
from app.ui.components.orchestration_calls import error, label
from app.ui.states.orchestrations_detail import OrchestrationDetailState as S
from app.ui.states.orchestrations_form import MODES, RETRY_STRATEGIES

CANVAS_HEIGHT = "260px"


def _text(key: str, title: str, placeholder: str = "") -> rx.Component:
    return rx.vstack(
        rx.el.label(
            title,
            html_for=f"orch-{key}",
            style={"font_size": "var(--font-size-2)", "font_weight": "500"},
        ),
        rx.input(
            id=f"orch-{key}",
            value=S.fields[key],
            placeholder=placeholder,
            width="100%",
            on_change=lambda v: S.set_field(key, v),
        ),
        error(S.errors.get(key, ""), f"error-{key}"),
        spacing="1",
        width="100%",
    )


def basics_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Basics", size="3"),
            rx.grid(
                _text("name", "Name", "Sign in and fetch the profile"),
                rx.vstack(
                    label("Mode"),
                    rx.box(
                        rx.select(
                            MODES,
                            value=S.fields["mode"],
                            on_change=lambda v: S.set_field("mode", v),
                            width="100%",
                            custom_attrs={"aria-label": "Mode"},
                        ),
                        data_testid="orch-mode",
                        width="100%",
                    ),
                    rx.text(S.mode_hint, size="1", color=rx.color("gray", 11)),
                    error(S.errors.get("mode", ""), "error-mode"),
                    spacing="1",
                    width="100%",
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            rx.vstack(
                rx.el.label(
                    "Description",
                    html_for="orch-description",
                    style={"font_size": "var(--font-size-2)", "font_weight": "500"},
                ),
                rx.text_area(
                    id="orch-description",
                    value=S.fields["description"],
                    rows="2",
                    width="100%",
                    on_change=lambda v: S.set_field("description", v),
                ),
                error(S.errors.get("description", ""), "error-description"),
                spacing="1",
                width="100%",
            ),
            rx.grid(
                _text("timeout_s", "Overall timeout (s)", "300"),
                _text("max_parallel", "Max parallel calls", "8"),
                rx.vstack(
                    label("Default retry"),
                    rx.select(
                        RETRY_STRATEGIES,
                        value=S.fields["retry_strategy"],
                        on_change=lambda v: S.set_field("retry_strategy", v),
                        custom_attrs={"aria-label": "Default retry"},
                    ),
                    error(S.errors.get("retry", ""), "error-retry"),
                    spacing="1",
                    width="100%",
                ),
                rx.vstack(
                    label("Max attempts"),
                    rx.input(
                        value=S.fields["retry_max"],
                        on_change=lambda v: S.set_field("retry_max", v),
                        disabled=S.fields["retry_strategy"] == "none",
                        width="100%",
                        aria_label="Max attempts",
                    ),
                    error(S.errors.get("retry.max_attempts", ""), "error-retry-max"),
                    spacing="1",
                    width="100%",
                ),
                rx.vstack(
                    label("Delay (s)"),
                    rx.input(
                        value=S.fields["retry_delay"],
                        on_change=lambda v: S.set_field("retry_delay", v),
                        disabled=S.fields["retry_strategy"] == "none",
                        width="100%",
                        aria_label="Delay (s)",
                    ),
                    error(S.errors.get("retry.delay_s", ""), "error-retry-delay"),
                    spacing="1",
                    width="100%",
                ),
                rx.vstack(
                    label("Active"),
                    rx.hstack(
                        rx.switch(
                            checked=S.fields["is_active"] == "true",
                            on_change=lambda v: S.set_field("is_active", v),
                            aria_label="Active",
                            data_testid="orch-active",
                        ),
                        rx.text(
                            rx.cond(S.fields["is_active"] == "true", "runs allowed", "paused"),
                            size="2",
                        ),
                        align="center",
                        height="32px",
                    ),
                    spacing="1",
                ),
                columns=rx.breakpoints(initial="2", md="3", lg="6"),
                spacing="4",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )


def graph_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Dependency graph", size="3"),
                rx.spacer(),
                rx.text(
                    "drawn from the calls as you edit them", size="1", color=rx.color("gray", 11)
                ),
                width="100%",
                align="center",
            ),
            rx.box(
                flow_canvas(
                    nodes=S.graph_nodes,
                    edges=S.graph_edges,
                    selected="",
                    fit_token=S.graph_fit,
                    read_only=True,
                    color_mode=rx.color_mode_cond("light", "dark"),
                ),
                width="100%",
                height=CANVAS_HEIGHT,
                border=f"1px solid {rx.color('gray', 6)}",
                border_radius="var(--radius-3)",
                overflow="hidden",
                data_testid="orchestration-graph",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
