"""/admin/data (admins): how big the database is, what it holds, how long history is kept,
and what the next prune removes — with a prune by hand."""

from __future__ import annotations

import reflex as rx

from app.ui.components.layout import admin_page, empty_state
from app.ui.components.stat_card import stat_card
from app.ui.components.tables import small_table
from app.ui.pages.registry import page
from app.ui.states.data import DataState as S

_SETTINGS = [
    ("keep_days", "Keep finished executions (days)", "Blank: keep forever"),
    ("keep_last", "Always keep the newest N per workflow", "Blank: no minimum"),
    ("keep_data_days", "Keep step inputs/outputs (days)", "Blank: as long as the execution"),
]
_STATUS = {
    "ok": ("green", "Nothing to reclaim"),
    "reclaimable": ("amber", "Handed back to the file by the next prune"),
    "compact": ("red", "Run `flowdeck db-compact` once to reclaim space"),
}


def _sizes() -> rx.Component:
    z = S.sizes
    status = rx.match(
        z.get("status", "ok"),
        *[(k, rx.badge(text, color_scheme=c, variant="soft", data_testid="space-status",
                       white_space="normal")) for k, (c, text) in _STATUS.items()],
        rx.fragment(),
    )  # fmt: skip
    return rx.vstack(
        rx.grid(
            stat_card("Database", z.get("total", "—"), "database", S.loaded, "db-total",
                      hint=z.get("dialect", "")),
            stat_card("File", z.get("file", "—"), "file", S.loaded, "db-file"),
            stat_card("Write-ahead log", z.get("wal", "—"), "file-clock", S.loaded, "db-wal"),
            stat_card("Free (reclaimable)", z.get("free", "—"), "recycle", S.loaded, "db-free",
                      hint=z.get("free_pages", "—").to(str) + " free pages"),
            columns=rx.breakpoints(initial="2", md="4"),
            spacing="3",
            width="100%",
        ),
        rx.hstack(status, rx.text("Checked " + z.get("checked_at", "—").to(str), size="1",
                                  color=rx.color("gray", 11)), spacing="2", wrap="wrap"),
        spacing="2",
        width="100%",
    )  # fmt: skip


def _card(title: str, *children: rx.Component, testid: str) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="3"), *children, spacing="3", width="100%"),
        width="100%",
        min_width="0",
        data_testid=testid,
    )


def _rows() -> rx.Component:
    return _card(
        "Rows per table",
        rx.cond(
            S.tables.length() > 0,  # type: ignore[attr-defined]
            small_table(
                ["Table", "Rows"],
                S.tables,
                lambda r: rx.table.row(
                    rx.table.cell(rx.code(r["table"])),
                    rx.table.cell(r["rows"], data_testid=f"rows-{r['table']}"),
                ),
                "table-rows",
            ),
            rx.text("No tables yet.", size="2", color=rx.color("gray", 11)),
        ),
        testid="rows-card",
    )


def _setting(name: str, label: str, hint: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=f"ret-{name}", style={"font_size": "var(--font-size-2)",
                                                          "font_weight": "500"}),
        rx.input(
            id=f"ret-{name}",
            value=S.settings[name],
            placeholder=hint,
            input_mode="numeric",
            width="100%",
            on_change=lambda v: S.set_setting(name, v),
            data_testid=f"setting-{name}",
        ),
        rx.cond(
            S.errors.get(name, "") != "",
            rx.text(S.errors.get(name, ""), color=rx.color("red", 11), size="1",
                    data_testid=f"error-{name}"),
        ),
        spacing="1",
        width="100%",
    )  # fmt: skip


def _settings() -> rx.Component:
    return _card(
        "Retention settings",
        rx.text(
            "Applies to every workflow; a workflow's own values (form → History retention) win. "
            "Queued, running and waiting executions are never pruned; charts keep their history.",
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.grid(*[_setting(*s) for s in _SETTINGS], columns=rx.breakpoints(initial="1", md="3"),
                spacing="3", width="100%"),
        rx.cond(S.errors.get("form", "") != "",
                rx.text(S.errors.get("form", ""), color=rx.color("red", 11), size="1")),
        rx.hstack(
            rx.cond(S.overrides > 0, rx.text(S.overrides.to(str) + " workflow(s) set their own",
                                             size="1", color=rx.color("gray", 11))),
            rx.spacer(),
            rx.button(rx.icon("save", size=14), "Save settings", on_click=S.save,
                      loading=S.saving, data_testid="save-retention"),
            align="center",
            width="100%",
        ),
        testid="settings-card",
    )  # fmt: skip


def _preview_row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(r["name"], href="/admin/workflows/" + r["workflow_id"].to(str))),
        rx.table.cell(rx.text(r["executions"], color=rx.color("red", 11), weight="medium")),
        rx.table.cell(r["data"]),
        rx.table.cell(rx.text(r["rule"], size="1", color=rx.color("gray", 11))),
        data_testid="preview-row",
    )


def _confirm() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Prune now?"),
            rx.alert_dialog.description(
                "Deletes " + S.preview_totals.get("executions", "0").to(str)
                + " finished execution(s) and empties the step data of "
                + S.preview_totals.get("data", "0").to(str)
                + ". This cannot be undone.",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button("Prune", color_scheme="red", on_click=S.prune_now,
                              data_testid="confirm-prune")
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="440px",
        ),
        open=S.confirm_open,
        on_open_change=S.set_confirm_open,
    )  # fmt: skip


def _preview() -> rx.Component:
    t = S.preview_totals
    busy = t.get("any", "") != ""
    return _card(
        "Next prune",
        rx.hstack(
            rx.badge(t.get("executions", "0").to(str) + " executions",
                     color_scheme=rx.cond(busy, "red", "green"), size="2",
                     data_testid="preview-executions"),
            rx.badge(t.get("data", "0").to(str) + " with step data emptied",
                     color_scheme=rx.cond(busy, "amber", "green"), size="2",
                     data_testid="preview-data"),
            rx.spacer(),
            rx.button(rx.icon("trash-2", size=14), "Prune now", color_scheme="red",
                      variant="soft", on_click=S.open_confirm, loading=S.pruning,
                      data_testid="prune-now"),
            wrap="wrap",
            spacing="2",
            align="center",
            width="100%",
        ),
        rx.cond(
            S.preview_loading,
            rx.hstack(rx.spinner(size="2"), rx.text("Counting what the next prune removes…",
                      size="2", color=rx.color("gray", 11)), align="center",
                      data_testid="preview-loading"),
        ),
        rx.cond(
            ~S.preview_loading & (S.preview_rows.length() > 0),  # type: ignore[attr-defined]
            small_table(["Workflow", "Executions", "Step data", "Rule"], S.preview_rows,
                   _preview_row, "preview-table"),
            rx.cond(~S.preview_loading,
                    rx.text("Nothing to prune: history is within the settings.", size="2",
                            color=rx.color("gray", 11), data_testid="preview-empty")),
        ),
        rx.text("The scheduler prunes every hour in short batches.", size="1",
                color=rx.color("gray", 11)),
        _confirm(),
        testid="preview-card",
    )  # fmt: skip


def _last() -> rx.Component:
    p = S.last_prune
    return _card(
        "Last prune",
        rx.cond(
            p.get("at", "") != "",
            rx.vstack(
                rx.text(rx.text.span(p.get("at", ""), weight="medium"), " · ",
                        p.get("reason", ""), " · ", p.get("by", ""), size="2"),
                rx.text("Removed ", p.get("executions", "0"), " execution(s), emptied ",
                        p.get("data", "0"), ", freed ", p.get("freed_pages", "0"), " page(s) in ",
                        p.get("duration", ""), size="2", data_testid="last-prune-text"),
                rx.cond(p.get("finished", "") != "",
                        rx.badge(p.get("finished", ""), color_scheme="amber")),
                spacing="1",
            ),
            rx.text("Never pruned yet.", size="2", color=rx.color("gray", 11),
                    data_testid="last-prune-empty"),
        ),
        testid="last-prune",
    )  # fmt: skip


@page(route="/admin/data", title="Data · Flowdeck", on_load=S.load)
def data_page() -> rx.Component:
    return admin_page(
        "Data",
        rx.vstack(
            rx.text("How big the history is, how long it is kept, and what goes next.",
                    color=rx.color("gray", 11)),
            rx.cond(S.problem != "",
                    rx.callout(S.problem, icon="circle-x", color_scheme="red", width="100%")),
            rx.cond(
                S.loaded | (S.problem == ""),
                rx.vstack(
                    _sizes(),
                    _settings(),
                    _preview(),
                    rx.grid(_last(), _rows(), columns=rx.breakpoints(initial="1", md="2"),
                            spacing="3", width="100%", align_items="start"),
                    spacing="4",
                    width="100%",
                ),
                empty_state("database", "No data to show", "Only admins see this page."),
            ),
            spacing="4",
            width="100%",
            data_testid="data-page",
        ),
    )  # fmt: skip
