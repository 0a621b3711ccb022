"""Every table, importable from one place so that metadata is always complete."""

from app.db.models.accounts import ApiKey, Session, User
from app.db.models.alerts import Alert, AlertDelivery, Notification
from app.db.models.analytics import (
    AppSetting,
    error_group,
    execution_day,
    execution_hour,
    step_day,
    step_hour,
)
from app.db.models.audit import AuditEvent
from app.db.models.cluster import LeaderLease, WorkerLease
from app.db.models.content import Article, ContentVersion
from app.db.models.incidents import Incident
from app.db.models.integrations import (
    Connection,
    MetricSample,
    Orchestration,
    OrchestrationCall,
    OrchestrationRun,
    OrchestrationVersion,
)
from app.db.models.templates import TemplateUse, WorkflowTemplate, WorkflowTemplateVersion
from app.db.models.workflows import (
    Approval,
    Execution,
    ExecutionStep,
    StepAttempt,
    StepItem,
    StepWait,
    Workflow,
    WorkflowVersion,
)

__all__ = [
    "Alert",
    "AppSetting",
    "Approval",
    "AlertDelivery",
    "ApiKey",
    "Article",
    "AuditEvent",
    "Connection",
    "ContentVersion",
    "Execution",
    "Incident",
    "LeaderLease",
    "ExecutionStep",
    "MetricSample",
    "Notification",
    "Orchestration",
    "OrchestrationCall",
    "OrchestrationRun",
    "OrchestrationVersion",
    "Session",
    "StepAttempt",
    "StepItem",
    "StepWait",
    "TemplateUse",
    "User",
    "WorkerLease",
    "Workflow",
    "WorkflowTemplate",
    "WorkflowTemplateVersion",
    "WorkflowVersion",
    "error_group",
    "execution_day",
    "execution_hour",
    "step_day",
    "step_hour",
]
