"""Import a workflow (a Flowdeck export or an n8n export) and export one as a JSON download.

The import dialog previews first (`workflow_transfer.preview_import`: the report and every
problem, nothing saved), then imports. The service checks the role and validates; this state
only holds the text, the report rows and the problems, and turns the answer into a redirect.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypedDict

import reflex as rx

from app.core.errors import AuthenticationFailed, FlowdeckError, Problem, ValidationFailed
from app.services import workflow_transfer
from app.ui.states.session import SessionState, error_text, run_service

MAX_DOCUMENT = 1024 * 1024  # the API's body cap
MODES = ("file", "paste")


class ReportRow(TypedDict):
    node: str
    type: str
    detail: str


class ProblemRow(TypedDict):
    path: str
    message: str


def report_rows(report: dict[str, Any]) -> dict[str, list[ReportRow]]:
    """The import report as table rows: mapped, unmapped, untranslated, attention."""

    def row(node: Any, kind: Any, detail: Any) -> ReportRow:
        return ReportRow(node=str(node or "(workflow)"), type=str(kind or ""), detail=str(detail))

    return {
        "mapped": [
            row(m["node"], m["type"], f"{m['as']}" + (f" · {m['step_id']}" if m["step_id"] else ""))
            for m in report.get("mapped", [])
        ],
        "unmapped": [row(u["node"], u["type"], u["reason"]) for u in report.get("unmapped", [])],
        "untranslated": [
            row(u["node"], u["path"], u["expression"]) for u in report.get("untranslated", [])
        ],
        "attention": [
            row(a["node"], a["step_id"] or "", a["message"]) for a in report.get("attention", [])
        ],
    }


def size_text(size: int) -> str:
    return f"{size} bytes" if size < 1024 else f"{size / 1024:.1f} KiB"


def rejected_text(rejected: Any) -> str:
    """Why the file picker refused a file, in words: `rejected` is a list of
    `{name, size, codes}` (react-dropzone's error codes), as the dialog sends it."""
    first = rejected[0] if isinstance(rejected, list) and rejected else {}
    first = first if isinstance(first, dict) else {}
    name, codes = first.get("name"), first.get("codes")
    codes = {str(c) for c in codes} if isinstance(codes, list) else set()
    what = f"“{name[:120]}”" if isinstance(name, str) and name else "That file"
    if "file-too-large" in codes:
        return f"{what} is larger than 1 MiB: a workflow export is much smaller"
    if "file-invalid-type" in codes:
        return f"{what} is not a .json file: choose a workflow export (JSON)"
    if "too-many-files" in codes:
        return "Choose one file at a time"
    return f"{what} could not be read"


def parse_document(text: str) -> tuple[Any, str]:
    """The JSON in `text`, or (None, why not)."""
    if len(text.encode()) > MAX_DOCUMENT:
        return None, "The document is larger than 1 MiB"
    if not text.strip():
        return None, "Paste a workflow export or choose a file"
    try:
        data = json.loads(text)
    except ValueError as exc:
        return None, f"Not valid JSON: {exc}"
    if not isinstance(data, dict):
        return None, "A workflow export is a JSON object"
    return data, ""


class WorkflowImportState(SessionState):
    import_open: bool = False
    import_mode: str = "file"
    import_text: str = ""
    file_name: str = ""
    file_size: str = ""
    import_name: str = ""
    import_steps: int = 0
    #: A webhook secret Flowdeck made for the imported workflow: shown once, then dropped.
    secret_once: str = ""
    created_id: int = 0
    import_error: str = ""
    import_problems: list[ProblemRow] = []
    previewed: bool = False
    importing: bool = False
    source: str = ""
    mapped: list[ReportRow] = []
    unmapped: list[ReportRow] = []
    untranslated: list[ReportRow] = []
    attention: list[ReportRow] = []
    notes: list[str] = []

    def _clear(self) -> None:
        self.import_error, self.import_problems, self.previewed, self.source = "", [], False, ""
        self.import_name, self.import_steps = "", 0
        self.mapped, self.unmapped, self.untranslated, self.attention, self.notes = (
            [],
            [],
            [],
            [],
            [],
        )

    @rx.event
    def open_import(self) -> None:
        self._clear()
        self.secret_once, self.created_id = "", 0
        self.import_text, self.import_open, self.import_mode = "", True, "file"
        self.file_name = self.file_size = ""

    @rx.event
    def set_import_mode(self, mode: str | list[str]) -> None:
        self.import_mode = mode if isinstance(mode, str) and mode in MODES else "file"

    @rx.event
    def reject_files(self, rejected: list[dict[str, Any]]) -> None:
        """The file picker refused a file (too large, not JSON): say so in the dialog."""
        self._clear()
        self.file_name = self.file_size = ""
        self.import_error = rejected_text(rejected)

    @rx.event
    def close_import(self, open_: bool = False) -> Any:
        if not open_ and self.secret_once:
            return self.finish_import()
        self.import_open = bool(open_)
        return None

    @rx.event
    def finish_import(self) -> Any:
        """After the secret was shown: drop it and go to the imported workflow."""
        created, self.secret_once, self.created_id = self.created_id, "", 0
        self.import_open = False
        return rx.redirect(f"/admin/workflows/{created}") if created else None

    @rx.event
    def set_import_text(self, text: str) -> None:
        text = str(text)[: MAX_DOCUMENT + 1]
        if text == self.import_text:
            return  # the debounced box sends its text again on blur: keep what was checked
        self.import_text = text
        self.file_name = self.file_size = ""
        self._clear()

    def _show_problems(self, problems: list[Problem]) -> None:
        general = [p.message for p in problems if not p.path]
        self.import_error = "; ".join(general)
        self.import_problems = [
            ProblemRow(path=p.path, message=p.message) for p in problems if p.path
        ][:100]

    @rx.event
    async def preview_import(self) -> Any:
        self._clear()
        data, why = parse_document(self.import_text)
        if data is None:
            self.import_error = why
            return None
        try:
            preview = await run_service(self, lambda a: workflow_transfer.preview_import(a, data))
        except AuthenticationFailed:
            return rx.redirect("/login")
        except FlowdeckError as exc:
            self.import_error = error_text(exc)
            return None
        rows = report_rows(preview.report)
        self.source, self.notes = preview.source, list(preview.report.get("notes", []))
        self.mapped, self.unmapped = rows["mapped"], rows["unmapped"]
        self.untranslated, self.attention = rows["untranslated"], rows["attention"]
        self._show_problems(preview.problems)
        self.previewed = not preview.problems
        definition = preview.definition or {}
        self.import_name = str(definition.get("name") or "")[:200]
        actions = definition.get("actions")
        self.import_steps = len(actions) if isinstance(actions, list) else 0
        return None

    @rx.event
    async def handle_upload(self, files: list[rx.UploadFile]) -> Any:
        if not files:
            return None
        content = await files[0].read(MAX_DOCUMENT + 1)
        self.file_name = Path(str(files[0].name or "export.json")).name[:120]
        self.file_size = size_text(len(content))
        if len(content) > MAX_DOCUMENT:
            self._clear()
            self.import_text, self.file_size = "", "over 1 MiB"
            self.import_error = "The file is larger than 1 MiB"
            return None
        if not content.strip():
            self._clear()
            self.import_text, self.import_error = "", "The file is empty"
            return None
        self.import_text = content.decode("utf-8", errors="replace")
        return await self.preview_import()

    @rx.event
    async def confirm_import(self) -> Any:
        data, why = parse_document(self.import_text)
        if data is None:
            self.import_error = why
            return None
        self.importing = True
        try:
            created = await run_service(self, lambda a: workflow_transfer.import_workflow(a, data))
        except AuthenticationFailed:
            return rx.redirect("/login")
        except ValidationFailed as exc:
            self._show_problems(exc.problems)
            self.previewed = False
            return None
        except FlowdeckError as exc:
            self.import_error = error_text(exc)
            return None
        finally:
            self.importing = False
        if created.get("webhook_secret"):  # the dialog shows it once, then goes on
            self.secret_once, self.created_id = created["webhook_secret"], int(created["id"])
            return rx.toast.success(f"Imported {created['name']!r}. Copy the webhook secret now.")
        self.import_open = False
        return [
            rx.toast.success(f"Imported {created['name']!r}"),
            rx.redirect(f"/admin/workflows/{created['id']}"),
        ]


class WorkflowExportState(SessionState):
    @rx.event
    async def export_json(self, workflow_id: int) -> Any:
        try:
            document = await run_service(
                self, lambda a: workflow_transfer.export_workflow(a, int(workflow_id))
            )
        except AuthenticationFailed:
            return rx.redirect("/login")
        except (FlowdeckError, ValueError) as exc:
            message = error_text(exc) if isinstance(exc, FlowdeckError) else "Bad id"
            return rx.toast.error(message)
        text = json.dumps(document, indent=2, ensure_ascii=False)
        slug = "".join(c if c.isalnum() else "-" for c in document["name"]).strip("-")[:80]
        return rx.download(
            data=text, filename=f"{slug or 'workflow'}.flowdeck.json", mime_type="application/json"
        )
