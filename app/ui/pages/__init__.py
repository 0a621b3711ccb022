"""Importing this package registers every page."""

from app.ui.pages import (
    alerts,
    articles,
    auth,
    connections,
    execution_detail,
    executions,
    sections,
    status,
    users,
    workflow_detail,
    workflow_editor,
    workflows,
)

__all__ = [
    "alerts",
    "articles",
    "auth",
    "connections",
    "execution_detail",
    "executions",
    "sections",
    "status",
    "users",
    "workflow_detail",
    "workflow_editor",
    "workflows",
]
