"""The page for an address that does not exist: inside the admin shell, so the navigation and
the way back are right there (a signed-out visitor is sent to sign in first)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.layout import admin_page
from app.ui.components.link_button import link_button
from app.ui.pages.registry import page
from app.ui.states.session import SessionState


def _way(label: str, href: str, icon: str, variant: str) -> rx.Component:
    return link_button(rx.icon(icon, size=14), label, href=href, variant=variant, size="2")


@page(route="404", title="Page not found · Flowdeck", on_load=SessionState.guard_signed_in)
def not_found() -> rx.Component:
    return admin_page(
        "Page not found",
        rx.center(
            rx.vstack(
                rx.icon("map-pin-off", size=36, color=rx.color("gray", 8)),
                rx.heading("There is nothing at this address", size="4"),
                rx.text(
                    "It may be mistyped, or what it showed was deleted. "
                    "The sections are in the menu; these are the usual ways back.",
                    color=rx.color("gray", 11),
                    size="2",
                    text_align="center",
                ),
                rx.hstack(
                    _way("Workflows", "/admin/workflows", "workflow", "solid"),
                    _way("Executions", "/admin/executions", "play", "soft"),
                    _way("Status", "/status", "activity", "soft"),
                    spacing="2",
                    wrap="wrap",
                    justify="center",
                ),
                align="center",
                spacing="3",
                max_width="460px",
            ),
            padding="4rem 1rem",
            border=f"1px dashed {rx.color('gray', 6)}",
            border_radius="var(--radius-4)",
            width="100%",
            data_testid="not-found",
        ),
    )
