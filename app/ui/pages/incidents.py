"""/admin/incidents: the incident list and "Open incident"; /admin/incidents/[id]: one
incident with its facts, the changes a person makes and the timeline."""

from __future__ import annotations

import reflex as rx

from app.core.incidents import SEVERITIES
from app.ui.components.layout import admin_page
from app.ui.components.tables import data_table
from app.ui.pages.registry import page
from app.ui.states.incident_detail import IncidentDetailState as D
from app.ui.states.incident_views import IncidentRow, TimelineRow
from app.ui.states.incidents import FILTERS
from app.ui.states.incidents import IncidentsState as S
from app.ui.states.session import SessionState

_SEVERITY_COLORS = [("low", "gray"), ("medium", "amber"), ("high", "orange"), ("critical", "red")]
_STATUS_COLORS = [("open", "red"), ("acknowledged", "amber"), ("resolved", "green")]


def _badge(value: rx.Var, colors: list[tuple[str, str]], testid: str) -> rx.Component:
    return rx.badge(
        value,
        color_scheme=rx.match(value, *colors, "gray"),
        variant="soft",
        radius="full",
        data_testid=testid,
    )


def severity_badge(value: rx.Var) -> rx.Component:
    return _badge(value, _SEVERITY_COLORS, "incident-severity")


def status_badge(value: rx.Var) -> rx.Component:
    return _badge(value, _STATUS_COLORS, "incident-status")


def _row(row: IncidentRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link("#", row["id"], href=row["href"])),
        rx.table.cell(rx.link(row["title"], href=row["href"], data_testid="incident-title")),
        rx.table.cell(severity_badge(row["severity"])),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(row["assignee"]),
        rx.table.cell(row["opened"], white_space="nowrap"),
        rx.table.cell(row["source"]),
        data_testid="incident-row",
    )


def _new_dialog() -> rx.Component:
    def error(key: str) -> rx.Component:
        return rx.cond(
            S.new_errors.contains(key),
            rx.text(S.new_errors[key], color=rx.color("red", 11), size="1"),
        )

    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(rx.icon("siren", size=14), "Open incident", data_testid="open-incident")
        ),
        rx.dialog.content(
            rx.dialog.title("Open an incident"),
            rx.vstack(
                rx.text("Title", size="2", weight="medium"),
                rx.input(
                    value=S.new_title,
                    on_change=S.set_new_title,
                    id="incident-title",
                    placeholder="Checkout answers 500",
                    width="100%",
                ),  # fmt: skip
                error("title"),
                rx.text("Severity", size="2", weight="medium"),
                rx.select(
                    list(SEVERITIES),
                    value=S.new_severity,
                    on_change=S.set_new_severity,
                    id="incident-severity",
                ),  # fmt: skip
                error("severity"),
                rx.text("Assignee (optional)", size="2", weight="medium"),
                rx.input(
                    value=S.new_assignee,
                    on_change=S.set_new_assignee,
                    id="incident-assignee",
                    width="100%",
                ),  # fmt: skip
                error("assignee"),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button(
                        "Open", on_click=S.create, loading=S.busy, data_testid="create-incident"
                    ),  # fmt: skip
                    justify="end",
                    width="100%",
                ),
                spacing="2",
                width="100%",
            ),
        ),
        open=S.creating,
        on_open_change=S.set_creating,
    )


@page(
    route="/admin/incidents",
    title="Incidents · Flowdeck",
    on_load=S.load,
)
def incidents_page() -> rx.Component:
    return admin_page(
        "Incidents",
        rx.vstack(
            rx.hstack(
                rx.select.root(
                    rx.select.trigger(min_width="200px", aria_label="Show"),
                    rx.select.content(*[rx.select.item(text, value=key) for key, text in FILTERS]),
                    value=S.status_filter,
                    on_change=S.set_status_filter,
                ),
                rx.text(S.total, " in all", size="2", color=rx.color("gray", 11)),
                rx.spacer(),
                _new_dialog(),
                width="100%",
                align="center",
                wrap="wrap",  # a phone puts the button on a line of its own
            ),
            data_table(
                ["#", "Title", "Severity", "Status", "Assignee", "Opened", "From"],
                S.rows,
                _row,
                loaded=S.loaded,
                empty=(
                    "siren",
                    "No incidents here",
                    "Workflows open them with the incident steps; or open one by hand.",
                ),
            ),  # fmt: skip
            spacing="4",
            width="100%",
        ),
    )


def _fact(label: str, value: rx.Component | rx.Var | str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 11)),
        value if isinstance(value, rx.Component) else rx.text(value, size="2"),
        spacing="1",
    )


def _entry(entry: TimelineRow) -> rx.Component:
    return rx.hstack(
        rx.box(
            width="8px",
            height="8px",
            border_radius="50%",
            background=rx.color("accent", 9),
            margin_top="6px",
            flex_shrink="0",
        ),  # fmt: skip
        rx.vstack(
            rx.text(entry["text"], size="2", white_space="pre-wrap", data_testid="timeline-text"),
            rx.text(
                entry["at"],
                " · ",
                entry["kind"],
                " · ",
                entry["by"],
                size="1",
                color=rx.color("gray", 11),
            ),  # fmt: skip
            spacing="0",
        ),
        align="start",
        spacing="3",
        data_testid="timeline-entry",
    )


def _actions() -> rx.Component:
    status = D.incident["status"]
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.cond(
                    status == "open",
                    rx.button(
                        "Acknowledge",
                        on_click=D.act("acknowledge"),
                        variant="soft",
                        disabled=D.busy,
                        data_testid="incident-acknowledge",
                    ),  # fmt: skip
                ),
                rx.cond(
                    status != "resolved",
                    rx.button(
                        rx.icon("arrow-up", size=14),
                        "Escalate",
                        color_scheme="orange",
                        variant="soft",
                        on_click=D.act("escalate"),
                        disabled=D.busy,
                        data_testid="incident-escalate",
                    ),  # fmt: skip
                ),
                rx.cond(
                    status == "resolved",
                    rx.button(
                        "Reopen",
                        on_click=D.act("reopen"),
                        variant="soft",
                        disabled=D.busy,
                        data_testid="incident-reopen",
                    ),  # fmt: skip
                    rx.button(
                        rx.icon("check", size=14),
                        "Resolve",
                        color_scheme="green",
                        on_click=D.act("resolve"),
                        disabled=D.busy,
                        data_testid="incident-resolve",
                    ),  # fmt: skip
                ),
                wrap="wrap",
                spacing="2",
            ),
            rx.hstack(
                rx.input(
                    value=D.assignee_text,
                    on_change=D.set_assignee_text,
                    placeholder="name or email",
                    id="incident-assign-to",
                ),  # fmt: skip
                rx.button(
                    "Assign",
                    variant="soft",
                    on_click=D.act("assign"),
                    disabled=D.busy,
                    data_testid="incident-assign",
                ),  # fmt: skip
                spacing="2",
                align="center",
            ),
            rx.text_area(
                value=D.note_text,
                on_change=D.set_note_text,
                id="incident-note",
                placeholder="A note for the timeline (sent with any change)",
                width="100%",
            ),  # fmt: skip
            rx.button(
                "Add note",
                variant="soft",
                color_scheme="gray",
                on_click=D.act("note"),
                disabled=D.busy,
                data_testid="incident-add-note",
            ),  # fmt: skip
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _detail() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(
                "#",
                D.incident["id"],
                " ",
                D.incident["title"],
                size="5",
                data_testid="incident-heading",
            ),  # fmt: skip
            severity_badge(D.incident["severity"]),
            status_badge(D.incident["status"]),
            align="center",
            wrap="wrap",
        ),
        rx.flex(
            _fact("Assignee", D.incident["assignee"]),
            _fact("Opened", D.incident["opened"]),
            _fact("Updated", D.incident["updated"]),
            _fact(
                "From",
                rx.cond(
                    D.execution_href != "",
                    rx.link(D.incident["source"], href=D.execution_href, size="2"),
                    rx.text(D.incident["source"], size="2"),
                ),
            ),
            _fact(
                "Mirrors",
                rx.cond(
                    D.mirrors.length() > 0,
                    rx.vstack(rx.foreach(D.mirrors, lambda m: rx.text(m, size="2")), spacing="0"),
                    rx.text("none", size="2"),
                ),
            ),
            spacing="6",
            wrap="wrap",
        ),  # fmt: skip
        rx.cond(D.description != "", rx.text(D.description, white_space="pre-wrap")),
        _actions(),
        rx.heading("Timeline", size="3"),
        rx.vstack(rx.foreach(D.timeline, _entry), spacing="3", data_testid="incident-timeline"),
        spacing="4",
        width="100%",
    )


@page(
    route="/admin/incidents/[incident_id]",
    title=D.page_title,
    on_load=[SessionState.guard_admin_area, D.load],
)
def incident_detail_page() -> rx.Component:
    return admin_page(
        "Incidents",
        rx.vstack(
            rx.link(
                rx.hstack(
                    rx.icon("arrow-left", size=14), "All incidents", align="center", spacing="1"
                ),  # fmt: skip
                href="/admin/incidents",
                size="2",
            ),
            rx.cond(
                D.missing != "",
                rx.callout(D.missing, icon="triangle-alert", color_scheme="red"),
                rx.cond(D.loaded, _detail(), rx.skeleton(rx.box(height="240px"), width="100%")),
            ),
            spacing="4",
            width="100%",
        ),
    )
