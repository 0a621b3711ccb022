"""Sign-in and first-run setup pages."""

from __future__ import annotations

import reflex as rx

from app.ui.components.forms import field, form_alert
from app.ui.pages.registry import page
from app.ui.states.auth_forms import LoginState, SetupState


def _card(title: str, subtitle: str, *children: rx.Component) -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("layers", size=26, color=rx.color("accent", 9)),
                    rx.heading("Flowdeck", size="6"),
                    align="center",
                    spacing="2",
                ),
                rx.heading(title, size="5", margin_top="0.5rem"),
                rx.text(subtitle, size="2", color=rx.color("gray", 11)),
                *children,
                spacing="3",
                width="100%",
            ),
            size="4",
            width="100%",
            max_width="420px",
        ),
        min_height="100vh",
        padding="1rem",
        background=rx.color("gray", 2),
    )


@page(route="/login", title="Sign in · Flowdeck", on_load=LoginState.open_login)
def login_page() -> rx.Component:
    return _card(
        "Sign in",
        "Use the email and password your admin gave you.",
        rx.cond(
            LoginState.notice != "",
            rx.callout(
                LoginState.notice,
                icon="info",
                color_scheme="green",
                size="1",
                width="100%",
                data_testid="form-notice",
            ),
        ),
        form_alert(LoginState.login_error),
        rx.form(
            rx.vstack(
                field(
                    "Email",
                    "email",
                    type="email",
                    required=True,
                    auto_focus=True,
                    placeholder="you@example.com",
                ),
                field("Password", "password", type="password", required=True),
                rx.button(
                    "Sign in", type="submit", size="3", width="100%", data_testid="login-submit"
                ),
                spacing="4",
                width="100%",
            ),
            on_submit=LoginState.submit,
            no_validate=True,
            reset_on_submit=False,
            width="100%",
        ),
    )


@page(route="/setup", title="Set up · Flowdeck", on_load=SetupState.open_setup)
def setup_page() -> rx.Component:
    errors = SetupState.errors
    return _card(
        "Create the first admin",
        "No one has an account yet. The person who fills this in becomes the super admin.",
        form_alert(SetupState.form_error),
        rx.form(
            rx.vstack(
                field("Name", "name", errors.get("name", ""), placeholder="Ada Lovelace"),
                field(
                    "Email",
                    "email",
                    errors.get("email", ""),
                    type="email",
                    required=True,
                    auto_focus=True,
                ),
                field(
                    "Password",
                    "password",
                    errors.get("password", ""),
                    type="password",
                    required=True,
                    placeholder="at least 10 characters",
                ),
                field(
                    "Repeat password",
                    "confirm",
                    errors.get("confirm", ""),
                    type="password",
                    required=True,
                ),
                rx.button(
                    "Create admin and sign in",
                    type="submit",
                    size="3",
                    width="100%",
                    data_testid="setup-submit",
                ),
                spacing="4",
                width="100%",
            ),
            on_submit=SetupState.submit,
            no_validate=True,
            reset_on_submit=False,
            width="100%",
        ),
    )
