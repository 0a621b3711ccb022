"""The admin shell: sidebar with every section, header with the user, logout and theme."""

from __future__ import annotations

import reflex as rx

from app.ui.states.session import SessionState

SECTIONS: list[tuple[str, str, str]] = [
    ("Workflows", "/admin/workflows", "workflow"),
    ("Executions", "/admin/executions", "play"),
    ("Alerts", "/admin/alerts", "bell"),
    ("Versions", "/admin/versions", "git-branch"),
    ("Orchestrations", "/admin/orchestrations", "network"),
    ("Connections", "/admin/connections", "plug"),
    ("Audit", "/admin/audit", "scroll-text"),
    ("Users", "/admin/users", "users"),
]


def _nav_item(label: str, href: str, icon: str) -> rx.Component:
    active = rx.State.router.page.path.startswith(href)  # type: ignore[attr-defined]
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(label, size="2"), spacing="3", align="center"),
        href=href,
        underline="none",
        color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
        background=rx.cond(active, rx.color("accent", 3), "transparent"),
        border_radius="var(--radius-2)",
        padding_x="0.75rem",
        padding_y="0.5rem",
        width="100%",
        _hover={"background": rx.color("accent", 3)},
        data_testid=f"nav-{label.lower()}",
    )


def sidebar() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("layers", size=22, color=rx.color("accent", 9)),
            rx.heading("Flowdeck", size="5", weight="bold"),
            align="center",
            spacing="2",
            padding_x="0.75rem",
            padding_bottom="1rem",
        ),
        *[_nav_item(*section) for section in SECTIONS],
        rx.spacer(),
        _nav_item("Status page", "/status", "activity"),
        spacing="1",
        padding="1rem",
        width="220px",
        min_width="220px",
        height="100vh",
        position="sticky",
        top="0",
        border_right=f"1px solid {rx.color('gray', 4)}",
        background=rx.color("gray", 2),
        display=["none", "none", "flex"],
    )


def header(title: str) -> rx.Component:
    return rx.hstack(
        rx.heading(title, size="6"),
        rx.spacer(),
        rx.color_mode.button(size="2", variant="ghost"),
        rx.badge(SessionState.user_role, variant="soft", data_testid="user-role"),
        rx.text(
            SessionState.user_email, size="2", color=rx.color("gray", 11), data_testid="user-email"
        ),
        rx.button(
            rx.icon("log-out", size=14),
            "Log out",
            on_click=SessionState.logout,
            variant="soft",
            color_scheme="gray",
            size="2",
            data_testid="logout",
        ),
        align="center",
        spacing="3",
        width="100%",
        padding_bottom="1.25rem",
    )


def admin_page(title: str, *children: rx.Component) -> rx.Component:
    """A page inside the admin shell."""
    return rx.hstack(
        sidebar(),
        rx.box(
            header(title),
            *children,
            padding="1.5rem 2rem",
            width="100%",
            max_width="1400px",
        ),
        spacing="0",
        align="start",
        width="100%",
        min_height="100vh",
    )


def empty_state(icon: str, title: str, hint: str) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=36, color=rx.color("gray", 8)),
            rx.heading(title, size="4"),
            rx.text(hint, color=rx.color("gray", 11), size="2", text_align="center"),
            align="center",
            spacing="2",
            max_width="420px",
        ),
        padding="4rem 1rem",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="var(--radius-4)",
        width="100%",
        data_testid="empty-state",
    )
