"""A run's status badge: the app's colours (`partial`, which only orchestration runs end with,
is among them: every failure was allowed, yet some call failed)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.status_badge import status_badge


def run_badge(status: rx.Var) -> rx.Component:
    return status_badge(status)
