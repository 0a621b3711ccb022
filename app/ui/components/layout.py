"""The admin shell: sidebar with every section, header with the user, logout and theme."""

from __future__ import annotations

import reflex as rx

from app.ui.bell import LiveBell, bell
from app.ui.components.command_palette import command_layer, palette_button
from app.ui.components.forms import field, form_alert
from app.ui.navigation import ADMIN_ONLY, SECTIONS
from app.ui.states.account import AccountState
from app.ui.states.command import CommandState
from app.ui.states.session import SessionState

#: The id of the page's main content, the target of "Skip to content".
MAIN_ID = "main-content"


def _nav_item(label: str, href: str, icon: str) -> rx.Component:
    active = rx.State.router.page.path.startswith(href)  # type: ignore[attr-defined]
    count = (
        rx.cond(
            LiveBell.approvals > 0,
            rx.badge(
                LiveBell.approvals,
                color_scheme="violet",
                radius="full",
                margin_left="auto",
                data_testid="nav-approvals-count",
            ),
        )
        if href == "/admin/approvals"
        else rx.fragment()
    )
    link = rx.link(
        rx.hstack(
            rx.icon(icon, size=16),
            rx.text(label, size="2"),
            count,
            spacing="3",
            align="center",
            width="100%",
        ),
        href=href,
        underline="none",
        color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
        background=rx.cond(active, rx.color("accent", 3), "transparent"),
        border_radius="var(--radius-2)",
        padding_x="0.75rem",
        padding_y="0.5rem",
        width="100%",
        _hover={"background": rx.color("accent", 3)},
        custom_attrs={"aria-current": rx.cond(active, "page", "false")},
        data_testid=f"nav-{label.lower()}",
    )
    return rx.cond(SessionState.is_admin, link) if href in ADMIN_ONLY else link


def sidebar() -> rx.Component:
    return rx.el.nav(
        rx.vstack(
            rx.hstack(
                rx.icon("layers", size=22, color=rx.color("accent", 9)),
                rx.heading("Flowdeck", size="5", weight="bold", as_="div"),
                align="center",
                spacing="2",
                padding_x="0.75rem",
                padding_bottom="1rem",
            ),
            rx.box(palette_button(), width="100%", padding_bottom="0.5rem"),
            *[_nav_item(*section) for section in SECTIONS],
            rx.spacer(),
            _nav_item("Status page", "/status", "activity"),
            spacing="1",
            padding="1rem",
            height="100%",
        ),
        aria_label="Sections",
        width="220px",
        min_width="220px",
        height="100vh",
        position="sticky",
        top="0",
        border_right=f"1px solid {rx.color('gray', 4)}",
        background=rx.color("gray", 2),
        display=["none", "none", "block"],
    )


def _mobile_menu() -> rx.Component:
    """The sections as a menu, for screens too narrow for the sidebar."""
    return rx.box(
        rx.dropdown_menu.root(
            rx.dropdown_menu.trigger(
                rx.icon_button(rx.icon("menu", size=18), variant="soft", aria_label="Menu")
            ),
            rx.dropdown_menu.content(
                rx.dropdown_menu.item(
                    rx.hstack(rx.icon("search", size=14), "Search or jump…", align="center"),
                    on_click=CommandState.open_palette,
                ),
                rx.dropdown_menu.separator(),
                *[
                    _menu_item(label, href, icon)
                    for label, href, icon in [*SECTIONS, ("Status page", "/status", "activity")]
                ],
            ),
        ),
        display=["block", "block", "none"],
    )


def _menu_item(label: str, href: str, icon: str) -> rx.Component:
    item = rx.dropdown_menu.item(
        rx.hstack(rx.icon(icon, size=14), label, align="center"), on_click=rx.redirect(href)
    )
    return rx.cond(SessionState.is_admin, item) if href in ADMIN_ONLY else item


def _password_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.icon_button(
                rx.icon("key-round", size=16),
                variant="ghost",
                aria_label="Change password",
                title="Change password",
            )
        ),
        rx.dialog.content(
            rx.dialog.title("Change your password"),
            rx.dialog.description(
                "Every browser signed in as you is signed out.", size="2", margin_bottom="1rem"
            ),
            form_alert(AccountState.password_error),
            rx.form(
                rx.vstack(
                    field("Current password", "current_password", type="password", required=True),
                    field("New password", "new_password", type="password", required=True),
                    field(
                        "Repeat new password", "confirm_password", type="password", required=True
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button("Change password", type="submit"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="4",
                ),
                on_submit=AccountState.change_password,
                no_validate=True,
            ),
            max_width="420px",
        ),
        open=AccountState.password_open,
        on_open_change=AccountState.set_password_open,
    )


def header(title: str) -> rx.Component:
    return rx.hstack(
        _mobile_menu(),
        rx.heading(
            title,
            size=rx.breakpoints(initial="4", sm="6"),
            trim="both",
            min_width="0",
            flex="1",
            # a long title gives way (an ellipsis) before the icons do
            white_space="nowrap",
            overflow="hidden",
            text_overflow="ellipsis",
        ),
        rx.color_mode.button(
            size="2",
            variant="ghost",
            aria_label=rx.color_mode_cond("Switch to dark mode", "Switch to light mode"),
            title=rx.color_mode_cond("Switch to dark mode", "Switch to light mode"),
        ),
        _password_dialog(),
        bell(),
        rx.badge(
            SessionState.user_role,
            variant="soft",
            display=["none", "inline-flex"],  # a phone needs the room for the title
            data_testid="user-role",
        ),
        rx.text(
            SessionState.user_email,
            size="2",
            color=rx.color("gray", 11),
            data_testid="user-email",
            display=["none", "block"],
        ),
        rx.button(
            rx.icon("log-out", size=14),
            rx.text("Log out", display=["none", "inline"]),
            on_click=SessionState.logout,
            aria_label="Log out",
            variant="soft",
            color_scheme="gray",
            size="2",
            data_testid="logout",
        ),
        align="center",
        spacing=rx.breakpoints(initial="2", sm="3"),  # 390 px wide: no sideways scroll
        width="100%",
        padding_bottom="1.25rem",
    )


def skip_link(target: str = MAIN_ID) -> rx.Component:
    """The first stop of the Tab key: "Skip to content", shown only while it has the focus."""
    return rx.el.a(
        "Skip to content",
        href=f"#{target}",
        class_name="fd-skip-link",
        style={
            "position": "absolute",
            "left": "0.5rem",
            "top": "-3rem",
            "z_index": "1000",
            "padding": "0.5rem 0.75rem",
            "border_radius": "var(--radius-2)",
            "background": rx.color("accent", 9),
            "color": "var(--accent-contrast)",
            "font_size": "var(--font-size-2)",
            "&:focus": {"top": "0.5rem"},
        },
        data_testid="skip-link",
    )


def admin_page(title: str, *children: rx.Component) -> rx.Component:
    """A page inside the admin shell: the skip link, the sidebar (before the page in the
    Tab order), then the header and the page itself as the main landmark."""
    return rx.hstack(
        skip_link(),
        sidebar(),
        rx.el.main(
            header(title),
            *children,
            command_layer(),
            id=MAIN_ID,
            tab_index=-1,  # the skip link moves the focus here
            style={
                "padding": "1rem",
                "min_width": "0",
                "width": "100%",
                "max_width": "1400px",
                "outline": "none",
                "@media (min-width: 30em)": {"padding": "1.5rem 2rem"},
            },
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
