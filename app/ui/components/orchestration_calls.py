"""The call editor of the orchestration form: one card per call, its problems next to each field.

Problems come per card from `OrchestrationDetailState.call_errors` (field → message, "" for
the card's problems of no field), with the paths the service uses (`calls[1].headers`).
"""

from __future__ import annotations

import reflex as rx

from app.ui.states.orchestrations_detail import OrchestrationDetailState as S
from app.ui.states.orchestrations_form import METHODS

MONO = "var(--code-font-family)"


def label(text: str) -> rx.Component:
    return rx.el.label(text, style={"font_size": "var(--font-size-2)", "font_weight": "500"})


def error(message: rx.Var, testid: str) -> rx.Component:
    return rx.cond(
        message != "",
        rx.text(
            message, color=rx.color("red", 11), size="1", white_space="pre-wrap", data_testid=testid
        ),
    )


def _field_error(index: rx.Var, key: str) -> rx.Component:
    return error(S.call_errors[index].get(key, ""), f"call-error-{key}")


def _input(
    index: rx.Var, call: rx.Var, key: str, title: str, placeholder: str = "", mono: bool = False
) -> rx.Component:
    return rx.vstack(
        label(title),
        rx.input(
            value=call[key],
            placeholder=placeholder,
            width="100%",
            font_family=MONO if mono else None,
            on_change=lambda v: S.set_call_field(index, key, v),
            aria_label=title,
            data_testid=f"call-{key}",
        ),
        _field_error(index, key),
        spacing="1",
        width="100%",
        min_width="0",
    )


def _json_area(
    index: rx.Var, call: rx.Var, key: str, title: str, placeholder: str = ""
) -> rx.Component:
    return rx.vstack(
        label(title),
        rx.text_area(
            value=call[key],
            placeholder=placeholder,
            font_family=MONO,
            rows="4",
            width="100%",
            on_change=lambda v: S.set_call_field(index, key, v),
            data_testid=f"call-{key}",
        ),
        _field_error(index, key),
        spacing="1",
        width="100%",
        min_width="0",
    )


def _header(index: rx.Var, call: rx.Var) -> rx.Component:
    def icon(name: str, click, text: str, **props) -> rx.Component:
        return rx.icon_button(
            rx.icon(name, size=14),
            size="1",
            variant="ghost",
            type="button",
            on_click=click,
            aria_label=text,
            title=text,
            **props,
        )

    return rx.hstack(
        rx.badge(index + 1, variant="solid", radius="full"),
        rx.code(call["id"], size="2", variant="ghost"),
        rx.text(call["name"], size="2", color=rx.color("gray", 11), trim="both"),
        rx.spacer(),
        icon("arrow-up", S.move_call(index, -1), "Move up", disabled=index == 0),
        icon("arrow-down", S.move_call(index, 1), "Move down"),
        icon("trash-2", S.remove_call(index), "Remove call", color_scheme="red"),
        width="100%",
        align="center",
    )


def _request(index: rx.Var, call: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.grid(
            _input(index, call, "id", "Call id (calls.<id>)", "login", mono=True),
            _input(index, call, "name", "Name", "Sign in"),
            rx.vstack(
                label("Connection (auth)"),
                rx.select.root(
                    rx.select.trigger(
                        width="100%", aria_label="Connection (auth)", data_testid="call-connection"
                    ),
                    rx.select.content(
                        rx.foreach(
                            S.connection_choices,
                            lambda o: rx.select.item(o["label"], value=o["value"]),
                        )
                    ),
                    value=call["connection"],
                    on_change=lambda v: S.set_call_field(index, "connection", v),
                ),
                _field_error(index, "connection"),
                spacing="1",
                width="100%",
                min_width="0",
            ),
            columns=rx.breakpoints(initial="1", sm="3"),
            spacing="3",
            width="100%",
        ),
        rx.grid(
            rx.vstack(
                label("Method"),
                rx.box(
                    rx.select(
                        METHODS,
                        value=call["method"],
                        on_change=lambda v: S.set_call_field(index, "method", v),
                        custom_attrs={"aria-label": "Method"},
                    ),
                    data_testid="call-method",
                ),
                _field_error(index, "method"),
                spacing="1",
            ),
            _input(
                index,
                call,
                "url",
                "URL (absolute, or a path on the connection)",
                "https://api.example.com/items/{{ inputs.id }}",
                mono=True,
            ),
            columns="110px 1fr",
            spacing="3",
            width="100%",
        ),
        rx.grid(
            _json_area(
                index, call, "headers", "Headers (JSON object)", '{"Accept": "application/json"}'
            ),
            _json_area(index, call, "query", "Query (JSON object)", '{"page": 1}'),
            _json_area(
                index, call, "body", "Body (JSON, empty: none)", '{"name": "{{ inputs.name }}"}'
            ),
            columns=rx.breakpoints(initial="1", md="3"),
            spacing="3",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _dependencies(index: rx.Var, call: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            label("Runs after"),
            rx.text(S.depends_hint, size="1", color=rx.color("gray", 11)),
            align="baseline",
            spacing="2",
        ),
        rx.flex(
            rx.foreach(
                S.call_ids,
                lambda other, position: rx.cond(
                    (other != call["id"]) & (~S.listed_order | (position < index)),
                    rx.checkbox(
                        other,
                        checked=call["depends_on"].contains(other),
                        on_change=lambda v: S.toggle_dependency(index, other, v),
                        size="2",
                        data_testid="call-depends",
                    ),
                ),
            ),
            gap="0.5rem 1rem",
            wrap="wrap",
        ),
        _field_error(index, "depends_on"),
        spacing="1",
        width="100%",
    )


def _behaviour(index: rx.Var, call: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.grid(
            _input(
                index,
                call,
                "condition",
                "Run only if (condition)",
                "inputs.notify and calls.login.token",
                mono=True,
            ),
            _json_area(
                index,
                call,
                "extract",
                "Extract (name → path in the JSON answer)",
                '{"token": "data.access_token"}',
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        rx.grid(
            _input(index, call, "expected_status", "Expected status", "200, 201 (empty: any 2xx)"),
            _input(index, call, "timeout_s", "Timeout (s)", "30"),
            rx.vstack(
                label("On error"),
                rx.hstack(
                    rx.switch(
                        checked=call["continue_on_error"],
                        on_change=lambda v: S.set_call_field(index, "continue_on_error", v),
                        aria_label="On error: continue",
                        data_testid="call-continue",
                    ),
                    rx.text("continue", size="2"),
                    align="center",
                    height="32px",
                ),
                spacing="1",
            ),
            columns=rx.breakpoints(initial="2", md="3"),
            spacing="3",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _call_card(call: rx.Var, index: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            _header(index, call),
            _request(index, call),
            _dependencies(index, call),
            _behaviour(index, call),
            _field_error(index, ""),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid="call-card",
    )


def calls_section() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Calls", size="3"),
            rx.text(
                "Templates see inputs, calls.<id>.<name>, calls.<id>.response, prev, env, now",
                size="1",
                color=rx.color("gray", 11),
            ),
            rx.spacer(),
            rx.button(
                rx.icon("plus", size=14),
                "Add call",
                size="1",
                variant="soft",
                type="button",
                on_click=S.add_call,
                data_testid="add-call",
            ),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.foreach(S.calls, _call_card),
        error(S.errors.get("calls", ""), "error-calls"),
        rx.button(
            rx.icon("plus", size=14),
            "Add call",
            variant="soft",
            type="button",
            on_click=S.add_call,
            width="100%",
        ),
        spacing="3",
        width="100%",
    )
