"""Importing this package registers every page."""

from app.ui.pages import (
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
