"""/admin/versions: pick a workflow or an article, read its timeline, compare two, restore one."""

from __future__ import annotations

import reflex as rx

from app.ui.components.change_report import change_report
from app.ui.components.diff_view import change_words, field_changes, inline_diff, side_by_side
from app.ui.components.layout import admin_page, empty_state
from app.ui.components.version_canvas import version_canvas
from app.ui.pages.registry import page
from app.ui.states.change_report import ChangeReportState
from app.ui.states.session import SessionState
from app.ui.states.versions import ItemOption, VersionRow
from app.ui.states.versions import VersionsState as S

TYPE_COLORS = [
    ("created", "green"),
    ("edited", "blue"),
    ("published", "violet"),
    ("reverted", "amber"),
    ("rolled back", "amber"),
]


def _muted(text: rx.Var | str, size: str = "2") -> rx.Component:
    return rx.text(text, size=size, color=rx.color("gray", 11))


def _toolbar() -> rx.Component:
    return rx.flex(
        rx.segmented_control.root(
            rx.segmented_control.item("Workflows", value="workflows"),
            rx.segmented_control.item("Articles", value="articles"),
            value=S.kind,
            on_change=S.set_kind,
            data_testid="versions-kind",
        ),
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            placeholder=rx.cond(S.kind == "articles", "Search articles", "Search workflows"),
            value=S.search,
            on_change=S.set_search,
            debounce_timeout=300,
            width=["100%", "260px"],
            custom_attrs={"data-page-search": ""},  # `/` focuses it
            data_testid="versions-search",
        ),
        gap="0.75rem",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _item(item: ItemOption) -> rx.Component:
    chosen = S.item_id == item["id"]
    return rx.box(
        rx.text(item["label"], size="2", weight="medium", trim="both"),
        rx.text(item["detail"], size="1", color=rx.color("gray", 11)),
        on_click=S.pick_item(item["id"]),
        cursor="pointer",
        padding="0.5rem 0.75rem",
        border_radius="var(--radius-2)",
        background=rx.cond(chosen, rx.color("accent", 4), "transparent"),
        border_left=rx.cond(chosen, f"3px solid {rx.color('accent', 9)}", "3px solid transparent"),
        _hover={"background": rx.color("accent", 3)},
        width="100%",
        data_testid="version-item",
    )


def _item_list() -> rx.Component:
    return rx.card(
        rx.cond(
            S.items.length() > 0,
            rx.vstack(
                rx.foreach(S.items, _item),
                rx.cond(S.list_note != "", _muted(S.list_note, "1")),
                spacing="1",
                width="100%",
            ),
            _muted("Nothing matches the search."),
        ),
        width="100%",
        max_height=["240px", "240px", "calc(100vh - 180px)"],
        overflow_y="auto",
        position=["static", "static", "sticky"],
        top="1rem",
    )


def _entry(row: VersionRow) -> rx.Component:
    kind_badge = rx.badge(
        row["change_type"],
        color_scheme=rx.match(row["change_type"], *TYPE_COLORS, "gray"),
        variant="soft",
    )
    pick = rx.checkbox(
        "Compare",
        checked=S.picked.contains(row["number"]),
        on_change=lambda _v: S.toggle_pick(row["number"]),
        size="1",
        data_testid="compare-pick",
    )
    restore = rx.cond(
        row["current"],
        rx.badge("current", color_scheme="green", variant="surface"),
        rx.button(
            rx.icon("rotate-ccw", size=12),
            S.restore_verb,
            size="1",
            variant="soft",
            on_click=S.ask_restore(row["number"]),
            data_testid="restore-version",
        ),
    )
    return rx.box(
        rx.flex(
            rx.badge("v", row["number"], variant="solid", size="2", data_testid="version-number"),
            kind_badge,
            rx.cond(row["commit"] != "", rx.code(row["commit"], size="1", variant="ghost")),
            rx.spacer(),
            pick,
            restore,
            gap="0.5rem",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            row["summary"] != "",
            rx.text(row["summary"], size="2", margin_top="0.35rem", data_testid="version-summary"),
        ),
        rx.cond(
            row["description"] != "",
            rx.text(row["description"], size="2", color=rx.color("gray", 11), margin_top="0.2rem"),
        ),
        rx.cond(
            row["restored"] != "",
            rx.flex(
                rx.icon("history", size=14, color=rx.color("amber", 10)),
                rx.text(row["restored"], size="2", color=rx.color("amber", 11)),
                gap="0.4rem",
                align="center",
                margin_top="0.2rem",
                data_testid="version-restored",
            ),
        ),
        rx.text(row["who"], " · ", row["when"], size="1", color=rx.color("gray", 11)),
        padding="0.6rem 0.75rem",
        border_left=f"2px solid {rx.color('accent', 6)}",
        width="100%",
        data_testid="version-entry",
    )


def _timeline() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(S.item_label, size="4", data_testid="versions-title"),
            rx.badge("current v", S.current, variant="outline"),
            rx.spacer(),
            rx.cond(
                S.kind == "workflows",
                rx.link("Open workflow", href="/admin/workflows/" + S.item_id.to(str), size="2"),
            ),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        rx.cond(
            S.chain_note != "",
            rx.callout(
                "History was altered outside Flowdeck: " + S.chain_note,
                icon="shield-alert",
                color_scheme="red",
                width="100%",
            ),
        ),
        rx.box(
            rx.vstack(rx.foreach(S.versions, _entry), spacing="2", width="100%"),
            max_height=["none", "none", "460px"],
            overflow_y="auto",
            width="100%",
            data_testid="version-timeline",
        ),
        rx.cond(S.history_note != "", _muted(S.history_note, "1")),
        spacing="3",
        width="100%",
    )


def _body_diff() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("Body", weight="bold", size="2"),
            rx.spacer(),
            rx.segmented_control.root(
                rx.segmented_control.item("Inline", value="inline"),
                rx.segmented_control.item("Side by side", value="side"),
                value=S.body_mode,
                on_change=S.set_body_mode,
                size="1",
            ),
            width="100%",
            align="center",
        ),
        rx.cond(S.body_mode == "side", side_by_side(S.body_rows), inline_diff(S.body_lines)),
        width="100%",
    )


def _diff() -> rx.Component:
    nothing = (S.words.length() == 0) & (S.fields.length() == 0) & (S.body_lines.length() == 0)
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("git-compare", size=16),
                rx.heading("Changes ", S.compared, size="3", data_testid="diff-title"),
                align="center",
            ),
            rx.cond(
                nothing,
                rx.text("These two versions hold the same content.", size="2"),
                rx.fragment(
                    rx.cond(S.words.length() > 0, change_words(S.words)),
                    rx.cond(
                        (S.kind == "workflows") & (S.graph_nodes.length() > 0), version_canvas()
                    ),
                    rx.cond(S.fields.length() > 0, field_changes(S.fields)),
                    rx.cond(S.body_lines.length() > 0, _body_diff()),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid="diff-view",
    )


def _restore_dialog() -> rx.Component:
    workflows = S.kind == "workflows"
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(S.restore_verb, " ", S.item_label, " to version ", S.restore_number),
            rx.dialog.description(
                "This writes a new version with the content of version ",
                S.restore_number,
                ". Nothing is deleted; you can undo it the same way.",
                size="2",
                margin_bottom="0.75rem",
            ),
            rx.cond(
                S.restore_note != "",
                rx.callout(
                    S.restore_note,
                    icon="info",
                    size="1",
                    margin_bottom="0.75rem",
                    data_testid="restore-status-note",
                ),
            ),
            rx.el.label(
                rx.cond(workflows, "Reason (required)", "Reason (optional)"),
                html_for="restore-reason",
                style={"font_size": "var(--font-size-2)", "font_weight": "500"},
            ),
            rx.text_area(
                id="restore-reason",
                value=S.reason,
                on_change=S.set_reason,
                placeholder="e.g. the new URL returns 500s",
                rows="3",
                width="100%",
                data_testid="restore-reason",
            ),
            rx.cond(
                S.reason_error != "",
                rx.text(
                    S.reason_error, color=rx.color("red", 11), size="1", data_testid="error-reason"
                ),
            ),
            rx.cond(
                S.restore_error != "",
                rx.callout(
                    S.restore_error,
                    icon="triangle-alert",
                    color_scheme="red",
                    size="1",
                    margin_top="0.5rem",
                ),
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button(
                    rx.icon("rotate-ccw", size=14),
                    S.restore_verb,
                    on_click=S.confirm_restore,
                    data_testid="confirm-restore",
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="480px",
        ),
        open=S.restore_number != 0,
        on_open_change=S.close_restore,
    )


def _detail() -> rx.Component:
    return rx.cond(
        S.item_id != 0,
        rx.vstack(
            _timeline(),
            rx.cond(S.compared != "", _diff(), _muted(S.compare_hint)),
            spacing="4",
            width="100%",
        ),
        empty_state(
            "git-branch",
            rx.cond(S.kind == "articles", "Pick an article", "Pick a workflow"),
            "Choose one from the list to see who changed what and when, compare two versions "
            "and restore an older one.",
        ),
    )


def _nothing_yet() -> rx.Component:
    return rx.cond(
        S.kind == "articles",
        empty_state(
            "file-text",
            "No articles yet",
            "Articles arrive through the API (POST /api/workflow-orchestration/articles) or from "
            "workflows that write content. Every edit, publish and revert becomes a version.",
        ),
        empty_state(
            "workflow",
            "No workflows yet",
            "Create one in Workflows. Every save becomes a version to compare and roll back here.",
        ),
    )


def _content() -> rx.Component:
    return rx.cond(
        (S.items.length() == 0) & (S.search == "") & (S.item_id == 0),
        _nothing_yet(),
        rx.grid(
            _item_list(),
            _detail(),
            columns=rx.breakpoints(initial="1", md="260px minmax(0, 1fr)"),
            spacing="4",
            width="100%",
            align_items="start",
        ),
    )


@page(
    route="/admin/versions",
    title="Versions · Flowdeck",
    on_load=[SessionState.guard_admin_area, S.load, ChangeReportState.load],
)
def versions_page() -> rx.Component:
    return admin_page(
        "Versions",
        rx.vstack(
            rx.cond(S.kind == "workflows", change_report()),
            _toolbar(),
            rx.cond(
                S.problem != "",
                rx.callout(
                    S.problem,
                    icon="circle-x",
                    color_scheme="red",
                    width="100%",
                    data_testid="versions-problem",
                ),
            ),
            rx.cond(S.loaded, _content(), rx.skeleton(rx.box(height="320px", width="100%"))),
            _restore_dialog(),
            spacing="4",
            width="100%",
        ),
    )
