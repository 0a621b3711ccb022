"""/admin/articles: list, write in Markdown, move through draft → ready → published → archived."""

from __future__ import annotations

import reflex as rx

from app.ui.components.layout import admin_page
from app.ui.components.tables import confirm_dialog, data_table, delete_dialog
from app.ui.pages.registry import page
from app.ui.states.articles import ArticleRow
from app.ui.states.articles import ArticlesState as S

_STATUS_COLORS = [
    ("draft", "gray"),
    ("ready", "amber"),
    ("published", "green"),
    ("archived", "gray"),
]


def _status(status: rx.Var) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(status, *_STATUS_COLORS, "gray"),
        variant="soft",
        radius="full",
        data_testid="article-status",
    )


def _text_input(label: str, key: str, placeholder: str = "") -> rx.Component:
    message = S.errors.get(key, "")
    return rx.vstack(
        rx.el.label(
            label,
            html_for=f"article-{key}",
            style={"font_size": "var(--font-size-2)", "font_weight": "500"},
        ),
        rx.input(
            id=f"article-{key}",
            value=S.draft.get(key, ""),
            placeholder=placeholder,
            on_change=lambda v: S.set_draft(key, v),
            width="100%",
        ),
        rx.cond(
            message != "",
            rx.text(message, color=rx.color("red", 11), size="1", data_testid=f"error-{key}"),
        ),
        spacing="1",
        width="100%",
    )


def _editor() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.editing_id != 0, "Edit article", "New article")),
            rx.cond(
                S.errors.get("form", "") != "",
                rx.callout(
                    S.errors.get("form", ""), icon="triangle-alert", color_scheme="red", size="1"
                ),
            ),
            rx.vstack(
                _text_input("Title", "title", "How we automate publishing"),
                rx.grid(
                    _text_input("Slug (empty: from the title)", "slug"),
                    _text_input("Tags (comma-separated)", "tags", "automation, news"),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                _text_input(
                    "Meta description", "meta_description", "120–160 characters for search results"
                ),
                rx.tabs.root(
                    rx.tabs.list(
                        rx.tabs.trigger("Write", value="write"),
                        rx.tabs.trigger("Preview", value="preview"),
                    ),
                    rx.tabs.content(
                        rx.text_area(
                            value=S.draft.get("body", ""),
                            rows="14",
                            font_family="monospace",
                            width="100%",
                            on_change=lambda v: S.set_draft("body", v),
                            placeholder="# Heading\n\nWrite in Markdown…",
                            data_testid="article-body",
                        ),
                        value="write",
                        padding_top="0.5rem",
                    ),
                    rx.tabs.content(
                        rx.box(
                            rx.markdown(S.draft.get("body", "")),
                            padding="0.5rem",
                            max_height="320px",
                            overflow_y="auto",
                        ),
                        value="preview",
                    ),
                    default_value="write",
                    width="100%",
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button("Save article", on_click=S.save, data_testid="save-article"),
                    justify="end",
                    spacing="3",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="760px",
        ),
        open=S.editor_open,
        on_open_change=S.set_editor_open,
    )


def _row(row: ArticleRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.link(
                    rx.text(row["title"], weight="medium"),
                    href="/admin/articles/" + row["id"].to_string(),
                    data_testid="article-link",
                ),
                rx.text("/" + row["slug"], size="1", color=rx.color("gray", 11)),
                spacing="0",
            )
        ),
        rx.table.cell(_status(row["status"])),
        rx.table.cell("v", row["version"]),
        rx.table.cell(row["updated"]),
        rx.table.cell(
            rx.hstack(
                rx.button("Edit", size="1", variant="soft", on_click=S.open_edit(row["id"])),
                rx.dropdown_menu.root(
                    rx.dropdown_menu.trigger(
                        rx.button("Move to…", size="1", variant="soft", color_scheme="gray")
                    ),
                    rx.dropdown_menu.content(
                        rx.foreach(
                            row["moves"],
                            lambda status: rx.dropdown_menu.item(
                                status, on_click=S.move(row["id"], status)
                            ),
                        )
                    ),
                ),
                rx.icon_button(
                    rx.icon("trash-2", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    aria_label="Delete",
                    on_click=S.ask_delete(row["id"], row["title"]),
                ),
                spacing="2",
                align="center",
            )
        ),
        data_testid="article-row",
        align="center",
    )


@page(route="/admin/articles", title="Articles · Flowdeck", on_load=S.load)
def articles_page() -> rx.Component:
    return admin_page(
        "Articles",
        rx.vstack(
            rx.hstack(
                rx.input(
                    rx.input.slot(rx.icon("search", size=14)),
                    placeholder="Search titles",
                    value=S.search,
                    debounce_timeout=300,
                    on_change=lambda v: S.set_filter("search", v),
                    width="240px",
                    aria_label="Search titles",
                    custom_attrs={"data-page-search": ""},  # `/` focuses it
                ),
                rx.select(
                    ["any status", "draft", "ready", "published", "archived"],
                    value=S.status_filter,
                    on_change=lambda v: S.set_filter("status_filter", v),
                    custom_attrs={"aria-label": "Status"},
                ),
                rx.spacer(),
                rx.button(
                    rx.icon("plus", size=16),
                    "New article",
                    on_click=S.open_new,
                    data_testid="new-article",
                ),
                width="100%",
                align="center",
                wrap="wrap",
                spacing="3",
            ),
            data_table(
                ["Article", "Status", "Version", "Updated (UTC)", ""],
                S.rows,
                _row,
                loaded=S.loaded,
                empty=(
                    "file-text",
                    "No articles yet",
                    "Write one with “New article”. Moving it to ready can start a workflow "
                    "with a publish trigger.",
                ),
            ),
            _editor(),
            delete_dialog(S, "The article and its version history are removed."),
            confirm_dialog(
                rx.text("Archive ", S.archive_title, "?"),
                "It leaves the published site's lists; it can be moved back to draft later.",
                confirm="Archive",
                on_confirm=S.move(S.archive_id, "archived"),
                open=S.archive_id != 0,
                on_open_change=S.close_archive,
                testid="confirm-archive",
            ),
            spacing="4",
            width="100%",
        ),
    )
