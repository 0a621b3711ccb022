"""Where a detail page sits: `Workflows / Weather digest / Edit`, each step but the last a link."""

from __future__ import annotations

import reflex as rx

Crumb = tuple[str | rx.Var, str | rx.Var | None]  # (label, href); the last one is the page


def breadcrumbs(*crumbs: Crumb) -> rx.Component:
    """A `nav` with an ordered list; the current page is marked `aria-current="page"`."""
    items: list[rx.Component] = []
    for index, (label, href) in enumerate(crumbs):
        last = index == len(crumbs) - 1
        if index:
            items.append(
                rx.el.li(
                    rx.icon("chevron-right", size=14, color=rx.color("gray", 9)),
                    aria_hidden="true",
                    style={"display": "flex", "align_items": "center"},
                )
            )
        if last or href is None:
            step = rx.text(
                label,
                size="2",
                weight="medium" if last else "regular",
                color=rx.color("gray", 12 if last else 11),
                aria_current="page" if last else None,
                style={"overflow_wrap": "anywhere"},
            )
        else:
            step = rx.link(label, href=href, size="2", style={"overflow_wrap": "anywhere"})
        items.append(rx.el.li(step, style={"display": "flex", "align_items": "center"}))
    return rx.el.nav(
        rx.el.ol(
            *items,
            style={
                "display": "flex",
                "flex_wrap": "wrap",
                "gap": "0.35rem",
                "align_items": "center",
                "list_style": "none",
                "margin": "0",
                "padding": "0",
            },
        ),
        aria_label="Breadcrumb",
        data_testid="breadcrumbs",
        margin_bottom="0.25rem",
    )
