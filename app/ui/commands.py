"""What the command palette offers besides workflows and runs: every admin page (the
sidebar's list) and a few actions. The search ranks them (`app.services.command_search`)."""

from __future__ import annotations

from app.core.palette import Entry
from app.ui.navigation import ADMIN_ONLY, SECTIONS, STATUS_PAGE

#: Actions carried out in the page rather than by opening a path.
HELP, THEME, LOG_OUT = "help", "theme", "log-out"

PAGES: list[Entry] = [
    Entry("page", label, href, icon, admin_only=href in ADMIN_ONLY)
    for label, href, icon in [*SECTIONS, STATUS_PAGE]
]
ACTIONS: list[Entry] = [
    Entry("action", "New workflow", "/admin/workflows/new", "plus", "create add"),
    Entry("action", "New orchestration", "/admin/orchestrations/new", "plus", "create add"),
    Entry("action", "Failed executions", "/admin/executions?status=failed", "circle-x", "errors"),
    Entry("action", "Running executions", "/admin/executions?status=running", "loader"),
    Entry("action", "Keyboard shortcuts", HELP, "keyboard", "help keys"),
    Entry("action", "Switch light / dark theme", THEME, "sun-moon", "dark light mode colour"),
    Entry("action", "Log out", LOG_OUT, "log-out", "sign out"),
]
ENTRIES: list[Entry] = [*ACTIONS[:1], *PAGES, *ACTIONS[1:]]
