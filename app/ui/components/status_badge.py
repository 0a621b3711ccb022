"""One colour per status, used the same way on every page."""

from __future__ import annotations

import reflex as rx

STATUS_COLORS: dict[str, str] = {
    "succeeded": "green",
    "failed": "red",
    "running": "blue",
    "waiting": "violet",  # an approval, a timer, a webhook call or a child run
    "paused": "orange",
    "queued": "amber",
    "interrupted": "amber",
    "cancelled": "gray",
    "pending": "gray",
    "skipped": "gray",
    "partial": "orange",  # an orchestration run whose failures were all allowed
}


def status_badge(status: rx.Var | str) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(
            status, *[(name, color) for name, color in STATUS_COLORS.items()], "gray"
        ),
        variant="soft",
        radius="full",
    )
