"""Admin sections that later work fills; each shows an honest empty state until then."""

from __future__ import annotations

import reflex as rx

from app.ui.components.layout import admin_page, empty_state
from app.ui.pages.registry import page
from app.ui.states.session import SessionState

_PLACEHOLDERS: list[tuple[str, str, str, str, str]] = []  # every section has its page now


def _register(route: str, title: str, icon: str, empty_title: str, hint: str) -> None:
    def placeholder() -> rx.Component:
        return admin_page(title, empty_state(icon, empty_title, hint))

    page(route=route, title=f"{title} · Flowdeck", on_load=SessionState.guard_admin_area)(
        placeholder
    )


for _section in _PLACEHOLDERS:
    _register(*_section)


@page(route="/admin", on_load=SessionState.route_home)
def admin_index() -> rx.Component:
    return rx.center(rx.spinner(size="3"), min_height="100vh")


@page(route="/", title="Flowdeck", on_load=SessionState.route_home)
def index() -> rx.Component:
    return rx.center(rx.spinner(size="3"), min_height="100vh")
