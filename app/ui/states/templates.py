"""Admin → Templates: the gallery, its filters, the preview and the "Use template" form.

Every call goes through `app.services.templates` (roles are checked there). Using a template
creates the workflow and opens it; every problem of the filled-in form is shown next to its
field (`variables.<name>`), the name's next to the name.
"""

from __future__ import annotations

import json
from typing import Any

import reflex as rx
from starlette.concurrency import run_in_threadpool

from app.core.canvas import to_canvas
from app.core.errors import FlowdeckError, ValidationFailed
from app.services import connections, templates
from app.ui.states.session import SessionState, error_text, run_service
from app.ui.states.template_views import (
    TemplateCard,
    VarField,
    form_values,
    split_problems,
    template_card,
    var_field,
)

ALL = "all categories"
MAX_IMPORT = 1_000_000


def _connection_names(actor: Any) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for row in connections.list_connections(actor):
        names.setdefault(str(row["platform"]), []).append(str(row["name"]))
    return names


class TemplatesState(SessionState):
    cards: list[TemplateCard] = []
    categories: list[str] = []
    loaded: bool = False
    search: str = ""
    category: str = ALL

    # The open template (preview or use).
    open_id: str = ""
    open_name: str = ""
    open_description: str = ""
    preview_open: bool = False
    preview_nodes: list[dict[str, Any]] = []
    preview_edges: list[dict[str, Any]] = []
    preview_fit: int = 0
    use_open: bool = False
    use_fields: list[VarField] = []
    use_errors: dict[str, str] = {}
    name_error: str = ""
    use_alert: str = ""
    use_busy: bool = False

    # Import.
    import_open: bool = False
    import_text: str = ""
    import_problems: list[str] = []

    async def _reload(self) -> None:
        search, category = self.search.strip() or None, None
        if self.category != ALL:
            category = self.category
        items = await run_service(
            self, lambda a: templates.list_templates(a, category=category, search=search)
        )
        self.cards = [template_card(i) for i in items]
        self.categories = [ALL, *templates.CATEGORIES]
        self.loaded = True

    @rx.event
    async def load(self) -> Any:
        redirect = await self.guard_admin_area()
        if redirect is not None:
            return redirect
        self.search, self.category = "", ALL  # a new visit starts from the whole gallery
        try:
            await self._reload()
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        return None

    @rx.event
    async def set_search(self, value: str) -> None:
        self.search = value[:200]
        await self._reload()

    @rx.event
    async def set_category(self, value: str) -> None:
        self.category = value if value in (ALL, *templates.CATEGORIES) else ALL
        await self._reload()

    async def _open(self, template_id: str) -> dict[str, Any]:
        item = await run_service(self, lambda a: templates.get_template(a, template_id[:80]))
        self.open_id = str(item["id"])
        self.open_name = str(item.get("name") or item["id"])
        self.open_description = str(item.get("description") or "")
        return item

    @rx.event
    async def open_preview(self, template_id: str) -> Any:
        try:
            item = await self._open(template_id)
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        actions = (item.get("workflow") or {}).get("actions") or []
        self.preview_nodes, self.preview_edges = await run_in_threadpool(to_canvas, actions)
        self.preview_fit += 1
        self.preview_open = True
        return None

    @rx.event
    def close_preview(self, open_: bool = False) -> None:
        self.preview_open = open_

    @rx.event
    async def open_use(self, template_id: str) -> Any:
        try:
            item = await self._open(template_id)
            names = await run_service(self, _connection_names)
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        self.use_fields = [var_field(v, names) for v in item.get("variables") or []]
        self.use_errors, self.name_error, self.use_alert = {}, "", ""
        self.preview_open = False
        self.use_open = True
        return None

    @rx.event
    def close_use(self, open_: bool = False) -> None:
        if not self.use_busy:
            self.use_open = open_

    @rx.event
    async def use_template(self, data: dict[str, Any]) -> Any:
        if self.use_busy or not self.open_id:
            return
        values = form_values(self.use_fields, data)
        name = str(data.get("workflow_name") or "").strip()[:200] or None
        self.use_busy = True
        yield
        try:
            saved = await run_service(
                self, lambda a: templates.create_from_template(a, self.open_id, values, name)
            )
        except ValidationFailed as exc:
            self.use_errors, self.name_error, self.use_alert = split_problems(exc.problems)
            if not (self.use_errors or self.name_error or self.use_alert):
                self.use_alert = error_text(exc)
            return
        except FlowdeckError as exc:
            self.use_alert = error_text(exc)
            return
        finally:
            self.use_busy = False
        self.use_open = False
        workflow = saved.workflow
        yield rx.toast.success(f"Created “{workflow['name']}” from the template")
        yield rx.redirect(f"/admin/workflows/{workflow['id']}")

    @rx.event
    async def export_template(self, template_id: str) -> Any:
        try:
            document = await run_service(
                self, lambda a: templates.export_template(a, template_id[:80])
            )
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        text = json.dumps(document, indent=2, ensure_ascii=False)
        return rx.download(data=text, filename=f"{document.get('id', 'template')}.template.json")

    @rx.event
    def open_import(self) -> None:
        self.import_text, self.import_problems, self.import_open = "", [], True

    @rx.event
    def close_import(self, open_: bool = False) -> None:
        self.import_open = open_

    @rx.event
    def set_import_text(self, text: str) -> None:
        self.import_text = text[:MAX_IMPORT]
        self.import_problems = []

    @rx.event
    async def import_template(self) -> Any:
        try:
            document = json.loads(self.import_text)
        except ValueError as exc:
            self.import_problems = [f"not JSON: {exc}"[:300]]
            return None
        try:
            saved = await run_service(self, lambda a: templates.import_template(a, document))
        except ValidationFailed as exc:
            self.import_problems = [
                f"{p.path}: {p.message}" if p.path else p.message for p in exc.problems[:50]
            ]
            return None
        except FlowdeckError as exc:
            self.import_problems = [error_text(exc)]
            return None
        self.import_open = False
        await self._reload()
        return rx.toast.success(f"Imported “{saved.get('name', saved.get('id'))}”")
