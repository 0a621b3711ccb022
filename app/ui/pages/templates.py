"""/admin/templates: the gallery of built-in and saved workflow templates."""

from __future__ import annotations

import reflex as rx

from app.ui.components.flow_canvas import flow_canvas
from app.ui.components.layout import admin_page, empty_state
from app.ui.components.template_use import use_dialog
from app.ui.pages.registry import page
from app.ui.states.template_views import TemplateCard
from app.ui.states.templates import TemplatesState as S


def _filters() -> rx.Component:
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            placeholder="Search templates",
            value=S.search,
            on_change=S.set_search,
            debounce_timeout=250,
            width=["100%", "260px"],
            custom_attrs={"data-page-search": ""},  # `/` focuses it
            data_testid="template-search",
        ),
        rx.box(
            rx.select(
                S.categories,
                value=S.category,
                on_change=S.set_category,
                custom_attrs={"aria-label": "Category"},
            ),
            data_testid="template-category",
        ),
        rx.spacer(),
        rx.button(
            rx.icon("upload", size=16),
            "Import",
            variant="soft",
            on_click=S.open_import,
            data_testid="import-template",
        ),
        gap="0.75rem",
        align="center",
        wrap="wrap",
        width="100%",
    )


def _card(card: TemplateCard) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.center(
                    rx.icon(card["icon"], size=18),
                    width="34px",
                    height="34px",
                    border_radius="var(--radius-3)",
                    background=rx.color("accent", 3),
                    color=rx.color("accent", 11),
                    flex_shrink="0",
                ),
                rx.vstack(
                    rx.text(card["name"], weight="bold", size="3", data_testid="template-name"),
                    rx.hstack(
                        rx.badge(card["category"], variant="soft", size="1"),
                        rx.badge(
                            card["origin"],
                            variant="outline",
                            color_scheme=rx.cond(card["builtin"], "gray", "violet"),
                            size="1",
                        ),
                        spacing="1",
                    ),
                    spacing="1",
                    min_width="0",
                ),
                spacing="3",
                align="start",
                width="100%",
            ),
            rx.text(
                card["description"],
                size="2",
                color=rx.color("gray", 11),
                style={
                    "display": "-webkit-box",
                    "WebkitLineClamp": "3",
                    "WebkitBoxOrient": "vertical",
                    "overflow": "hidden",
                },
            ),
            rx.flex(
                rx.foreach(
                    card["chips"],
                    lambda chip: rx.code(chip, size="1", variant="soft", color_scheme="gray"),
                ),
                gap="0.3rem",
                wrap="wrap",
            ),
            rx.spacer(),
            rx.text(card["facts"], size="1", color=rx.color("gray", 11)),
            rx.hstack(
                rx.button(
                    rx.icon("zap", size=14),
                    "Use template",
                    size="2",
                    on_click=S.open_use(card["id"]),
                    data_testid="use-template",
                ),
                rx.button(
                    rx.icon("eye", size=14),
                    "Preview",
                    size="2",
                    variant="soft",
                    on_click=S.open_preview(card["id"]),
                    data_testid="preview-template",
                ),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("download", size=14),
                    size="2",
                    variant="ghost",
                    title="Export JSON",
                    aria_label="Export JSON",
                    on_click=S.export_template(card["id"]),
                    data_testid="export-template",
                ),
                width="100%",
                align="center",
            ),
            spacing="3",
            height="100%",
        ),
        data_testid="template-card",
        data_template=card["id"],
    )


def _grid() -> rx.Component:
    return rx.cond(
        S.cards.length() > 0,
        rx.grid(
            rx.foreach(S.cards, _card),
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            gap="1rem",
            width="100%",
        ),
        rx.cond(
            S.loaded,
            empty_state(
                "layout-template",
                "No template matches",
                "Try another word or category, or import a template file.",
            ),
        ),
    )


def _preview_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(S.open_name),
            rx.dialog.description(S.open_description, size="2", color=rx.color("gray", 11)),
            rx.box(
                flow_canvas(
                    nodes=S.preview_nodes,
                    edges=S.preview_edges,
                    selected="",
                    fit_token=S.preview_fit,
                    read_only=True,
                    color_mode=rx.color_mode_cond("light", "dark"),
                ),
                height=["320px", "420px"],
                width="100%",
                margin_y="1rem",
                border=f"1px solid {rx.color('gray', 6)}",
                border_radius="var(--radius-3)",
                overflow="hidden",
                data_testid="template-preview-canvas",
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                rx.button(
                    rx.icon("zap", size=14),
                    "Use template",
                    on_click=S.open_use(S.open_id),
                    data_testid="preview-use",
                ),
                justify="end",
                spacing="3",
            ),
            max_width="900px",
        ),
        open=S.preview_open,
        on_open_change=S.close_preview,
    )


def _import_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Import a template"),
            rx.dialog.description(
                "Paste a template file (an export from this or another Flowdeck). "
                "Connections are referenced by name.",
                size="2",
            ),
            rx.text_area(
                value=S.import_text,
                on_change=S.set_import_text,
                placeholder='{"flowdeck_template": 1, "id": "…", …}',
                rows="12",
                width="100%",
                margin_y="0.75rem",
                style={"fontFamily": "var(--code-font-family)"},
                data_testid="template-import-text",
            ),
            rx.cond(
                S.import_problems.length() > 0,
                rx.callout.root(
                    rx.callout.icon(rx.icon("triangle-alert", size=16)),
                    rx.vstack(
                        rx.text(
                            "Nothing was imported. Fix these problems and try again:",
                            weight="medium",
                        ),
                        rx.el.ul(
                            rx.foreach(
                                S.import_problems,
                                lambda p: rx.el.li(p, data_testid="template-import-problem"),
                            ),
                            style={"paddingLeft": "1.1rem", "margin": "0"},
                        ),
                        spacing="1",
                    ),
                    color_scheme="red",
                    size="1",
                    width="100%",
                    max_height="220px",
                    overflow_y="auto",
                    data_testid="template-import-problems",
                ),
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button(
                    "Import",
                    on_click=S.import_template,
                    disabled=S.import_text == "",
                    data_testid="template-import-confirm",
                ),
                justify="end",
                spacing="3",
                margin_top="0.75rem",
            ),
        ),
        open=S.import_open,
        on_open_change=S.close_import,
    )


@page(route="/admin/templates", title="Templates · Flowdeck", on_load=S.load)
def templates_page() -> rx.Component:
    return admin_page(
        "Templates",
        rx.vstack(
            rx.text(
                "Ready-made workflows: pick one, fill in a few fields, and it runs.",
                color=rx.color("gray", 11),
                size="2",
            ),
            _filters(),
            _grid(),
            _preview_dialog(),
            use_dialog(),
            _import_dialog(),
            spacing="4",
            width="100%",
        ),
    )
