"""The workflow import dialog (paste or choose a file, check, import) and the export button."""

from __future__ import annotations

import reflex as rx

from app.ui.states.workflow_transfer import ProblemRow, ReportRow
from app.ui.states.workflow_transfer import WorkflowExportState as E
from app.ui.states.workflow_transfer import WorkflowImportState as S

UPLOAD_ID = "workflow-import-file"


def import_button() -> rx.Component:
    return rx.button(
        rx.icon("upload", size=16),
        "Import",
        variant="soft",
        on_click=S.open_import,
        data_testid="import-workflow",
    )


def export_button(workflow_id: rx.Var) -> rx.Component:
    return rx.button(
        rx.icon("download", size=14),
        "Export JSON",
        variant="soft",
        on_click=E.export_json(workflow_id),
        data_testid="export-workflow",
    )


def _problem(problem: ProblemRow) -> rx.Component:
    return rx.text(
        rx.code(problem["path"]),
        " ",
        problem["message"],
        size="1",
        color=rx.color("red", 11),
        data_testid="import-problem",
    )


def _rows(title: str, rows: rx.Var, color: str, testid: str) -> rx.Component:
    def row(item: ReportRow) -> rx.Component:
        return rx.table.row(
            rx.table.cell(item["node"]),
            rx.table.cell(rx.code(item["type"], size="1")),
            rx.table.cell(rx.text(item["detail"], size="1")),
            data_testid=testid,
        )

    return rx.cond(
        rx.Var.create(rows).length() > 0,
        rx.vstack(
            rx.hstack(
                rx.text(title, weight="medium", size="2"),
                rx.badge(rx.Var.create(rows).length(), color_scheme=color),
                align="center",
            ),
            rx.table.root(rx.table.body(rx.foreach(rows, row)), size="1", width="100%"),
            width="100%",
            spacing="1",
        ),
    )


def _report() -> rx.Component:
    return rx.cond(
        S.source != "",
        rx.scroll_area(
            rx.vstack(
                rx.text("Read as a ", rx.code(S.source), " document.", size="2"),
                _rows("Needs attention", S.attention, "amber", "import-attention"),
                _rows("Not mapped", S.unmapped, "red", "import-unmapped"),
                _rows("Expressions kept as text", S.untranslated, "orange", "import-untranslated"),
                _rows("Mapped", S.mapped, "green", "import-mapped"),
                rx.foreach(
                    S.notes, lambda note: rx.text(note, size="1", color=rx.color("gray", 11))
                ),
                width="100%",
                spacing="3",
            ),
            type="auto",
            max_height="320px",
        ),
    )


def import_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Import a workflow"),
            rx.dialog.description(
                "Paste a Flowdeck export or an n8n workflow export (JSON), or choose a file. "
                "Check it first: the report lists what maps, what does not, and what to review.",
                size="2",
                margin_bottom="0.75rem",
            ),
            rx.text_area(
                value=S.import_text,
                on_change=S.set_import_text,
                placeholder='{"name": …, "nodes": [...], "connections": {...}}',
                rows="8",
                font_family="monospace",
                width="100%",
                data_testid="import-text",
            ),
            rx.upload(
                rx.button(rx.icon("file-json", size=14), "Choose a file", size="1", variant="soft"),
                id=UPLOAD_ID,
                accept={"application/json": [".json"]},
                max_files=1,
                no_drag=True,
                on_drop=S.handle_upload,
                border="none",
                padding="0",
                margin_top="0.5rem",
            ),
            rx.cond(
                S.import_error != "",
                rx.text(
                    S.import_error, color=rx.color("red", 11), size="1", data_testid="import-error"
                ),
            ),
            rx.vstack(rx.foreach(S.import_problems, _problem), spacing="1", margin_top="0.5rem"),
            _report(),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button(
                    "Check", variant="soft", on_click=S.preview_import, data_testid="import-check"
                ),
                rx.button(
                    rx.icon("upload", size=14),
                    "Import",
                    on_click=S.confirm_import,
                    disabled=~S.previewed,
                    loading=S.importing,
                    data_testid="import-confirm",
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="720px",
        ),
        open=S.import_open,
        on_open_change=S.close_import,
    )
