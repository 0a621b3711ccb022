"""The form fields of the operations steps (incidents, communication, deployment,
infrastructure), as `step_kinds.FlowField`s: merged into `FLOW_FIELDS`, so the workflow form
and the designer's side panel build their inputs from here, and listed in the "operations"
group of the add menu and the palette."""

from __future__ import annotations

from app.ui.forms.flow_field import FlowField

_INCIDENT = FlowField(
    "incident_ref",
    "incident",
    "Incident (id or dedup key; empty: the trigger's incident_id)",
    placeholder="{{ steps.open.output.id }}",
    omit="",
    literal=True,
)
_NOTE = FlowField("incident_note", "note", "Note for the timeline", "textarea", omit="")
_SEVERITIES = ("low", "medium", "high", "critical")
_DEPLOY_CONNECTION = FlowField(
    "deploy_connection",
    "connection",
    "GitHub, GitLab or deploy hook (HTTP) connection",
    placeholder="gh",
    literal=True,
)
_DISPATCH_FIELDS = (
    FlowField(
        "deploy_workflow",
        "workflow",
        "GitHub workflow (file or id)",
        placeholder="deploy.yml",
        omit="",
    ),  # fmt: skip
    FlowField(
        "deploy_environment", "environment", "Environment", placeholder="production", omit=""
    ),  # fmt: skip
    FlowField("deploy_path", "path", "Deploy hook path", placeholder="/deploy", omit=""),
    FlowField("deploy_inputs_json", "inputs", "Inputs / variables (JSON)", "json", omit=""),
)

OPS_FIELDS: dict[str, tuple[FlowField, ...]] = {
    "incident_create": (
        FlowField(
            "incident_title",
            "title",
            "Title",
            placeholder="{{ trigger.service }} is down",
            default="{{ trigger.title }}",
        ),
        FlowField(
            "incident_severity",
            "severity",
            "Severity",
            "select",
            options=_SEVERITIES,
            default="high",
        ),
        FlowField("incident_assignee", "assignee", "Assignee", placeholder="ana", omit=""),
        FlowField(
            "incident_key",
            "dedup_key",
            "Dedup key (an incident with it is reused; empty: one per run)",
            placeholder="db-down",
            omit="",
        ),
        FlowField(
            "incident_mirror",
            "mirror",
            "Mirror to (PagerDuty / Opsgenie connections, commas)",
            "list",
            placeholder="pagerduty, opsgenie",
            omit="",
        ),
        FlowField("incident_description", "description", "Description", "textarea", omit=""),
    ),
    "incident_update": (
        _INCIDENT,
        FlowField(
            "incident_status",
            "status",
            "Status",
            "select",
            options=("(unchanged)", "open", "acknowledged", "resolved"),
            default="(unchanged)",
            omit="(unchanged)",
        ),
        FlowField(
            "incident_new_severity",
            "severity",
            "Severity",
            "select",
            options=("(unchanged)", *_SEVERITIES),
            default="(unchanged)",
            omit="(unchanged)",
        ),
        FlowField("incident_new_title", "title", "New title", omit=""),
        _NOTE,
    ),
    "incident_assign": (
        _INCIDENT,
        FlowField(
            "incident_assign_to", "assignee", "Assign to", placeholder="{{ trigger.on_call }}"
        ),
        _NOTE,
    ),
    "incident_escalate": (
        _INCIDENT,
        FlowField(
            "incident_escalate_to",
            "severity",
            "To severity",
            "select",
            options=("(one level up)", *_SEVERITIES),
            default="(one level up)",
            omit="(one level up)",
        ),
        FlowField("incident_escalate_assignee", "assignee", "Reassign to", omit=""),
        _NOTE,
    ),
    "incident_resolve": (_INCIDENT, _NOTE),
    "sms_send": (
        FlowField(
            "sms_connection",
            "connection",
            "Twilio connection",
            placeholder="twilio",
            literal=True,
        ),
        FlowField("sms_to", "to", "To (E.164)", placeholder="{{ trigger.phone }}"),
        FlowField("sms_sender", "sender", "From (empty: the connection's)", omit=""),
        FlowField(
            "sms_body",
            "body",
            "Message (≤ 1600 characters)",
            "textarea",
            default="{{ workflow.name }}: {{ trigger }}",
        ),
    ),
    "ticket_create": (
        FlowField(
            "ticket_connection",
            "connection",
            "GitHub, Jira or Linear connection",
            placeholder="jira",
            literal=True,
        ),
        FlowField(
            "ticket_project",
            "project",
            "Repository / project key / team (empty: the connection's)",
            placeholder="acme/api, OPS or a team id",
            omit="",
        ),
        FlowField("ticket_title", "title", "Title", default="{{ trigger.title }}"),
        FlowField("ticket_labels", "labels", "Labels (commas)", "list", omit=""),
        FlowField(
            "ticket_issue_type", "issue_type", "Jira issue type", placeholder="Task", omit=""
        ),  # fmt: skip
        FlowField("ticket_body", "body", "Description", "textarea", omit=""),
    ),
    "deploy": (
        _DEPLOY_CONNECTION,
        FlowField(
            "deploy_ref",
            "ref",
            "Ref (branch, tag or commit)",
            placeholder="main",
            default="{{ trigger.ref }}",
        ),  # fmt: skip
        *_DISPATCH_FIELDS,
    ),
    "rollback": (
        _DEPLOY_CONNECTION,
        FlowField(
            "rollback_ref",
            "previous_ref",
            "Previous ref",
            placeholder="v2.0.9",
            default="{{ trigger.previous_ref }}",
        ),  # fmt: skip
        *_DISPATCH_FIELDS,
    ),
    "ci_run": (
        FlowField(
            "ci_connection",
            "connection",
            "GitHub or GitLab connection",
            placeholder="gh",
            literal=True,
        ),  # fmt: skip
        FlowField("ci_ref", "ref", "Ref", placeholder="main", default="{{ trigger.ref }}"),
        FlowField(
            "ci_workflow",
            "workflow",
            "GitHub workflow (file or id)",
            placeholder="tests.yml",
            omit="",
        ),  # fmt: skip
        FlowField(
            "ci_timeout",
            "timeout_s",
            "Wait at most (s, 10–3600)",
            placeholder="1800",
            omit="",
            literal=True,
        ),  # fmt: skip
        FlowField(
            "ci_poll", "poll_s", "Poll every (s)", placeholder="15", omit="", literal=True
        ),  # fmt: skip
        FlowField("ci_inputs_json", "inputs", "Inputs / variables (JSON)", "json", omit=""),
    ),
    "db_backup": (
        FlowField(
            "backup_connection",
            "connection",
            "Database connection",
            placeholder="reports",
            literal=True,
        ),  # fmt: skip
        FlowField(
            "backup_keep", "keep", "Keep the newest (1–100)", placeholder="7", omit="", literal=True
        ),  # fmt: skip
    ),
    "ssh_command": (
        FlowField(
            "ssh_connection", "connection", "SSH connection", placeholder="web-1", literal=True
        ),  # fmt: skip
        FlowField(
            "ssh_command", "command", "Command (templates allowed)", "code", default="uptime"
        ),  # fmt: skip
        FlowField(
            "ssh_timeout",
            "timeout_s",
            "Timeout (s, 1–3600)",
            placeholder="60",
            omit="",
            literal=True,
        ),  # fmt: skip
        FlowField(
            "ssh_max_output",
            "max_output",
            "Output kept (bytes per stream)",
            placeholder="65536",
            omit="",
            literal=True,
        ),  # fmt: skip
        FlowField(
            "ssh_check",
            "check",
            "Non-zero exit fails the step",
            "select",
            options=("true", "false"),
            default="true",
            omit="true",
            literal=True,
        ),  # fmt: skip
    ),
    "service_restart": (
        FlowField(
            "svc_connection",
            "connection",
            "SSH or HTTP connection",
            placeholder="web-1",
            literal=True,
        ),  # fmt: skip
        FlowField("svc_name", "service", "Service", placeholder="nginx.service"),
        FlowField(
            "svc_manager",
            "manager",
            "Over SSH with",
            "select",
            options=("systemctl", "service"),
            default="systemctl",
            omit="systemctl",
        ),  # fmt: skip
        FlowField(
            "svc_sudo",
            "sudo",
            "sudo -n",
            "select",
            options=("false", "true"),
            default="false",
            omit="false",
            literal=True,
        ),  # fmt: skip
        FlowField("svc_path", "path", "HTTP path", placeholder="/services/restart", omit=""),
    ),
}
OPS_COLUMNS: dict[str, int] = {"incident_create": 3, "incident_update": 3, "incident_assign": 3,
                               "incident_escalate": 4, "incident_resolve": 2, "sms_send": 3,
                               "ticket_create": 3, "deploy": 3, "rollback": 3, "ci_run": 3,
                               "db_backup": 2, "ssh_command": 3, "service_restart": 5}  # fmt: skip
