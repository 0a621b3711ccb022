"""Turning API/UI input into a stored workflow definition, and a row back into JSON."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from app.core.config_models import normalize_action_config
from app.core.cron import describe_cron
from app.core.errors import Problem, ValidationFailed
from app.core.retention import FIELDS as RETENTION_FIELDS
from app.core.retention import Policy, parse_policy
from app.core.workflow import WorkflowSpec, validate_workflow
from app.db.models import Workflow
from app.db.settings import get_settings
from app.engine.actions import action_types

PRIORITY_RANK = {"low": 0, "normal": 1, "high": 2}
#: Trigger types called at a hook URL, with a write-only secret (`webhook_secret_enc`).
SIGNED_HOOKS = ("webhook", "deployment")
#: What start-up recovery does with a run that a dead process left `interrupted`.
ON_INTERRUPTED = ("leave", "retry")
_DEFINITION_FIELDS = (
    "name",
    "description",
    "workflow_type",
    "priority",
    "concurrency_limit",
    "max_parallel",
    "is_active",
    "trigger",
    "actions",
)
_CAMEL = {
    "workflowType": "workflow_type",
    "concurrencyLimit": "concurrency_limit",
    "maxParallel": "max_parallel",
    "isActive": "is_active",
    "onInterrupted": "on_interrupted",
    "onFailureWorkflowId": "on_failure_workflow_id",
    "keepDays": "keep_days",
    "keepLast": "keep_last",
    "keepDataDays": "keep_data_days",
}


def snake_keys(data: dict[str, Any]) -> dict[str, Any]:
    """Top-level camelCase keys of the original document's examples, in snake_case."""
    return {_CAMEL.get(k, k): v for k, v in data.items()}


@dataclass(frozen=True)
class Definition:
    """A checked definition: the spec, the recovery policy, and a webhook secret taken out."""

    spec: WorkflowSpec
    on_interrupted: str = "leave"
    secret: str | None = None
    #: The workflow to run when a run of this one fails (None: none).
    on_failure: int | None = None
    #: Its own retention values (#16), None when the input named none of them (kept as is).
    retention: Policy | None = None


def _policy(data: dict[str, Any]) -> tuple[str, list[Problem]]:
    value = data.get("on_interrupted")
    if value is None:
        return "leave", []
    if value in ON_INTERRUPTED:
        return value, []
    message = f"must be leave or retry (what to do with a run Flowdeck stopped), not {value!r}"
    return "leave", [Problem("on_interrupted", message)]


def _on_failure(data: dict[str, Any]) -> tuple[int | None, list[Problem]]:
    value = data.get("on_failure_workflow_id")
    if value is None or value == "":
        return None, []
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**53:
        message = f"must be the id of the workflow to run when a run fails, not {value!r}"
        return None, [Problem("on_failure_workflow_id", message)]
    return value, []


def parse_definition(data: dict[str, Any]) -> Definition:
    """Validate a definition, reporting every problem at once.

    Unknown top-level keys such as `createdBy` from the original examples are dropped
    before validation: they are not part of the definition. A missing `on_interrupted`
    is "leave".
    """
    data = snake_keys(data)
    on_interrupted, problems = _policy(data)
    on_failure, found = _on_failure(data)
    problems.extend(found)
    retention = None
    if any(name in data for name in RETENTION_FIELDS):
        try:
            retention = parse_policy(data, blank=" (empty: the global setting)")
        except ValidationFailed as exc:
            problems.extend(exc.problems)
    clean = {k: v for k, v in data.items() if k in _DEFINITION_FIELDS}
    try:
        spec = validate_workflow(clean, set(action_types()))
    except ValidationFailed as exc:
        raise ValidationFailed([*exc.problems, *problems]) from None
    if problems:
        raise ValidationFailed(problems)
    secret = None
    if spec.trigger.type in SIGNED_HOOKS:
        secret = spec.trigger.config.pop("secret", None)
    return Definition(spec, on_interrupted, secret, on_failure, retention)


def definition_of(parsed: Definition) -> dict[str, Any]:
    """The JSON stored in versions: the full definition without any secret."""
    definition = parsed.spec.model_dump(mode="json", exclude_none=False)
    for action in definition["actions"]:
        action["config"] = normalize_action_config(action["type"], action["config"])
    definition["on_interrupted"] = parsed.on_interrupted
    if parsed.on_failure is not None:  # left out when unset: older versions dump as they did
        definition["on_failure_workflow_id"] = parsed.on_failure
    return definition


def definition_from_row(row: Workflow) -> dict[str, Any]:
    return {
        "name": row.name,
        "description": row.description,
        "workflow_type": row.workflow_type,
        "priority": row.priority,
        "concurrency_limit": row.concurrency_limit,
        "max_parallel": row.max_parallel,
        "is_active": row.is_active,
        "trigger": {"type": row.trigger_type, "config": dict(row.trigger_config)},
        "actions": list(row.actions),
        "on_interrupted": row.on_interrupted,
        "on_failure_workflow_id": row.on_failure_workflow_id,
    }


def apply_spec(row: Workflow, parsed: Definition) -> None:
    spec = parsed.spec
    row.on_interrupted = parsed.on_interrupted
    row.on_failure_workflow_id = parsed.on_failure
    row.name, row.description = spec.name, spec.description
    row.workflow_type, row.priority = spec.workflow_type, spec.priority
    row.concurrency_limit, row.is_active = spec.concurrency_limit, spec.is_active
    row.max_parallel = spec.max_parallel
    if parsed.retention is not None:
        row.keep_days, row.keep_last, row.keep_data_days = (
            parsed.retention.keep_days,
            parsed.retention.keep_last,
            parsed.retention.keep_data_days,
        )
    row.trigger_type = spec.trigger.type
    row.trigger_config = dict(spec.trigger.config)
    row.actions = [
        {**a.model_dump(mode="json"), "config": normalize_action_config(a.type, a.config)}
        for a in spec.actions
    ]
    config = spec.trigger.config
    is_cron = spec.trigger.type == "schedule" and config.get("cron")
    row.schedule_cron = config["cron"] if is_cron else None
    row.schedule_timezone = config.get("timezone") if is_cron else None
    if spec.trigger.type in SIGNED_HOOKS and not row.hook_id:
        row.hook_id = secrets.token_urlsafe(24)
    row.endpoint_slug = config.get("slug") if spec.trigger.type == "api_endpoint" else None


def webhook_url(row: Workflow) -> str | None:
    """The address a webhook (or a deployment hook: `/api/hooks/deploy/…`) is called at."""
    if row.trigger_type not in SIGNED_HOOKS or not row.hook_id:
        return None
    kind = "deploy/" if row.trigger_type == "deployment" else ""
    return f"{get_settings().base_url}/api/hooks/{kind}{row.hook_id}"


def endpoint_url(row: Workflow) -> str | None:
    """Where an `api_endpoint` workflow is called: `POST <base>/api/run/<slug>`."""
    if row.trigger_type != "api_endpoint" or not row.endpoint_slug:
        return None
    return f"{get_settings().base_url}/api/run/{row.endpoint_slug}"


def trigger_summary(row: Workflow) -> str:
    config = row.trigger_config
    if row.trigger_type == "alert":
        alert_id = config.get("alert_id")
        return f"When alert {alert_id} fires" if alert_id else "When any alert fires"
    if row.trigger_type == "file_watch":
        return f"Files in {config.get('path')} ({', '.join(config.get('patterns') or ['*'])})"
    if row.trigger_type == "email":
        subject = config.get("subject_contains")
        about = f' about "{subject}"' if subject else ""
        return (
            f"New mail{about} in {config.get('mailbox') or 'INBOX'} of {config.get('connection')}"
        )
    if row.trigger_type == "incident":
        return f"When an incident is {' / '.join(config.get('events') or [])}"
    if row.trigger_type == "deployment":
        source = "GitHub deployment events" if config.get("source") == "github" else "Deploy hook"
        return source + (f" on {', '.join(config['branches'])}" if config.get("branches") else "")
    if row.trigger_type == "api_endpoint":
        return f"API endpoint POST /api/run/{config.get('slug')}"
    if row.trigger_type == "schedule":
        if row.schedule_cron:
            return describe_cron(row.schedule_cron, row.schedule_timezone or "UTC")
        return f"Every {config.get('interval_seconds')} seconds"
    if row.trigger_type == "webhook":
        return f"Webhook ({config.get('signature', 'none')} signature)"
    if row.trigger_type == "event":
        return f"On event {config.get('event')}"
    if row.trigger_type == "publish":
        return f"When an article becomes {config.get('article_status', 'ready')}"
    return "Manual"


def to_public(row: Workflow) -> dict[str, Any]:
    """The workflow as the API and UI show it: no secret, with counters and its hook URL."""
    success = row.successes / row.runs if row.runs else None
    return {
        "id": row.id,
        **definition_from_row(row),
        "trigger_summary": trigger_summary(row),
        "webhook_url": webhook_url(row),
        "endpoint_url": endpoint_url(row),
        "has_webhook_secret": bool(row.webhook_secret_enc),
        "version": row.version,
        "runs": row.runs,
        "successes": row.successes,
        "failures": row.failures,
        "success_rate": success,
        "avg_duration_ms": round(row.avg_duration_ms, 2),
        **{name: getattr(row, name, None) for name in RETENTION_FIELDS},
        "last_run_at": row.last_run_at.isoformat() if row.last_run_at else None,
        "last_status": row.last_status,
        "next_run_at": row.next_run_at.isoformat() if row.next_run_at else None,
        "created_by": row.created_by,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }
