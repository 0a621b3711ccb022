"""The admin sections, in sidebar order: the sidebar, the phone menu and the command palette
all list them from here."""

from __future__ import annotations

#: Tabs only admins see (their pages redirect members anyway; the services check the role).
ADMIN_ONLY = {"/admin/data"}
SECTIONS: list[tuple[str, str, str]] = [
    ("Workflows", "/admin/workflows", "workflow"),
    ("Templates", "/admin/templates", "layout-template"),
    ("Executions", "/admin/executions", "play"),
    ("Analytics", "/admin/analytics", "chart-column"),
    ("Approvals", "/admin/approvals", "circle-check"),
    ("Incidents", "/admin/incidents", "siren"),
    ("Articles", "/admin/articles", "file-text"),
    ("Alerts", "/admin/alerts", "bell"),
    ("Versions", "/admin/versions", "git-branch"),
    ("Orchestrations", "/admin/orchestrations", "network"),
    ("Connections", "/admin/connections", "plug"),
    ("Audit", "/admin/audit", "scroll-text"),
    ("Data", "/admin/data", "database"),
    ("Users", "/admin/users", "users"),
]
STATUS_PAGE = ("Status page", "/status", "activity")
