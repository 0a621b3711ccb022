"""The execution as a graph: a box per step (coloured by its status), edges by `depends_on`.

Positions and edge paths come laid out from the server (`app.core.layout`); this only draws
them: boxes absolutely placed over one SVG layer of curves. A branch not taken is greyed and
dashed. The drawing scrolls inside its card, so a 40-step graph or a phone stays readable.
"""

from __future__ import annotations

import reflex as rx

from app.ui.components.status_badge import STATUS_COLORS

NODE_W, NODE_H = "176px", "56px"  # app.core.layout.Sizes
EDGE_COLOURS = {"done": "var(--gray-9)", "skipped": "var(--gray-6)", "pending": "var(--gray-7)"}
LEGEND = ("succeeded", "running", "waiting", "paused", "failed", "skipped", "pending")


def _status_icon(status: rx.Var) -> rx.Component:
    def icon(name: str) -> rx.Component:
        return rx.icon(name, size=14, flex_shrink="0")

    return rx.match(
        status,
        ("succeeded", icon("circle-check")),
        ("failed", icon("circle-x")),
        ("running", rx.spinner(size="1")),
        ("waiting", icon("hourglass")),
        ("paused", icon("circle-pause")),
        ("skipped", icon("skip-forward")),
        ("cancelled", icon("circle-slash")),
        ("interrupted", icon("zap-off")),
        icon("circle-dashed"),
    )


def _node(node: rx.Var, on_node: rx.EventHandler) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(
                node["name"],
                size="2",
                weight="medium",
                overflow="hidden",
                text_overflow="ellipsis",
                white_space="nowrap",
                min_width="0",
                flex="1",
            ),
            rx.box(_status_icon(node["status"]), color=node["accent"], display="flex"),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.text(
            node["note"],
            size="1",
            color=rx.color("gray", 11),
            overflow="hidden",
            text_overflow="ellipsis",
            white_space="nowrap",
        ),
        position="absolute",
        left=node["left"],
        top=node["top"],
        width=NODE_W,
        height=NODE_H,
        padding="0.45rem 0.6rem 0.4rem 0.75rem",
        background=rx.cond(node["dim"], "var(--gray-2)", node["tint"]),
        border=rx.cond(node["dim"], "1px dashed var(--gray-7)", "1px solid var(--gray-6)"),
        border_left=rx.cond(node["dim"], "4px solid var(--gray-6)", "4px solid " + node["accent"]),
        border_radius="var(--radius-3)",
        box_shadow=rx.cond(node["dim"], "none", "var(--shadow-1)"),
        opacity=rx.cond(node["dim"], "0.6", "1"),
        cursor="pointer",
        title=node["hint"],
        on_click=on_node(node["id"]),
        _hover={"box_shadow": "var(--shadow-3)"},
        data_testid="graph-node",
        data_step=node["id"],
        data_status=node["status"],
    )


def _edge(edge: rx.Var) -> rx.Component:
    colour = rx.match(edge["state"], *EDGE_COLOURS.items(), EDGE_COLOURS["pending"])
    return rx.el.path(
        d=edge["d"],
        fill="none",
        style={
            "stroke": colour,
            "stroke_width": rx.cond(edge["state"] == "done", "1.75", "1.25"),
            "stroke_dasharray": rx.cond(edge["state"] == "skipped", "5 4", "none"),
        },
        marker_end="url(#arrow-" + edge["state"].to(str) + ")",
        data_testid="graph-edge",
        data_state=edge["state"],
    )


def _edge_label(edge: rx.Var) -> rx.Component:
    return rx.cond(
        edge["label"] != "",
        rx.box(
            edge["label"],
            position="absolute",
            left=edge["label_left"],
            top=edge["label_top"],
            transform="translate(-50%, -50%)",
            padding="0 6px",
            font_size="11px",
            line_height="18px",
            border_radius="999px",
            white_space="nowrap",
            background="var(--color-panel-solid)",
            border=rx.cond(
                edge["state"] == "skipped", "1px dashed var(--gray-6)", "1px solid var(--gray-7)"
            ),
            color=rx.cond(edge["state"] == "skipped", "var(--gray-9)", "var(--gray-12)"),
            data_testid="graph-edge-label",
        ),
    )


def _arrow(state: str) -> rx.Component:
    return rx.el.marker(
        rx.el.path(d="M 0 0 L 8 4 L 0 8 z", style={"fill": EDGE_COLOURS[state]}),
        id=f"arrow-{state}",
        view_box="0 0 8 8",
        ref_x="7",
        ref_y="4",
        marker_width="7",
        marker_height="7",
        orient="auto",
    )


def status_legend(statuses: tuple[str, ...] = LEGEND) -> rx.Component:
    """What the colours mean (the badge colours, the same on every page)."""
    return rx.flex(
        *[
            rx.hstack(
                rx.box(
                    width="10px",
                    height="10px",
                    border_radius="3px",
                    background=f"var(--{STATUS_COLORS.get(s, 'gray')}-9)",
                ),
                rx.text(s, size="1"),
                spacing="1",
                align="center",
            )
            for s in statuses
        ],
        gap="0.35rem 0.9rem",
        wrap="wrap",
        color=rx.color("gray", 11),
    )


def execution_graph(
    nodes: rx.Var, edges: rx.Var, width: rx.Var, height: rx.Var, on_node: rx.EventHandler
) -> rx.Component:
    return rx.box(
        rx.box(
            rx.el.svg(
                rx.el.defs(*[_arrow(state) for state in EDGE_COLOURS]),
                rx.foreach(edges, _edge),
                width=width,
                height=height,
                position="absolute",
                top="0",
                left="0",
                overflow="visible",
            ),
            rx.foreach(edges, _edge_label),
            rx.foreach(nodes, lambda node: _node(node, on_node)),
            position="relative",
            width=width,
            min_width=width,
            height=height,
            margin_x="auto",
        ),
        width="100%",
        max_height="640px",
        overflow="auto",
        contain="inline-size",  # scroll inside instead of widening the page
        data_testid="execution-graph",
    )
