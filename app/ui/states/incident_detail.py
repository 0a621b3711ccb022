"""Admin → Incidents → one incident: its facts, the timeline, and the changes a person makes
(acknowledge, escalate, resolve / reopen, assign, a note). The service checks the role."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.core.errors import FlowdeckError
from app.core.incidents import MAX_ASSIGNEE, MAX_NOTE
from app.services import incidents
from app.ui.states.incident_views import (
    IncidentRow,
    TimelineRow,
    incident_row,
    mirror_lines,
    timeline_rows,
)
from app.ui.states.session import SessionState, error_text, run_service
from app.ui.titles import page_title as title_of

_BLANK = IncidentRow(id=0, title="", severity="", status="", assignee="", opened="",
                     updated="", href="", source="")  # fmt: skip
ACTIONS = ("acknowledge", "escalate", "resolve", "reopen", "assign", "note")


class IncidentDetailState(SessionState):
    incident: IncidentRow = _BLANK
    description: str = ""
    timeline: list[TimelineRow] = []
    mirrors: list[str] = []
    execution_href: str = ""
    loaded: bool = False
    missing: str = ""
    assignee_text: str = ""
    note_text: str = ""
    busy: bool = False

    def _route_id(self) -> int:
        raw = str(self.rx_router_page.params.get("incident_id", ""))
        return int(raw) if raw.isdigit() else 0

    def _show(self, item: dict[str, Any]) -> None:
        self.incident = incident_row(item)
        self.description = item["description"]
        self.timeline = timeline_rows(item)
        self.mirrors = mirror_lines(item)
        run = item.get("execution_id")
        self.execution_href = f"/admin/executions/{run}" if run else ""
        self.loaded, self.missing = True, ""

    @rx.event
    async def load(self) -> Any:
        redirect = await self.guard_admin_area()
        if redirect is not None:
            return redirect
        incident_id = self._route_id()
        self.loaded = False
        try:
            item = await run_service(self, lambda a: incidents.get_incident(a, incident_id))
        except FlowdeckError as exc:
            self.missing = error_text(exc)
            return None
        self._show(item)
        self.assignee_text = "" if item["assignee"] is None else item["assignee"]
        self.note_text = ""
        return None

    @rx.event
    def set_assignee_text(self, value: str) -> None:
        self.assignee_text = value[:MAX_ASSIGNEE]

    @rx.event
    def set_note_text(self, value: str) -> None:
        self.note_text = value[:MAX_NOTE]

    @rx.event
    async def act(self, action: str) -> Any:
        """One change by the signed-in person; the note box goes with any of them."""
        if action not in ACTIONS or self.busy or not self.incident["id"]:
            return None
        fields: dict[str, Any] = {"note": self.note_text or None}
        if action == "assign":
            fields["assignee"] = self.assignee_text
        self.busy = True
        try:
            actor = await self._actor()
            item = await incidents.change_incident(
                actor, self.incident["id"], kind=action, **fields
            )
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        finally:
            self.busy = False
        self._show(item)
        self.note_text = ""
        missed = [m for m in item.get("mirrored") or [] if not m["ok"]]
        if missed:
            return rx.toast.warning(f"Saved; not mirrored to {missed[0]['name']}")
        return rx.toast.success(f"Incident #{item['id']} is {item['status']}, {item['severity']}")

    @rx.var
    def page_title(self) -> str:
        return title_of(self.incident["title"] or None, "Incident", self.incident["id"] or None)
