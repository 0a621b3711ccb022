"""A run's status badge: the app's colours, plus `partial` (only orchestration runs end so:
every failure was allowed, yet some call failed) in orange."""

from __future__ import annotations

import reflex as rx

from app.ui.components.status_badge import status_badge


def run_badge(status: rx.Var) -> rx.Component:
    return rx.cond(
        status == "partial",
        rx.badge("partial", color_scheme="orange", variant="soft", radius="full"),
        status_badge(status),
    )
