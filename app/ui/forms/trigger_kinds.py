"""The form fields of the trigger types past the first five, described once as `FlowField`s.

The same list builds the inputs of the trigger section, the trigger's config from the form
and the form fields read back from a stored config (`flow_config` / `flow_form` of
`step_kinds`, which treat a trigger's fields exactly like a step's). The type list itself comes
from the registry (`trigger_config_models`), so a registered trigger type is offered by itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.config_models import trigger_config_models
from app.core.errors import Problem
from app.ui.forms.step_kinds import FlowField, flow_config, flow_form

#: The first five types have hand-made sections; every other registered type is listed here.
TRIGGER_FIELDS: dict[str, tuple[FlowField, ...]] = {
    "api_endpoint": (
        FlowField(
            "endpoint_slug",
            "slug",
            "Slug (POST /api/run/<slug>; a-z, 0-9 and -)",
            placeholder="new-order",
        ),
        FlowField(
            "endpoint_timeout",
            "timeout_s",
            "Answer within (s, 1–300; later: 202 with the run's id)",
            placeholder="30",
            default="30",
            omit="",
            literal=True,
        ),
    ),
    "alert": (
        FlowField(
            "alert_id",
            "alert_id",
            "Alert id (Admin → Alerts; empty: any alert)",
            placeholder="3",
            omit="",
            literal=True,
        ),
    ),
    "file_watch": (
        FlowField(
            "watch_path",
            "path",
            "Folder (absolute, under FLOWDECK_WATCH_ROOTS)",
            placeholder="/srv/incoming/orders",
        ),
        FlowField(
            "watch_patterns",
            "patterns",
            "File names (commas: *.csv, report-*)",
            "items",
            placeholder="*",
            default="*",
            omit="",
        ),
        FlowField(
            "watch_events",
            "events",
            "Events (commas: created, modified, deleted)",
            "items",
            default="created, modified, deleted",
            omit="",
        ),
        FlowField(
            "watch_debounce",
            "debounce_ms",
            "Debounce (ms, 50–60000)",
            placeholder="500",
            default="500",
            omit="",
            literal=True,
        ),
    ),
    "email": (
        FlowField(
            "mail_connection",
            "connection",
            "IMAP connection (name or id; Admin → Connections)",
            placeholder="support-inbox",
            literal=True,
        ),
        FlowField("mail_mailbox", "mailbox", "Mailbox", placeholder="INBOX", default="INBOX"),
        FlowField(
            "mail_from",
            "from_contains",
            "From contains (optional)",
            placeholder="@acme.com",
            omit="",
        ),
        FlowField(
            "mail_subject",
            "subject_contains",
            "Subject contains (optional)",
            placeholder="invoice",
            omit="",
        ),
        FlowField(
            "mail_attachment",
            "has_attachment",
            "Has attachment (true, false or any)",
            "select",
            options=("any", "true", "false"),
            default="any",
            omit="any",
            literal=True,
        ),
        FlowField(
            "mail_after",
            "after",
            "Then (flag: mark seen and flagged; move: to the folder below)",
            "select",
            options=("flag", "move"),
            default="flag",
        ),
        FlowField("mail_move_to", "move_to", "Move to folder", placeholder="Processed", omit=""),
        FlowField(
            "mail_idle",
            "use_idle",
            "Wait with IDLE when offered (false: poll)",
            "select",
            options=("true", "false"),
            default="true",
            literal=True,
        ),
        FlowField(
            "mail_poll",
            "poll_s",
            "Poll every (s, 5–3600; without IDLE)",
            placeholder="60",
            default="60",
            omit="",
            literal=True,
        ),
    ),
    "deployment": (
        FlowField(
            "deploy_source",
            "source",
            "Source",
            "select",
            options=("github", "generic"),
            default="github",
        ),
        FlowField(
            "deploy_events",
            "events",
            "GitHub events (commas)",
            "items",
            default="deployment, deployment_status, release, workflow_run",
            omit="",
        ),
        FlowField(
            "deploy_branches",
            "branches",
            "Branches (commas, release/*; empty: any)",
            "items",
            placeholder="main, release/*",
            omit="",
        ),
        FlowField(
            "deploy_secret",
            "secret",
            "Secret (leave empty to keep or to have one generated)",
            "secret",
            omit="",
        ),
    ),
    "incident": (
        FlowField(
            "incident_events",
            "events",
            "Incident events (commas: opened, escalated, resolved)",
            "items",
            default="opened, escalated, resolved",
            omit="",
        ),
        FlowField(
            "incident_filter",
            "filter",
            "Filter (condition on incident, optional)",
            placeholder="incident.severity == 'critical'",
            omit="",
        ),
    ),
}
#: What each type's section says it does, under the type's fields.
TRIGGER_HINTS: dict[str, str] = {
    "email": "Each new unseen message that passes the filters starts one run (once per "
    "Message-ID) with trigger.subject, trigger.from, trigger.to, trigger.text, trigger.html, "
    "trigger.headers and trigger.attachments (names and sizes); it is then flagged or moved.",
    "incident": "Runs with trigger.event and trigger.incident (title, severity, status, "
    "assignee, …); incidents this workflow's own runs open or change do not start it.",
    "deployment": "GitHub: add the URL as a webhook (content type application/json) with the "
    "secret; pick Deployments, Deployment statuses, Releases or Workflow runs. Generic: sign "
    "the JSON body with X-Flowdeck-Signature (t=…,v1=…).",
    "file_watch": "Each created, modified or deleted file starts a run with trigger.path, "
    "trigger.name, trigger.size and trigger.event; changes within the debounce time count once.",
    "alert": "Runs when the alert fires, with trigger.alert, trigger.execution and "
    "trigger.error; a run it starts that fails does not start it again.",
    "api_endpoint": "Callers send an API key (Authorization: Bearer …); the JSON body is the "
    "trigger payload, the answer the steps' outputs.",
}
TRIGGER_KEYS: tuple[str, ...] = tuple(f.key for fields in TRIGGER_FIELDS.values() for f in fields)
TRIGGER_TYPES: list[str] = list(trigger_config_models)


def trigger_field_defaults() -> dict[str, str]:
    return {f.key: f.default for fields in TRIGGER_FIELDS.values() for f in fields}


def trigger_config(form: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
    """The config of a trigger described by `TRIGGER_FIELDS` (bad JSON at its config path)."""
    return flow_config(form, "trigger", problems, TRIGGER_FIELDS)


def trigger_form(kind: str, config: Mapping[str, Any]) -> dict[str, str]:
    """The form fields of a stored trigger config of a type in `TRIGGER_FIELDS`."""
    return flow_form(kind, config, TRIGGER_FIELDS)
