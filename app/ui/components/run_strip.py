"""A run-history strip: one bar per run, coloured by status, tall by duration, newest right.

Each bar links to its run and shows `#n · status · duration · date` at once on hover (a CSS
tooltip: a page of 20 strips has 600 bars, too many for a tooltip component each). The strip
is one group named by its summary ("Last 30 runs: 27 succeeded, 3 failed"); the bars are left
out of the tab order (30 stops a row), the runs are a click away in the table below or in
Executions.
"""

from __future__ import annotations

import reflex as rx

from app.core.run_strip import STRIP_RUNS
from app.ui.run_strips import StripBar

# Beside the bar, inside the strip's own height (a card or a table cell around it may clip
# what sticks out above): left of the newer half of the bars, right of the older half.
_TIP = {
    "content": "attr(data-tip)",
    "position": "absolute",
    "top": "50%",
    "transform": "translateY(-50%)",
    "right": "calc(100% + 6px)",
    "white_space": "nowrap",
    "padding": "0.2rem 0.5rem",
    "border_radius": "var(--radius-2)",
    "background": "var(--gray-12)",
    "color": "var(--gray-1)",
    "font_size": "12px",
    "line_height": "1.4",
    "pointer_events": "none",
    "z_index": "20",
}


GAP = 2  # px between bars


def _bar(bar: StripBar, width: str) -> rx.Component:
    return rx.link(
        rx.box(
            height=bar["height"],
            width="100%",
            background=bar["color"],
            border_radius="1px",
        ),
        href="/admin/executions/" + bar["id"].to(str),
        aria_label=bar["tip"],
        tab_index=-1,
        custom_attrs={"data-tip": bar["tip"]},
        display="flex",
        align_items="flex-end",
        flex_shrink="0",
        width=width,
        height="100%",
        position="relative",
        style={
            "&:hover": {"opacity": "0.75"},
            "&:hover::after": _TIP,
            f"&:nth-last-child(n+{STRIP_RUNS // 2 + 1}):hover::after": {
                "right": "auto",
                "left": "calc(100% + 6px)",
            },
        },
        data_testid="run-bar",
    )


def run_strip(
    bars: rx.Var[list[StripBar]],
    summary: rx.Var[str],
    *,
    bar_width: int = 4,
    height: str = "22px",
    testid: str = "run-strip",
) -> rx.Component:
    """The strip is as wide as `STRIP_RUNS` bars, the newest at its right end, so the strips
    of a list line up and a workflow with few runs shows them where the newest runs are."""
    return rx.cond(
        bars.length() > 0,
        rx.hstack(
            rx.foreach(bars, lambda bar: _bar(bar, f"{bar_width}px")),
            role="group",
            aria_label=summary,
            spacing="0",
            gap=f"{GAP}px",
            align="end",
            justify="end",
            height=height,
            width=f"{STRIP_RUNS * (bar_width + GAP) - GAP}px",
            flex_shrink="0",
            data_testid=testid,
        ),
        rx.text("no runs yet", size="1", color=rx.color("gray", 11), data_testid=testid),
    )
