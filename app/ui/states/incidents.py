"""Admin → Incidents: the list (newest first, filtered by status) and opening one by hand.

Handlers authenticate the tab and call `app.services.incidents`, which checks the role.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.core.errors import FlowdeckError, ValidationFailed
from app.core.incidents import MAX_ASSIGNEE, MAX_TITLE, SEVERITIES
from app.services import incidents
from app.ui.states.incident_views import IncidentRow, incident_row
from app.ui.states.session import SessionState, error_text, run_service

FILTERS: list[tuple[str, str]] = [
    ("active", "Open and acknowledged"),
    ("open", "Open"),
    ("acknowledged", "Acknowledged"),
    ("resolved", "Resolved"),
    ("all", "All"),
]
PAGE_SIZE = 100


class IncidentsState(SessionState):
    rows: list[IncidentRow] = []
    total: int = 0
    loaded: bool = False
    status_filter: str = "active"
    # The "Open incident" dialog.
    creating: bool = False
    new_title: str = ""
    new_severity: str = "high"
    new_assignee: str = ""
    new_errors: dict[str, str] = {}
    busy: bool = False

    async def _reload(self) -> None:
        status = None if self.status_filter == "all" else self.status_filter
        page = await run_service(
            self, lambda a: incidents.list_incidents(a, status=status, limit=PAGE_SIZE)
        )
        self.rows = [incident_row(item) for item in page["items"]]
        self.total = page["total"]
        self.loaded = True

    @rx.event
    async def load(self) -> Any:
        redirect = await self.guard_admin_area()
        if redirect is not None:
            return redirect
        try:
            await self._reload()
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        return None

    @rx.event
    async def set_status_filter(self, value: str) -> Any:
        if value not in {key for key, _ in FILTERS}:
            return None
        self.status_filter = value
        return await self.load()

    @rx.event
    def set_creating(self, value: bool) -> None:
        if self.busy:
            return
        self.creating = bool(value)
        if value:
            self.new_title, self.new_severity, self.new_assignee = "", "high", ""
            self.new_errors = {}

    @rx.event
    def set_new_title(self, value: str) -> None:
        self.new_title = value[:MAX_TITLE]

    @rx.event
    def set_new_severity(self, value: str) -> None:
        if value in SEVERITIES:
            self.new_severity = value

    @rx.event
    def set_new_assignee(self, value: str) -> None:
        self.new_assignee = value[:MAX_ASSIGNEE]

    @rx.event
    async def create(self) -> Any:
        if self.busy:
            return None
        self.busy = True
        try:
            actor = await self._actor()
            created = await incidents.create_incident(
                actor,
                title=self.new_title,
                severity=self.new_severity,
                assignee=self.new_assignee or None,
            )
        except ValidationFailed as exc:
            self.new_errors = {p.path: p.message for p in exc.problems}
            return None
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        finally:
            self.busy = False
        self.creating = False
        return rx.redirect(created["url"])
