"""Every example request of the original documents (/work/shared/original/000…004), as JSON text.

The TypeScript and Python objects are written as the JSON they serialise to (`True` → `true`,
single quotes → double), nothing else changed. Placeholders are marked `<…>` and replaced by
`fill()` with real values, and only those: `<workflow.id>` (000's `workflow.id`, `workflow-id`,
`[id]`, 003's `wf_abc123`, 004's `123` and `{workflow_id}`) is the id of a workflow the test
made; `<slack hook>` (000's `https://hooks.slack.com/services/...`) is the loopback Slack
counterpart's hook; `<rest of a valid body>` (the `...` inside 000's curl body) is a trigger and
a step. String ids the documents use as data, such as `article-123`, `admin-user-id` and
`workflow-456`, are sent as written: `article-123` names an article by its slug.
"""

from __future__ import annotations

import json
from typing import Any

# -- 000 "Usage Examples" -----------------------------------------------------------------------

#: 1. createWorkflow — POST /workflows
EXAMPLE_1 = """{
  "name": "Auto Publish & Share",
  "description": "Automatically publish articles and share on social media",
  "workflowType": "custom",
  "trigger": {"type": "publish", "config": {"articleStatus": "READY_TO_PUBLISH"}},
  "actions": [
    {"id": "publish", "name": "Publish Article", "type": "publish", "config": {}},
    {"id": "share", "name": "Share on Social Media", "type": "share",
     "config": {"platforms": ["twitter", "telegram", "linkedin"]}},
    {"id": "monitor", "name": "Monitor Performance", "type": "monitor",
     "config": {"metrics": ["ranking", "traffic", "engagement"]}}
  ],
  "priority": "high",
  "createdBy": "admin-user-id"
}"""

#: 2. createAlert — POST /alerts
EXAMPLE_2 = """{
  "workflowId": <workflow.id>,
  "alertType": "slack",
  "channel": "<slack hook>",
  "events": ["workflow_complete", "workflow_fail"],
  "severity": "error",
  "createdBy": "admin-user-id"
}"""
SLACK_AS_WRITTEN = "https://hooks.slack.com/services/..."

#: 3. createContentVersion — POST /versions
EXAMPLE_3 = """{
  "articleId": "article-123",
  "changeDescription": "Updated headline and SEO metadata",
  "changedBy": "editor-user-id",
  "changeType": "edited",
  "metadata": {"workflow": true, "automationId": "workflow-456"}
}"""

#: 4. executeWorkflow('workflow-id', 'manual', { articleId: 'article-123' }) —
#: POST /workflows/<id>/execute with the trigger type and the trigger data.
EXAMPLE_4 = """{"triggerType": "manual", "triggerData": {"articleId": "article-123"}}"""

#: "API Testing" curl lines (000): (method, path, body)
CURL = [
    ("GET", "/workflows", None),
    (
        "POST",
        "/workflows",
        '{"name":"Test Workflow","workflowType":"custom",<rest of a valid body>}',
    ),
    ("POST", "/workflows/<workflow.id>/execute", '{"triggerType":"manual"}'),
    ("GET", "/stats", None),
]
#: What `...` in the create line stands for: a trigger and one step.
REST_OF_A_VALID_BODY = (
    '"trigger":{"type":"manual"},'
    '"actions":[{"id":"hello","type":"transform","config":{"values":{"text":"hello"}}}]'
)

# -- 002 (BlueBirdHub) --------------------------------------------------------------------------

#: "Creating a Simple Workflow" — POST /api/workflows/ there.
CUSTOMER_ONBOARDING = """{
  "name": "Customer Onboarding",
  "description": "Automated customer setup process",
  "workspace_id": 1,
  "steps": [
    {"name": "Send Welcome Email", "step_type": "SEND_EMAIL", "order": 1,
     "config": {"template": "welcome_email", "to": "{{customer_email}}"}},
    {"name": "Create Customer Account", "step_type": "CALL_API", "order": 2,
     "config": {"url": "/api/customers", "method": "POST", "data": "{{customer_data}}"}}
  ],
  "triggers": [{"name": "New Customer Webhook", "trigger_type": "WEBHOOK", "is_enabled": true}]
}"""
#: scheduler.schedule_workflow(...) — a Python call there; here, the workflow's trigger.
WEEKLY_SCHEDULE = """{"trigger": {"type": "schedule",
  "config": {"cron": "0 9 * * MON", "timezone": "America/New_York"}}}"""

# -- 003 (iTechSmart) ---------------------------------------------------------------------------

INCIDENT_WORKFLOW = """{
    "name": "Incident Response",
    "description": "Automated incident response workflow",
    "category": "Incident Management"
  }"""
#: "Add Node" — POST /automation/workflows/wf_abc123/nodes there.
ADD_NODE = """{
    "node_type": "action",
    "label": "Send Slack Alert",
    "position_x": 100,
    "position_y": 200,
    "config": {
      "action_type": "send_slack",
      "channel": "#incidents",
      "message": "Critical incident detected"
    }
  }"""
INCIDENT_EXECUTE = """{
    "input_data": {
      "incident_id": "INC-12345",
      "severity": "critical"
    }
  }"""

# -- 004 (custom workflows) ---------------------------------------------------------------------

NEW_VERSION = """{"workflow_data": <workflow data>,
  "change_description": "Added new notification action"}"""
NEW_VERSION_JS = """{"workflow_data": <workflow data>,
  "change_description": "Added email notification action"}"""
ROLLBACK = """{
  "version_number": 5,
  "reason": "Previous version had bugs"
}"""
ROLLBACK_JS = """{"version_number": 5, "reason": "Version 6 caused production errors"}"""


def fill(text: str, **values: Any) -> bytes:
    """`text` with each `<name>` placeholder replaced (`workflow.id` → `workflow_id`), checked to
    be JSON; the bytes to send."""
    names = {"workflow_id": "<workflow.id>", "slack_hook": "<slack hook>",
             "workflow_data": "<workflow data>"}  # fmt: skip
    for key, value in values.items():
        text = text.replace(names[key], value if isinstance(value, str) else json.dumps(value))
    text = text.replace("<rest of a valid body>", REST_OF_A_VALID_BODY)
    json.loads(text)  # every placeholder filled
    return text.encode()


def path_of(path: str, workflow_id: int) -> str:
    return path.replace("<workflow.id>", str(workflow_id))
