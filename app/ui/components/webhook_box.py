"""A webhook's address and a curl example that calls it, each with a Copy button."""

from __future__ import annotations

import reflex as rx


def _copy(value: rx.Var, what: str, testid: str) -> rx.Component:
    return rx.button(
        rx.icon("copy", size=14),
        "Copy",
        size="1",
        variant="soft",
        type="button",
        on_click=[rx.set_clipboard(value), rx.toast.success(f"{what} copied", duration=2000)],
        aria_label=f"Copy the {what.lower()}",
        data_testid=testid,
    )


def webhook_box(url: rx.Var, curl: rx.Var | None = None) -> rx.Component:
    """The URL (and, given, the curl lines) with Copy buttons."""
    parts = [
        rx.text("Webhook URL", size="2", weight="medium"),
        rx.flex(
            rx.code(
                url,
                data_testid="webhook-url",
                style={"word_break": "break-all", "min_width": "0"},
            ),
            _copy(url, "URL", "copy-webhook-url"),
            gap="0.5rem",
            align="center",
            wrap="wrap",
        ),
    ]
    if curl is not None:
        parts += [
            rx.hstack(
                rx.text("Try it", size="2", weight="medium"),
                _copy(curl, "Command", "copy-webhook-curl"),
                align="center",
                spacing="2",
            ),
            rx.box(
                rx.code_block(curl, language="bash", wrap_long_lines=True),
                width="100%",
                data_testid="webhook-curl",
            ),
        ]
    return rx.vstack(*parts, spacing="1", width="100%")
