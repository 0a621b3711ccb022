"""The workflow import dialog (paste or choose a file, check, import) and the export button."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.ui.states.workflow_transfer import MAX_DOCUMENT, ProblemRow, ReportRow
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
        rx.code(problem["path"], size="1", color_scheme="red"),
        " ",
        problem["message"],
        size="1",
        data_testid="import-problem",
    )


def _rows(title: str, rows: rx.Var, color: str, testid: str) -> rx.Component:
    def row(item: ReportRow) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rx.text(item["node"], size="2"), width="28%"),
            rx.table.cell(
                rx.code(item["type"], size="1", style={"overflow_wrap": "anywhere"}), width="36%"
            ),
            rx.table.cell(rx.text(item["detail"], size="1", color=rx.color("gray", 11))),
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
            rx.table.root(
                rx.table.body(rx.foreach(rows, row)),
                size="1",
                width="100%",
                style={"table_layout": "fixed"},
            ),
            width="100%",
            spacing="1",
        ),
    )


def _summary() -> rx.Component:
    left_out = S.unmapped.length()
    return rx.cond(
        S.previewed,
        rx.callout.root(
            rx.callout.icon(rx.icon("circle-check", size=16)),
            rx.callout.text(
                "Ready to import ",
                rx.text(S.import_name, weight="bold", as_="span"),
                " with ",
                S.import_steps,
                rx.cond(S.import_steps == 1, " step", " steps"),
                rx.cond(
                    left_out > 0,
                    rx.fragment(
                        "; ",
                        left_out,
                        rx.cond(left_out == 1, " node is", " nodes are"),
                        " left out (listed below)",
                    ),
                ),
                ".",
            ),
            color_scheme="green",
            size="1",
            width="100%",
            data_testid="import-summary",
        ),
    )


def _report() -> rx.Component:
    return rx.cond(
        S.source != "",
        rx.scroll_area(
            rx.vstack(
                rx.text(
                    "Read as ",
                    rx.cond(S.source == "n8n", "an n8n workflow export", "a Flowdeck export"),
                    ".",
                    size="1",
                    color=rx.color("gray", 11),
                ),
                _rows("Needs attention", S.attention, "amber", "import-attention"),
                _rows("Not mapped", S.unmapped, "red", "import-unmapped"),
                _rows("Expressions kept as text", S.untranslated, "orange", "import-untranslated"),
                _rows("Mapped", S.mapped, "green", "import-mapped"),
                rx.foreach(
                    S.notes, lambda note: rx.text(note, size="1", color=rx.color("gray", 11))
                ),
                width="100%",
                spacing="3",
                padding_right="0.75rem",
            ),
            type="auto",
            scrollbars="vertical",
            style={"max_height": "300px"},
        ),
    )


def _refusals(rejected: rx.Var) -> rx.Var:
    """react-dropzone's refusals as plain data: sent as they are, each `File` would travel
    over the websocket whole (a refused 5 MB file, 5 MB), past the socket's message cap."""
    js = (
        f"(({rejected}) || []).slice(0, 5).map((r) => ({{name: String(r?.file?.name ?? ''), "
        "size: Number(r?.file?.size ?? 0), codes: (r?.errors ?? []).map((e) => String(e?.code))}))"
    )
    return rx.Var(js).to(list[dict[str, Any]])


def _dropzone() -> rx.Component:
    chosen = S.file_name != ""
    return rx.upload(
        rx.vstack(
            rx.icon("file-json", size=28, color=rx.color("accent", 9)),
            rx.cond(
                chosen,
                rx.text(S.file_name, weight="medium", size="2", data_testid="import-file-name"),
                rx.text("Drop an export file here", weight="medium", size="2"),
            ),
            rx.text(
                rx.cond(
                    chosen,
                    S.file_size + " · drop or click to choose another",
                    "or click to choose one · JSON, at most 1 MiB",
                ),
                size="1",
                color=rx.color("gray", 11),
            ),
            align="center",
            spacing="1",
        ),
        id=UPLOAD_ID,
        accept={"application/json": [".json"]},
        max_files=1,
        multiple=False,
        max_size=MAX_DOCUMENT,
        on_drop=S.handle_upload,
        on_drop_rejected=lambda rejected: S.reject_files(_refusals(rejected)),
        border=f"2px dashed {rx.color('gray', 7)}",
        border_radius="var(--radius-3)",
        background=rx.color("gray", 2),
        padding="1.25rem",
        width="100%",
        cursor="pointer",
        _hover={"border_color": rx.color("accent", 8), "background": rx.color("accent", 2)},
        data_testid="import-dropzone",
    )


def _paste() -> rx.Component:
    return rx.vstack(
        # Uncontrolled, sent on blur (which comes before the click on Check or Import): the
        # controlled box is debounced (300 ms), and in the browser test a Check clicked right
        # after filling it once came back with nothing shown. No debounce, no ordering doubt.
        rx.text_area(
            default_value=S.import_text,
            on_blur=S.set_import_text,
            placeholder='{"name": …, "nodes": [...], "connections": {...}}',
            rows="8",
            font_family="monospace",
            width="100%",
            data_testid="import-text",
        ),
        rx.button(
            rx.icon("list-checks", size=14),
            "Check",
            variant="soft",
            size="1",
            on_click=S.preview_import,
            data_testid="import-check",
        ),
        align="end",
        spacing="2",
        width="100%",
    )


def _error() -> rx.Component:
    return rx.cond(
        (S.import_error != "") | (S.import_problems.length() > 0),
        rx.callout.root(
            rx.callout.icon(rx.icon("circle-x", size=16)),
            rx.vstack(
                rx.text("This cannot be imported", weight="bold", size="2"),
                rx.cond(
                    S.import_error != "",
                    rx.text(S.import_error, size="2", data_testid="import-error"),
                ),
                rx.foreach(S.import_problems, _problem),
                spacing="1",
            ),
            color_scheme="red",
            size="1",
            width="100%",
            data_testid="import-failed",
        ),
    )


def _secret() -> rx.Component:
    """After importing a signed webhook workflow: its new secret, once."""
    return rx.vstack(
        rx.dialog.title("Imported: copy the webhook secret"),
        rx.callout(
            "The workflow's webhook checks signatures. Flowdeck made a new secret for it and "
            "shows it only now (an export never carries one).",
            icon="key-round",
            color_scheme="amber",
            width="100%",
        ),
        rx.code(
            S.secret_once,
            data_testid="import-webhook-secret",
            style={"word_break": "break-all"},
        ),
        rx.hstack(
            rx.button(
                rx.icon("copy", size=14),
                "Copy",
                variant="soft",
                on_click=rx.set_clipboard(S.secret_once),
            ),
            rx.button("Open the workflow", on_click=S.finish_import, data_testid="import-done"),
            justify="end",
            spacing="3",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def import_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.cond(S.secret_once != "", _secret(), _import_form()),
            max_width="720px",
        ),
        open=S.import_open,
        on_open_change=S.close_import,
    )


def _import_form() -> rx.Component:
    return rx.fragment(
        rx.hstack(
            rx.dialog.title("Import a workflow", margin="0"),
            rx.spacer(),
            rx.segmented_control.root(
                rx.segmented_control.item("File", value="file"),
                rx.segmented_control.item("Paste", value="paste"),
                value=S.import_mode,
                on_change=S.set_import_mode,
                size="1",
                data_testid="import-mode",
            ),
            align="center",
            width="100%",
        ),
        rx.dialog.description(
            "A Flowdeck export or an n8n workflow export (JSON). It is checked first: "
            "you see what maps, what does not, and what to review before anything is saved.",
            size="2",
            color=rx.color("gray", 11),
            margin_y="0.75rem",
        ),
        rx.vstack(
            rx.cond(S.import_mode == "paste", _paste(), _dropzone()),
            _error(),
            _summary(),
            _report(),
            spacing="3",
            width="100%",
        ),
        rx.hstack(
            rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
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
    )
