""" "Save as template" on a workflow's page: name, description, category and icon; the
service turns the workflow's connections into variables and keeps a version per save."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.core.errors import FlowdeckError, ValidationFailed
from app.services import templates
from app.ui.states.session import SessionState, error_text, run_service

FIELDS = ("name", "description", "category", "icon")


class TemplateSaveState(SessionState):
    save_open: bool = False
    workflow_id: int = 0
    default_name: str = ""
    categories: list[str] = list(templates.CATEGORIES)
    errors: dict[str, str] = {}
    alert: str = ""

    @rx.event
    def open_save(self, workflow_id: int, name: str) -> None:
        self.workflow_id, self.default_name = int(workflow_id), str(name)[:200]
        self.errors, self.alert, self.save_open = {}, "", True

    @rx.event
    def close_save(self, open_: bool = False) -> None:
        self.save_open = open_

    @rx.event
    async def save(self, data: dict[str, Any]) -> Any:
        body: dict[str, Any] = {"workflow_id": self.workflow_id}
        for key in FIELDS:
            value = str(data.get(key) or "").strip()
            if value:
                body[key] = value[:2000]
        try:
            saved = await run_service(self, lambda a: templates.save_template(a, body))
        except ValidationFailed as exc:
            self.errors = {p.path.split(".", 1)[0]: p.message for p in exc.problems}
            shown = set(FIELDS)
            rest = [f"{p.path}: {p.message}" for p in exc.problems if p.path not in shown]
            self.alert = "; ".join(rest)[:600]
            return None
        except FlowdeckError as exc:
            self.alert = error_text(exc)
            return None
        self.save_open = False
        return rx.toast.success(
            f"Saved as template “{saved.get('name')}” (version {saved.get('version', 1)}): "
            "find it under Templates"
        )
