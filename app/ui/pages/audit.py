"""/admin/audit: who did what to which object, when and from where (admins only)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.audit_reports import audit_reports_panel
from app.ui.components.layout import admin_page, empty_state
from app.ui.pages.registry import page
from app.ui.states.audit import ALL, EXPORT_CAP, TARGET_TYPES, AuditRow
from app.ui.states.audit import AuditState as S
from app.ui.states.audit_reports import AuditReportsState as R
from app.ui.states.session import SessionState

HEADERS = ["Time (UTC)", "Actor", "Action", "Target", "IP", "Details"]


def _text_filter(name: str, placeholder: str, value: rx.Var, width: str) -> rx.Component:
    return rx.input(
        placeholder=placeholder,
        value=value,
        on_change=lambda v: [S.set_filter(name, v), R.refresh],
        debounce_timeout=400,
        width=["100%", width],
        aria_label=placeholder,
        data_testid=f"audit-filter-{name}",
    )


def _date_range() -> rx.Component:
    def day(name: str, label: str, value: rx.Var) -> rx.Component:
        return rx.input(
            type="date",
            value=value,
            on_change=lambda v: [S.set_filter(name, v), R.refresh],
            aria_label=f"{label} (UTC day)",
            data_testid=f"audit-filter-{name}",
        )

    return rx.flex(
        rx.text("From", size="2", color=rx.color("gray", 11)),
        day("since", "From", S.since),
        rx.text("to", size="2", color=rx.color("gray", 11)),
        day("until", "To", S.until),
        gap="0.4rem",
        align="center",
        wrap="wrap",
    )


def _filters() -> rx.Component:
    return rx.flex(
        _text_filter("actor", "Actor (email or user id)", S.actor, "180px"),
        rx.select.root(
            rx.select.trigger(placeholder="Target type", aria_label="Target type"),
            rx.select.content(
                rx.select.item("All targets", value=ALL),
                *[rx.select.item(t, value=t) for t in TARGET_TYPES],
            ),
            value=S.target_type,
            on_change=lambda v: [S.set_filter("target_type", v), R.refresh],
            data_testid="audit-filter-target_type",
        ),
        _text_filter("target_id", "Target id", S.target_id, "90px"),
        _text_filter("action", "Action, e.g. workflow.*", S.action, "170px"),
        _date_range(),
        rx.cond(
            S.filtered,
            rx.button(
                rx.icon("x", size=14),
                "Clear",
                variant="ghost",
                size="2",
                on_click=[S.clear_filters, R.refresh],
                data_testid="audit-clear",
            ),
        ),
        gap="0.75rem",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _exports() -> rx.Component:
    def button(fmt: str) -> rx.Component:
        return rx.button(
            rx.icon("download", size=14),
            fmt.upper(),
            variant="soft",
            size="2",
            on_click=S.export(fmt),
            loading=S.exporting,
            data_testid=f"export-{fmt}",
        )

    return rx.flex(
        rx.text(
            f"Export the filtered events (up to {EXPORT_CAP:,}; more through the REST API):",
            size="1",
            color=rx.color("gray", 11),
        ),
        button("csv"),
        button("json"),
        gap="0.5rem",
        align="center",
        wrap="wrap",
    )


def _details(row: AuditRow) -> rx.Component:
    return rx.cond(
        row["details"] != "",
        rx.el.details(
            rx.el.summary(
                row["summary"],
                style={"cursor": "pointer", "font_size": "var(--font-size-1)"},
            ),
            rx.el.pre(
                row["details"],
                style={
                    "margin": "0.4rem 0 0",
                    "padding": "0.5rem",
                    "max_height": "260px",
                    "overflow": "auto",
                    "font_family": "var(--code-font-family)",
                    "font_size": "12px",
                    "background": rx.color("gray", 2),
                    "border": f"1px solid {rx.color('gray', 5)}",
                    "border_radius": "var(--radius-2)",
                },
            ),
            data_testid="audit-details",
        ),
        rx.text("—", size="1", color=rx.color("gray", 11)),
    )


def _action(row: AuditRow) -> rx.Component:
    return rx.badge(
        row["action"],
        color_scheme=rx.match(
            row["color"], ("red", "red"), ("green", "green"), ("amber", "amber"), "blue"
        ),
        variant="soft",
        data_testid="audit-action",
    )


def _row(row: AuditRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["at"], size="1", white_space="nowrap")),
        rx.table.cell(
            rx.tooltip(
                rx.text(row["actor"], size="2"),
                content=rx.cond(row["user_agent"] != "", row["user_agent"], row["actor_type"]),
            )
        ),
        rx.table.cell(_action(row)),
        rx.table.cell(rx.code(row["target"], size="1", variant="ghost")),
        rx.table.cell(rx.text(row["ip"], size="1")),
        rx.table.cell(_details(row), max_width="360px"),
        data_testid="audit-row",
        align="center",
    )


def _card(row: AuditRow) -> rx.Component:
    """One event on a phone: the same facts stacked instead of six columns."""
    muted = rx.color("gray", 11)
    return rx.vstack(
        rx.flex(_action(row), rx.spacer(), rx.text(row["at"], size="1", color=muted), width="100%"),
        rx.text(row["actor"], size="2", weight="medium"),
        rx.text(row["target"], " · ", row["ip"], size="1", color=muted),
        rx.cond(row["details"] != "", _details(row)),
        spacing="1",
        width="100%",
        padding="0.6rem 0.75rem",
        border_top=f"1px solid {rx.color('gray', 4)}",
        data_testid="audit-card",
    )


def _table() -> rx.Component:
    return rx.vstack(
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in HEADERS])),
                rx.table.body(rx.foreach(S.rows, _row)),
                variant="surface",
                size="1",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
            display=["none", "none", "block"],
        ),
        rx.box(
            rx.foreach(S.rows, _card),
            border=f"1px solid {rx.color('gray', 5)}",
            border_radius="var(--radius-3)",
            width="100%",
            display=["block", "block", "none"],
        ),
        rx.hstack(
            rx.text("Page ", S.page_number, size="2", color=rx.color("gray", 11)),
            rx.spacer(),
            rx.button(
                rx.icon("chevron-left", size=14),
                "Newer",
                size="1",
                variant="soft",
                on_click=S.newer,
                disabled=S.page_number == 1,
                data_testid="audit-newer",
            ),
            rx.button(
                "Older",
                rx.icon("chevron-right", size=14),
                size="1",
                variant="soft",
                on_click=S.older,
                disabled=S.next_cursor == 0,
                data_testid="audit-older",
            ),
            width="100%",
            align="center",
        ),
        width="100%",
    )


def _content() -> rx.Component:
    return rx.cond(
        S.rows.length() > 0,
        _table(),
        rx.cond(
            S.filtered,
            empty_state(
                "filter-x",
                "No events match",
                "Loosen a filter or clear them all. Dates are whole UTC days.",
            ),
            empty_state(
                "scroll-text",
                "No events yet",
                "Sign-ins and every change to workflows, articles, users and keys appear here.",
            ),
        ),
    )


@page(
    route="/admin/audit",
    title="Audit · Flowdeck",
    on_load=[SessionState.guard_admin_area, S.load, R.refresh],
)
def audit_page() -> rx.Component:
    return admin_page(
        "Audit",
        rx.cond(
            (S.problem != "") & SessionState.is_admin,
            rx.callout(
                S.problem,
                icon="shield-x",
                color_scheme="red",
                width="100%",
                data_testid="audit-problem",
            ),
        ),
        rx.cond(
            SessionState.is_admin | (S.rows.length() > 0),
            rx.vstack(
                rx.flex(_filters(), _exports(), direction="column", gap="0.75rem", width="100%"),
                audit_reports_panel(),
                rx.heading("Events", size="4", margin_top="0.5rem"),
                rx.cond(S.loaded, _content(), rx.skeleton(rx.box(height="320px", width="100%"))),
                spacing="4",
                width="100%",
            ),
            audit_reports_panel(),  # everyone else: their own activity
        ),
    )
