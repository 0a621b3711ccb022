"""Template help on the workflow form and the designer's panel: the variable picker beside each
template field, "Test step" with its result on the step card, and the sample payload box."""

from __future__ import annotations

import reflex as rx

from app.ui.components.editor_fields import error, field_label
from app.ui.states.template_help import TemplateHelpState as T
from app.ui.states.template_help import field_id

_MONO = {"font_family": "monospace", "font_size": "12px"}


def _row(index: rx.Var, key: str, row: rx.Var) -> rx.Component:
    return rx.popover.close(
        rx.button(
            rx.text(row["label"], style=_MONO, weight="medium", flex_shrink="0"),
            rx.text(
                row["preview"],
                size="1",
                color=rx.color("gray", 11),
                truncate=True,
                white_space="nowrap",
                min_width="0",
            ),
            variant="ghost",
            size="1",
            type="button",
            justify="start",
            width="100%",
            padding_left=f"calc({row['depth'].to(int)} * 14px + 6px)",
            title=row["path"],
            on_click=T.insert_path(index, key, row["path"]),
            data_testid="picker-row",
            data_path=row["path"],
        )
    )


def picker(index: rx.Var, key: str) -> rx.Component:
    """A small button opening the paths this step can read; a click inserts `{{ path }}`."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.icon_button(
                rx.icon("braces", size=12),
                size="1",
                variant="ghost",
                type="button",
                aria_label="Insert a variable",
                title="Insert a variable",
                data_testid=f"picker-{key}",
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.text("Insert a variable", size="2", weight="medium"),
                rx.text("From " + T.picker_source, size="1", color=rx.color("gray", 11)),
                rx.input(
                    value=T.picker_query,
                    placeholder="Filter paths",
                    size="1",
                    width="100%",
                    on_change=T.set_picker_query,
                    data_testid="picker-filter",
                ),
                error(T.picker_error, "picker-error"),
                rx.scroll_area(
                    rx.vstack(
                        rx.foreach(T.picker_shown, lambda row: _row(index, key, row)),
                        spacing="0",
                        width="100%",
                    ),
                    type="auto",
                    scrollbars="vertical",
                    max_height="280px",
                ),
                spacing="2",
                width="100%",
            ),
            width="340px",
            max_width="90vw",
            data_testid="picker",
        ),
        on_open_change=lambda is_open: T.open_picker(index, is_open),
    )


def labelled(index: rx.Var, key: str, label: str) -> rx.Component:
    """A field's label with the variable picker at its end."""
    return rx.hstack(
        field_label(label, field_id(index, key)),
        rx.spacer(),
        picker(index, key),
        width="100%",
        align="center",
    )


def test_button(index: rx.Var) -> rx.Component:
    return rx.button(
        rx.icon("flask-conical", size=14),
        "Test step",
        size="1",
        variant="soft",
        type="button",
        loading=T.trial_busy & (T.trial_index == index),
        on_click=T.test_step(index, False),
        data_testid="test-step",
    )


def _block(title: str, text: rx.Var, testid: str) -> rx.Component:
    return rx.cond(
        text != "",
        rx.vstack(
            rx.text(title, size="1", weight="medium", color=rx.color("gray", 11)),
            rx.code_block(text, language="json", width="100%", data_testid=testid),
            spacing="1",
            width="100%",
        ),
    )


def _confirm(index: rx.Var) -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("triangle-alert")),
        rx.vstack(
            rx.callout.text(T.trial_confirm),
            rx.hstack(
                rx.button(
                    "Run it for real",
                    size="1",
                    color_scheme="amber",
                    type="button",
                    on_click=T.test_step(index, True),
                    data_testid="test-step-confirm",
                ),
                rx.button(
                    "Cancel", size="1", variant="soft", type="button", on_click=T.close_trial
                ),
                spacing="2",
            ),
            spacing="2",
        ),
        color_scheme="amber",
        size="1",
        width="100%",
        data_testid="test-step-question",
    )


def trial_result(index: rx.Var) -> rx.Component:
    """The card's trial: the question before a side effect, or the rendered config and output."""
    trial = T.trial
    return rx.cond(
        T.trial_index == index,
        rx.cond(
            T.trial_confirm != "",
            _confirm(index),
            rx.cond(
                trial["status"] != "",
                rx.vstack(
                    rx.hstack(
                        rx.text("Test", size="2", weight="medium"),
                        rx.badge(
                            trial["status"],
                            color_scheme=rx.match(
                                trial["status"], ("succeeded", "green"), ("failed", "red"), "gray"
                            ),
                            data_testid="test-step-status",
                        ),
                        rx.text(trial["source"], size="1", color=rx.color("gray", 11)),
                        rx.spacer(),
                        rx.icon_button(
                            rx.icon("x", size=12),
                            size="1",
                            variant="ghost",
                            type="button",
                            aria_label="Close the test result",
                            on_click=T.close_trial,
                        ),
                        width="100%",
                        align="center",
                    ),
                    rx.cond(
                        trial["error"] != "",
                        rx.callout(
                            trial["error"],
                            icon="circle-x",
                            color_scheme="red",
                            size="1",
                            width="100%",
                            data_testid="test-step-error",
                        ),
                    ),
                    _block("Rendered config", trial["rendered"], "test-step-rendered"),
                    _block("Output", trial["output"], "test-step-output"),
                    spacing="2",
                    width="100%",
                    padding="8px",
                    border=f"1px solid {rx.color('gray', 6)}",
                    border_radius="var(--radius-2)",
                    data_testid="test-step-result",
                ),
            ),
        ),
    )


def sample_section() -> rx.Component:
    """The pinned sample payload of a saved workflow (steps are tested with it)."""
    return rx.cond(
        T.workflow_id > 0,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading("Sample payload", size="3"),
                    rx.cond(T.sample_pinned, rx.badge("pinned", color_scheme="green")),
                    width="100%",
                    align="center",
                ),
                rx.text(
                    "What steps see as trigger when you test them, and what the variable picker"
                    " lists (a JSON object, at most 64 KiB). Empty: the last run's payload.",
                    size="1",
                    color=rx.color("gray", 11),
                ),
                rx.text_area(
                    value=T.sample_text,
                    placeholder='{\n  "city": "Oslo"\n}',
                    rows="6",
                    font_family="monospace",
                    width="100%",
                    on_change=T.set_sample_text,
                    aria_label="Sample payload (JSON)",
                    data_testid="sample-payload",
                ),
                error(T.sample_error, "error-sample-payload"),
                rx.hstack(
                    rx.button(
                        rx.icon("pin", size=14),
                        "Pin",
                        size="1",
                        type="button",
                        on_click=T.pin_sample,
                        data_testid="sample-pin",
                    ),
                    rx.button(
                        rx.icon("history", size=14),
                        "Use the last run's payload",
                        size="1",
                        variant="soft",
                        type="button",
                        on_click=T.use_last_run,
                        data_testid="sample-last-run",
                    ),
                    rx.button(
                        "Clear",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        type="button",
                        disabled=~T.sample_pinned,
                        on_click=T.clear_sample,
                        data_testid="sample-clear",
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
            on_mount=T.load_sample,
            data_testid="sample-section",
        ),
    )
