"""A number with a label, with a skeleton until the first data arrives."""

from __future__ import annotations

import reflex as rx


def stat_card(
    label: str,
    value: rx.Var | str,
    icon: str,
    loaded: rx.Var | bool = True,
    testid: str = "",
    hint: rx.Var | str = "",
) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(label, size="2", color=rx.color("gray", 11)),
                rx.cond(
                    loaded,
                    rx.heading(value, size="6", data_testid=testid or None),
                    rx.skeleton(rx.heading("0000", size="6")),
                ),
                rx.cond(hint != "", rx.text(hint, size="1", color=rx.color("gray", 11))),
                spacing="1",
            ),
            rx.spacer(),
            rx.icon(icon, size=20, color=rx.color("accent", 9)),
            align="start",
            width="100%",
        ),
        width="100%",
    )
