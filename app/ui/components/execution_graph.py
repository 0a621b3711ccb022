"""An execution on the canvas: the version's graph read-only, coloured by how the run went.

The nodes and edges come once, and the run to lay over them (`app.core.execution_canvas.
run_map`) at each update: each node's status colour (the badge colours), a `for_each` node's
`37/100`, a note, a waiting approval pulsing with its buttons; edges greyed and dashed on the
branch not taken, animated into a running step. The canvas pans and zooms inside its box, so
a 200-step run or a phone never widens the page. A legend says what the colours and the dashes mean.
"""

from __future__ import annotations

import reflex as rx

from app.ui.components.flow_canvas import flow_canvas
from app.ui.components.status_badge import STATUS_COLORS

LEGEND = ("succeeded", "running", "waiting", "paused", "failed", "skipped", "pending")
CANVAS_HEIGHT = rx.breakpoints(initial="440px", md="560px")
PHONE_PX = 520  # below this width (the minimap hides too) a fit keeps nodes readable:
PHONE_FIT_ZOOM = 0.7  # 13 px text at 9 px at least; the rest of the graph pans


def _swatch(status: str) -> rx.Component:
    colour = STATUS_COLORS.get(status, "gray")
    return rx.hstack(
        rx.box(
            width="12px",
            height="12px",
            border_radius="3px",
            background=f"var(--{colour}-2)",
            border=f"2px {'dashed' if status == 'skipped' else 'solid'} var(--{colour}-9)",
        ),
        rx.text(status, size="1"),
        spacing="1",
        align="center",
    )


def status_legend(statuses: tuple[str, ...] = LEGEND) -> rx.Component:
    """What the colours mean (the badge colours, the same on every page) and the dashes."""
    return rx.flex(
        *[_swatch(s) for s in statuses],
        rx.hstack(
            rx.box(width="22px", border_top="2px dashed var(--gray-7)"),
            rx.text("branch not taken", size="1"),
            spacing="1",
            align="center",
        ),
        gap="0.35rem 0.9rem",
        wrap="wrap",
        color=rx.color("gray", 11),
        data_testid="status-legend",
    )


def execution_canvas(
    nodes: rx.Var,
    edges: rx.Var,
    run: rx.Var,
    selected: rx.Var,
    on_select: rx.EventHandler,
    on_action: rx.EventHandler,
    overlay: rx.Component,
) -> rx.Component:
    """The read-only canvas: a click on a node selects it ("" on the empty canvas).

    `overlay` (the selected step's panel) floats over the canvas's right side instead of
    shrinking it: the view stays where the person put it.
    """
    return rx.box(
        flow_canvas(
            nodes=nodes,
            edges=edges,
            run=run,
            selected=selected,
            read_only=True,
            read_only_below=PHONE_PX,
            narrow_fit_zoom=PHONE_FIT_ZOOM,
            color_mode=rx.color_mode_cond("light", "dark"),
            on_select_node=on_select,
            on_node_action=on_action,
        ),
        overlay,
        position="relative",
        width="100%",
        min_width="0",
        height=CANVAS_HEIGHT,
        border=f"1px solid {rx.color('gray', 6)}",
        border_radius="var(--radius-3)",
        overflow="hidden",
        # On a phone the minimap would cover a third of the canvas: pan and pinch instead.
        style={"@media (max-width: 520px)": {"& .react-flow__minimap": {"display": "none"}}},
        data_testid="execution-canvas",
    )
