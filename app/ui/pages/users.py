"""Admin → Users page."""

from __future__ import annotations

import reflex as rx

from app.ui.components.forms import field, form_alert
from app.ui.components.layout import admin_page
from app.ui.components.tables import phone_cards
from app.ui.pages.registry import page
from app.ui.states.users import KeyRow, UserRow, UsersState

ROLES = ["admin", "member", "viewer"]


def _role_select(name: str = "role", default: str = "member") -> rx.Component:
    return rx.select(
        ROLES,
        name=name,
        default_value=default,
        size="3",
        width="100%",
        custom_attrs={"aria-label": "Role"},
    )


def _create_dialog() -> rx.Component:
    errors = UsersState.create_errors
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(rx.icon("user-plus", size=16), "New user", data_testid="new-user")
        ),
        rx.dialog.content(
            rx.dialog.title("New user"),
            rx.dialog.description(
                "They can sign in right away with this password.", size="2", margin_bottom="1rem"
            ),
            form_alert(errors.get("form", "")),
            rx.form(
                rx.vstack(
                    field(
                        "Email",
                        "email",
                        errors.get("email", ""),
                        type="email",
                        required=True,
                        auto_focus=True,
                    ),
                    field("Name", "name", errors.get("name", "")),
                    rx.vstack(
                        rx.text("Role", size="2", weight="medium"),
                        _role_select(),
                        spacing="1",
                        width="100%",
                    ),
                    field(
                        "Password",
                        "password",
                        errors.get("password", ""),
                        type="password",
                        required=True,
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button("Create user", type="submit", data_testid="create-user-submit"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="4",
                ),
                on_submit=UsersState.create_user,
                no_validate=True,
                reset_on_submit=False,
            ),
            max_width="460px",
        ),
        open=UsersState.create_open,
        on_open_change=UsersState.set_create_open,
    )


def _user_row(user: UserRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.hstack(
                    rx.text(user["email"], weight="medium"),
                    rx.cond(
                        user["is_self"],
                        rx.badge("you", variant="outline", data_testid="own-row"),
                    ),
                    align="center",
                    spacing="2",
                ),
                rx.text(user["name"], size="1", color=rx.color("gray", 11)),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.select(
                ROLES,
                value=user["role"],
                size="1",
                on_change=lambda role: UsersState.change_role(user["id"], role),
                custom_attrs={"aria-label": "Role of " + user["email"]},
            )
        ),
        rx.table.cell(
            rx.cond(
                user["is_active"],
                rx.cond(
                    user["locked"],
                    rx.badge("locked", color_scheme="amber"),
                    rx.badge("active", color_scheme="green"),
                ),
                rx.badge("deactivated", color_scheme="gray"),
            )
        ),
        rx.table.cell(rx.text(user["last_login"], size="2")),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "Reset password",
                    size="1",
                    variant="soft",
                    on_click=UsersState.open_reset(user["id"], user["email"]),
                ),
                rx.cond(
                    user["locked"],
                    rx.button(
                        "Unlock",
                        size="1",
                        variant="soft",
                        color_scheme="amber",
                        on_click=UsersState.unlock(user["id"]),
                        data_testid="unlock-user",
                    ),
                ),
                rx.cond(
                    user["is_self"],
                    rx.fragment(),  # nobody deactivates their own account (refused anyway)
                    rx.cond(
                        user["is_active"],
                        rx.button(
                            "Deactivate",
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            on_click=UsersState.set_active(user["id"], False),
                        ),
                        rx.button(
                            "Activate",
                            size="1",
                            variant="soft",
                            color_scheme="green",
                            on_click=UsersState.set_active(user["id"], True),
                        ),
                    ),
                ),
                spacing="2",
            )
        ),
        data_testid="user-row",
    )


def _reset_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Reset password"),
            rx.dialog.description(
                rx.text(
                    "New password for ",
                    rx.text.strong(UsersState.reset_email),
                    ". Their open sessions end.",
                ),
                size="2",
                margin_bottom="1rem",
            ),
            rx.form(
                rx.vstack(
                    field(
                        "New password",
                        "password",
                        UsersState.reset_error,
                        type="password",
                        required=True,
                        auto_focus=True,
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button("Set password", type="submit"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="4",
                ),
                on_submit=UsersState.reset_password,
                no_validate=True,
            ),
            max_width="420px",
        ),
        open=UsersState.reset_user_id != 0,
        on_open_change=UsersState.close_reset,
    )


def _key_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("key-round", size=16), "New API key", variant="soft")),
        rx.dialog.content(
            rx.dialog.title("New API key"),
            rx.cond(
                UsersState.new_key != "",
                rx.vstack(
                    rx.callout(
                        "Copy the key now: it is shown only this once.",
                        icon="info",
                        color_scheme="amber",
                    ),
                    rx.code(
                        UsersState.new_key,
                        size="2",
                        data_testid="new-api-key",
                        style={"word_break": "break-all"},
                    ),
                    rx.hstack(
                        rx.button(
                            rx.icon("copy", size=14),
                            "Copy",
                            on_click=rx.set_clipboard(UsersState.new_key),
                            variant="soft",
                        ),
                        rx.dialog.close(rx.button("Done")),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                ),
                rx.form(
                    rx.vstack(
                        form_alert(UsersState.key_error),
                        field("Name", "name", required=True, placeholder="CI deploys"),
                        rx.vstack(
                            rx.text("For user", size="2", weight="medium"),
                            rx.select.root(
                                rx.select.trigger(
                                    placeholder="Pick a user", width="100%", aria_label="For user"
                                ),
                                rx.select.content(
                                    rx.foreach(
                                        UsersState.rows,
                                        lambda u: rx.select.item(
                                            u["email"], value=u["id"].to_string()
                                        ),
                                    ),
                                ),
                                name="user_id",
                                size="3",
                            ),
                            spacing="1",
                            width="100%",
                        ),
                        rx.hstack(
                            rx.dialog.close(
                                rx.button(
                                    "Cancel", variant="soft", color_scheme="gray", type="button"
                                )
                            ),
                            rx.button("Create key", type="submit"),
                            justify="end",
                            spacing="3",
                            width="100%",
                        ),
                        spacing="4",
                    ),
                    on_submit=UsersState.create_key,
                    no_validate=True,
                ),
            ),
            max_width="480px",
        ),
        open=UsersState.key_open,
        on_open_change=UsersState.set_key_open,
    )


def _key_row(key: KeyRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(key["name"], weight="medium")),
        rx.table.cell(rx.code(key["prefix"] + "…")),
        rx.table.cell(key["user_email"]),
        rx.table.cell(key["created"]),
        rx.table.cell(key["last_used"]),
        rx.table.cell(
            rx.cond(
                key["revoked"],
                rx.badge("revoked", color_scheme="gray"),
                rx.button(
                    "Revoke",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=UsersState.revoke_key(key["id"]),
                ),
            )
        ),
    )


@page(route="/admin/users", title="Users · Flowdeck", on_load=UsersState.load)
def users_page() -> rx.Component:
    return admin_page(
        "Users",
        rx.vstack(
            rx.hstack(
                rx.text(
                    "People who can sign in, and what they may do.", color=rx.color("gray", 11)
                ),
                rx.spacer(),
                _create_dialog(),
                width="100%",
                align="center",
            ),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("User", "Role", "Status", "Last sign-in", "")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(UsersState.rows, _user_row)),
                variant="surface",
                width="100%",
                style=phone_cards(("User", "Role", "Status", "Last sign-in", "")),
            ),
            rx.hstack(
                rx.heading("API keys", size="4"),
                rx.spacer(),
                _key_dialog(),
                width="100%",
                align="center",
                margin_top="2rem",
            ),
            rx.cond(
                UsersState.keys.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in ("Name", "Prefix", "User", "Created", "Last used", "")
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(UsersState.keys, _key_row)),
                    variant="surface",
                    width="100%",
                    style=phone_cards(("Name", "Prefix", "User", "Created", "Last used", "")),
                ),
                rx.text(
                    "No API keys yet. Machines use them as 'Authorization: Bearer <key>'.",
                    color=rx.color("gray", 11),
                    size="2",
                ),
            ),
            _reset_dialog(),
            spacing="4",
            width="100%",
        ),
    )
