"""Two workflow versions on one read-only canvas (Versions page): added steps green, removed
ones red and dashed (where the older version had them), changed ones amber; a click on a node
lists what changed in it, field by field."""

from __future__ import annotations

import reflex as rx

from app.ui.components.flow_canvas import flow_canvas
from app.ui.components.flow_nodes import CHANGE_COLORS
from app.ui.states.version_views import ChangedStep, NodeChangeRow
from app.ui.states.versions import VersionsState as S

CANVAS_HEIGHT = ["360px", "360px", "440px"]


def _legend() -> rx.Component:
    def key(change: str) -> rx.Component:
        return rx.badge(change, color_scheme=CHANGE_COLORS[change], variant="soft", size="1")

    return rx.flex(
        rx.text(S.graph_summary, size="2", data_testid="graph-summary"),
        rx.spacer(),
        key("added"),
        key("removed"),
        key("changed"),
        gap="0.4rem",
        align="center",
        wrap="wrap",
        width="100%",
    )


def _chip(step: ChangedStep) -> rx.Component:
    return rx.button(
        step["label"],
        size="1",
        variant=rx.cond(S.graph_selected == step["id"], "solid", "soft"),
        color_scheme=rx.match(step["change"], *CHANGE_COLORS.items(), "gray"),
        on_click=S.select_graph_node(step["id"]),
        title=step["change"],
        data_testid="graph-changed-step",
    )


def _chips() -> rx.Component:
    return rx.cond(
        S.graph_changed.length() > 0,
        rx.flex(rx.foreach(S.graph_changed, _chip), gap="0.35rem", wrap="wrap", width="100%"),
    )


def _value(text: rx.Var, color: str, strike: bool = False) -> rx.Component:
    return rx.cond(
        text != "",
        rx.code(
            text,
            size="1",
            color_scheme=color,
            variant="soft",
            style={"white_space": "pre-wrap", "word_break": "break-word"},
            text_decoration="line-through" if strike else "none",
        ),
        rx.text("—", size="1", color=rx.color("gray", 11), as_="span"),
    )


def _row(row: NodeChangeRow) -> rx.Component:
    return rx.box(
        rx.code(row["path"], size="1", variant="ghost", weight="medium"),
        rx.flex(
            _value(row["old"], "red", strike=True),
            rx.icon("arrow-right", size=12, color=rx.color("gray", 10), flex_shrink="0"),
            _value(row["new"], "green"),
            gap="0.35rem",
            align="center",
            wrap="wrap",
            margin_top="0.15rem",
        ),
        padding_y="0.35rem",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        data_testid="graph-node-change",
    )


def _detail() -> rx.Component:
    chosen = rx.vstack(
        rx.hstack(
            rx.text(S.graph_title, weight="bold", size="2", trim="both"),
            rx.cond(
                S.graph_change != "",
                rx.badge(
                    S.graph_change,
                    color_scheme=rx.match(S.graph_change, *CHANGE_COLORS.items(), "gray"),
                    variant="solid",
                    size="1",
                ),
            ),
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            S.graph_selected != S.graph_title,
            rx.code(S.graph_selected, size="1", variant="ghost", color_scheme="gray"),
        ),
        rx.cond(
            S.graph_rows.length() > 0,
            rx.vstack(rx.foreach(S.graph_rows, _row), spacing="0", width="100%"),
            rx.text("Nothing in this step changed.", size="2", color=rx.color("gray", 11)),
        ),
        rx.cond(
            S.graph_more > 0,
            rx.text(
                "and ",
                S.graph_more,
                " more (see the field list below)",
                size="1",
                color=rx.color("gray", 11),
            ),
        ),
        spacing="2",
        width="100%",
    )
    return rx.box(
        rx.cond(
            S.graph_selected != "",
            chosen,
            rx.text(
                "Click a step on the canvas to see what changed in it.",
                size="2",
                color=rx.color("gray", 11),
            ),
        ),
        width=["100%", "100%", "300px"],
        flex_shrink="0",
        max_height=CANVAS_HEIGHT,
        overflow_y="auto",
        padding="0.25rem 0.5rem",
        data_testid="graph-node-detail",
    )


def version_canvas() -> rx.Component:
    """The compare canvas with its legend and the clicked node's changes."""
    return rx.vstack(
        _legend(),
        _chips(),
        rx.flex(
            rx.box(
                flow_canvas(
                    nodes=S.graph_nodes,
                    edges=S.graph_edges,
                    selected=S.graph_selected,
                    fit_token=S.graph_fit,
                    read_only=True,
                    color_mode=rx.color_mode_cond("light", "dark"),
                    on_select_node=S.select_graph_node,
                ),
                flex=rx.breakpoints(initial="none", md="1"),  # stacked: keep its height
                min_width="0",
                width="100%",
                height=CANVAS_HEIGHT,
                border=f"1px solid {rx.color('gray', 6)}",
                border_radius="var(--radius-3)",
                overflow="hidden",
                data_testid="version-canvas",
            ),
            _detail(),
            gap="0.75rem",
            direction=rx.breakpoints(initial="column", md="row"),
            width="100%",
        ),
        spacing="2",
        width="100%",
    )
