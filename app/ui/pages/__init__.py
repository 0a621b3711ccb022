"""Importing this package registers every page."""

from app.ui.pages import (
    alerts,
    approvals,
    articles,
    audit,
    auth,
    connections,
    designer,
    execution_detail,
    executions,
    sections,
    status,
    users,
    versions,
    workflow_detail,
    workflow_editor,
    workflows,
)

__all__ = [
    "alerts",
    "approvals",
    "articles",
    "audit",
    "auth",
    "connections",
    "designer",
    "execution_detail",
    "executions",
    "sections",
    "status",
    "users",
    "versions",
    "workflow_detail",
    "workflow_editor",
    "workflows",
]
