"""/admin/articles/{id}: an article and its measured metrics over time (the monitor's samples)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.breadcrumbs import breadcrumbs
from app.ui.components.layout import admin_page
from app.ui.components.metric_chart import metric_chart
from app.ui.components.tables import phone_cards
from app.ui.pages.registry import page
from app.ui.states.article_metrics import ArticleMetricsState as S


def _latest_row(item: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(item["name"])),
        rx.table.cell(item["value"]),
        rx.table.cell(item["at"]),
        rx.table.cell(item["count"]),
    )


def _latest() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *(
                    rx.table.column_header_cell(h)
                    for h in ("Value", "Latest", "At (UTC)", "Samples")
                )
            )
        ),
        rx.table.body(rx.foreach(S.latest, _latest_row)),
        size="1",
        width="100%",
        style=phone_cards(("Value", "Latest", "At (UTC)", "Samples")),
        data_testid="metric-latest",
    )


@page(route="/admin/articles/[article_id]", title=S.page_title, on_load=S.load)
def article_detail_page() -> rx.Component:
    return admin_page(
        "Article",
        rx.cond(
            S.error != "",
            rx.callout(S.error, icon="triangle-alert", color_scheme="red"),
            rx.vstack(
                breadcrumbs(("Articles", "/admin/articles"), (S.title, None)),
                rx.heading(S.title, size="5", data_testid="article-title"),
                rx.hstack(
                    rx.badge(S.status, variant="soft", radius="full"),
                    rx.text("/" + S.slug, size="2", color=rx.color("gray", 11)),
                    spacing="3",
                    align="center",
                ),
                rx.heading("Metrics over time", size="3", margin_top="1rem"),
                rx.cond(S.loaded, metric_chart(S.figure, S.has_data), rx.spinner()),
                rx.cond(S.has_data, _latest()),
                spacing="3",
                width="100%",
            ),
        ),
    )
