"""/admin/connections: a form per platform asking only for what it needs; Verify runs it."""

from __future__ import annotations

from typing import Literal, get_args, get_origin

import reflex as rx
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from app.integrations.platforms import CONNECTION_TYPES, SPECS
from app.ui.components.layout import admin_page
from app.ui.components.tables import data_table, delete_dialog, toolbar
from app.ui.pages.registry import page
from app.ui.states.connections import ConnectionRow
from app.ui.states.connections import ConnectionsState as S

_STATUS_COLORS = {"verified": "green", "failed": "red", "unverified": "gray"}


def _field_error(name: str) -> rx.Component:
    message = S.errors.get(name, "")
    return rx.cond(
        message != "",
        rx.text(message, color=rx.color("red", 11), size="1", data_testid=f"error-{name}"),
    )


def _choice(name: str, info: FieldInfo) -> rx.Component:
    """A fixed set of values (such as SMTP security) as a select that the form submits."""
    options = [str(v) for v in get_args(info.annotation)]
    default = str(info.default or options[0])
    return rx.box(
        rx.select(
            options,
            name=name,
            default_value=S.edit_config.get(name, default),
            width="100%",
            custom_attrs={"aria-label": info.title or name.replace("_", " ").capitalize()},
        ),
        data_testid=f"conn-{name}",
        width="100%",
    )


def _input(name: str, model: type[BaseModel], secret: bool) -> rx.Component:
    info = model.model_fields[name]
    label = info.title or name.replace("_", " ").capitalize()
    hint = info.description or ""
    default = "" if secret else S.edit_config.get(name, "")
    placeholder = (
        rx.cond(S.editing_id != 0, "leave empty to keep the stored value", "")
        if secret
        else (
            ""
            if info.is_required() or info.default is None or callable(info.default_factory)
            else str(info.default)
        )
    )
    return rx.vstack(
        rx.el.label(
            label,
            html_for=f"conn-{name}",
            style={"font_size": "var(--font-size-2)", "font_weight": "500"},
        ),
        _choice(name, info)
        if get_origin(info.annotation) is Literal
        else rx.text_area(  # a PEM keeps its lines
            id=f"conn-{name}",
            name=name,
            default_value=default,
            placeholder="-----BEGIN CERTIFICATE-----",
            rows="4",
            width="100%",
            font_family="monospace",
        )
        if name == "ca_pem"
        else rx.input(
            id=f"conn-{name}",
            name=name,
            type="password" if secret else "text",
            default_value=default,
            placeholder=placeholder,
            width="100%",
            auto_complete="off",
        ),
        rx.cond(hint != "", rx.text(hint, size="1", color=rx.color("gray", 11))),
        _field_error(name),
        spacing="1",
        width="100%",
    )


def _fields_for(platform: str, connection_type: str) -> rx.Component:
    spec = SPECS[platform]
    secrets = spec.secrets[connection_type]
    return rx.vstack(
        rx.text("Secret", size="1", weight="bold", color=rx.color("gray", 11)),
        *[_input(name, secrets, True) for name in secrets.model_fields],
        rx.text(
            "Settings", size="1", weight="bold", color=rx.color("gray", 11), margin_top="0.5rem"
        ),
        *[
            _input(name, spec.config, False)
            for name in spec.config.model_fields
            if name != "test_body"
        ],
        spacing="3",
        width="100%",
    )


def _platform_fields() -> rx.Component:
    cases = [
        (f"{platform}:{kind}", _fields_for(platform, kind))
        for platform, spec in SPECS.items()
        for kind in spec.types
    ]
    return rx.match(S.platform + ":" + S.connection_type, *cases, rx.fragment())


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.editing_id != 0, "Edit connection", "New connection")),
            rx.dialog.description(
                "Secrets are encrypted at rest and never shown again.",
                size="2",
                margin_bottom="1rem",
            ),
            rx.cond(
                S.errors.get("form", "") != "",
                rx.callout(
                    S.errors.get("form", ""),
                    icon="triangle-alert",
                    color_scheme="red",
                    size="1",
                    margin_bottom="0.75rem",
                ),
            ),
            rx.form(
                rx.vstack(
                    rx.hstack(
                        rx.vstack(
                            rx.text("Platform", size="2", weight="medium"),
                            rx.select(
                                list(SPECS),
                                value=S.platform,
                                on_change=S.set_platform,
                                disabled=S.editing_id != 0,
                                custom_attrs={"aria-label": "Platform"},
                            ),
                            spacing="1",
                            data_testid="conn-platform",
                        ),
                        rx.vstack(
                            rx.text("Type", size="2", weight="medium"),
                            rx.select(
                                list(CONNECTION_TYPES),
                                value=S.connection_type,
                                on_change=S.set_connection_type,
                                disabled=S.editing_id != 0,
                                custom_attrs={"aria-label": "Type"},
                            ),
                            spacing="1",
                        ),
                        spacing="4",
                        width="100%",
                    ),
                    rx.vstack(
                        rx.el.label(
                            "Name",
                            html_for="conn-name",
                            style={"font_size": "var(--font-size-2)", "font_weight": "500"},
                        ),
                        rx.input(
                            id="conn-name",
                            name="name",
                            value=S.edit_name,
                            on_change=S.set_edit_name,
                            placeholder="Team Slack",
                            width="100%",
                        ),
                        _field_error("name"),
                        spacing="1",
                        width="100%",
                    ),
                    _platform_fields(),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button("Save connection", type="submit", data_testid="save-connection"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=S.save,
                reset_on_submit=False,
                no_validate=True,
                key=S.editing_id.to(str) + S.platform + S.connection_type,
            ),
            max_width="520px",
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )


def _row(row: ConnectionRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["name"], weight="medium")),
        rx.table.cell(rx.badge(row["platform"], variant="outline")),
        rx.table.cell(rx.code(row["secret_hint"])),
        rx.table.cell(
            rx.tooltip(
                rx.badge(
                    row["status"],
                    color_scheme=rx.match(row["status"], *list(_STATUS_COLORS.items()), "gray"),
                    data_testid="connection-status",
                ),
                content=rx.cond(
                    row["verify_error"] != "", row["verify_error"], "checked " + row["verified_at"]
                ),
            )
        ),
        rx.table.cell(row["usage_count"]),
        rx.table.cell(row["last_used_at"]),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    rx.icon("plug-zap", size=14),
                    "Verify",
                    size="1",
                    variant="soft",
                    loading=S.verifying_id == row["id"],
                    on_click=S.verify(row["id"]),
                    data_testid="verify-connection",
                ),
                rx.button(
                    "Edit",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.open_edit(row["id"]),
                ),
                rx.button(
                    "Delete",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.ask_delete(row["id"], row["name"]),
                ),
                spacing="2",
            )
        ),
        data_testid="connection-row",
        align="center",
    )


@page(route="/admin/connections", title="Connections · Flowdeck", on_load=S.load)
def connections_page() -> rx.Component:
    return admin_page(
        "Connections",
        rx.vstack(
            toolbar(
                "Credentials for the platforms your workflows and alerts talk to.",
                rx.button(
                    rx.icon("plus", size=16),
                    "New connection",
                    on_click=S.open_new,
                    data_testid="new-connection",
                ),
            ),
            data_table(
                ["Name", "Platform", "Secret", "Status", "Uses", "Last used", ""],
                S.rows,
                _row,
                loaded=S.loaded,
                empty=(
                    "plug",
                    "No connections yet",
                    "Add Slack, Telegram, SMTP, GitHub, n8n, Zapier or any HTTP API; "
                    "then press Verify to check it really works.",
                ),
            ),
            _dialog(),
            delete_dialog(
                S, "Workflow steps and alerts that use it will fail until you pick another."
            ),
            spacing="4",
            width="100%",
        ),
    )
