"""The execution's timeline: one bar per step on a shared time axis (Gantt-like).

Bars and ticks come placed from the server (`app.core.time_axis`, in % of the axis), so
steps that ran in parallel overlap in time. A running or waiting bar is striped (it grows
with each live update); a mark shows each attempt of a retried step, red for a failed one.
"""

from __future__ import annotations

import reflex as rx

COLUMNS = {"initial": "96px 1fr", "sm": "180px 1fr 72px"}
OPEN = "repeating-linear-gradient(135deg, rgba(255,255,255,.35) 0 5px, transparent 5px 10px)"


def _grid(*children: rx.Component, **props: object) -> rx.Component:
    return rx.box(
        *children,
        display="grid",
        grid_template_columns=rx.breakpoints(**COLUMNS),
        column_gap="0.75rem",
        align_items="center",
        **props,
    )


def _gridlines(ticks: rx.Var) -> rx.Component:
    return rx.foreach(
        ticks,
        lambda t: rx.box(
            position="absolute",
            left=t["left"],
            top="0",
            bottom="0",
            width="1px",
            background="var(--gray-4)",
        ),
    )


def _axis(ticks: rx.Var) -> rx.Component:
    return _grid(
        rx.box(),
        rx.box(
            rx.foreach(
                ticks,
                lambda t: rx.text(
                    t["label"],
                    size="1",
                    color=rx.color("gray", 11),
                    position="absolute",
                    left=t["left"],
                    transform=rx.match(
                        t["left"], ("0%", "none"), ("100%", "translateX(-100%)"), "translateX(-50%)"
                    ),
                    white_space="nowrap",
                ),
            ),
            position="relative",
            height="18px",
        ),
        rx.box(display=rx.breakpoints(initial="none", sm="block")),
        padding_bottom="0.25rem",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
    )


def _mark(mark: rx.Var) -> rx.Component:
    return rx.box(
        position="absolute",
        left=mark["left"],
        top="1px",
        width="2px",
        height="18px",
        border_radius="1px",
        background=rx.cond(mark["failed"], "var(--red-11)", "var(--gray-12)"),
        title=mark["hint"],
    )


def _row(row: rx.Var, ticks: rx.Var, on_row: rx.EventHandler) -> rx.Component:
    return _grid(
        rx.text(
            row["label"],
            size="1",
            weight="medium",
            overflow="hidden",
            text_overflow="ellipsis",
            white_space="nowrap",
            title=row["label"],
            cursor="pointer",
            on_click=on_row(row["key"]),
        ),
        rx.box(
            _gridlines(ticks),
            rx.cond(
                row["shown"],
                rx.box(
                    position="absolute",
                    left=row["left"],
                    width=row["width"],
                    min_width="3px",
                    top="4px",
                    height="12px",
                    border_radius="3px",
                    background=row["accent"],
                    background_image=rx.cond(
                        (row["status"] == "running") | (row["status"] == "waiting"), OPEN, "none"
                    ),
                    title=row["hint"],
                    data_testid="timeline-bar",
                    data_step=row["key"],
                    data_status=row["status"],
                    data_left=row["left"],
                    data_width=row["width"],
                ),
            ),
            rx.foreach(row["marks"], _mark),
            position="relative",
            height="20px",
        ),
        rx.text(
            row["duration"],
            size="1",
            color=rx.color("gray", 11),
            text_align="right",
            white_space="nowrap",
            display=rx.breakpoints(initial="none", sm="block"),
        ),
        padding_y="3px",
        _hover={"background": rx.color("gray", 2)},
    )


def execution_timeline(bars: rx.Var, ticks: rx.Var, on_row: rx.EventHandler) -> rx.Component:
    return rx.box(
        rx.box(
            _axis(ticks),
            rx.foreach(bars, lambda row: _row(row, ticks, on_row)),
            min_width="300px",
        ),
        width="100%",
        max_height="640px",
        overflow="auto",
        contain="inline-size",
        data_testid="timeline",
    )
