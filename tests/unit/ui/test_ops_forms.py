"""The operations steps (incidents, SMS, tickets, deployments, backups) in the workflow
form: offered in the operations group and the designer's palette, a blank one is valid, a
stored config round-trips through the form unchanged."""

from __future__ import annotations

import pytest

from app.core.workflow import validate_workflow
from app.ui.forms.step_kinds import FLOW_FIELDS, OPS_TYPES
from app.ui.forms.workflow_form import blank_action, definition_to_form, form_to_definition
from app.ui.states.designer import PALETTE

KINDS = ["incident_create", "incident_update", "incident_assign", "incident_escalate",
         "incident_resolve", "sms_send", "ticket_create", "deploy", "rollback", "ci_run",
         "db_backup", "ssh_command", "service_restart"]  # fmt: skip


def _definition(kind: str, config: dict) -> dict:
    action = {"id": "step", "name": "Step", "type": kind, "config": config}
    return {"name": "Flow", "trigger": {"type": "manual", "config": {}}, "actions": [action]}


def _engine_check(definition: dict) -> None:
    """The definition's steps as the engine validates them (the form adds settings of its own)."""
    validate_workflow({k: definition[k] for k in ("name", "trigger", "actions")})


@pytest.mark.parametrize("kind", KINDS)
def test_offered_in_the_operations_group_and_the_palette(kind: str) -> None:
    assert kind in OPS_TYPES
    assert ("Operations", OPS_TYPES) in PALETTE
    assert {f.key for f in FLOW_FIELDS[kind]} <= set(blank_action(0, kind))


@pytest.mark.parametrize("kind", ["incident_create", "incident_resolve", "incident_escalate"])
def test_a_blank_step_is_a_valid_one(kind: str) -> None:
    fields, trigger, _ = definition_to_form(_definition("transform", {"values": {}}))
    definition, problems = form_to_definition(fields, trigger, [blank_action(0, kind)])
    assert problems == []
    _engine_check(definition)


@pytest.mark.parametrize(
    ("kind", "config"),
    [
        ("incident_create", {"title": "{{ trigger.service }} down", "severity": "critical",
                             "assignee": "ana", "dedup_key": "db-down",
                             "mirror": "pagerduty, opsgenie", "description": "x"}),
        ("incident_create", {"title": "t", "severity": "low"}),
        ("incident_update", {"incident": 12, "status": "acknowledged", "note": "looking"}),
        ("incident_update", {"incident": "db-down", "severity": "medium", "title": "new"}),
        ("incident_assign", {"incident": "{{ steps.open.output.id }}", "assignee": "bo"}),
        ("incident_escalate", {"severity": "critical", "assignee": "lead", "note": "paging"}),
        ("incident_escalate", {}),
        ("incident_resolve", {"incident": 3, "note": "fixed"}),
        ("sms_send", {"connection": "twilio", "to": "{{ trigger.phone }}", "body": "down"}),
        ("sms_send", {"connection": 4, "to": "+15005550006", "sender": "+15005550001",
                      "body": "x"}),
        ("ticket_create", {"connection": "jira", "title": "t", "project": "OPS",
                           "labels": "a, b", "issue_type": "Bug", "body": "x"}),
        ("ticket_create", {"connection": "gh", "title": "{{ trigger.title }}"}),
        ("deploy", {"connection": "gh", "ref": "main", "workflow": "deploy.yml",
                    "environment": "prod", "inputs": {"replicas": 3}}),
        ("deploy", {"connection": "hook", "ref": "{{ trigger.ref }}", "path": "/deploy"}),
        ("rollback", {"connection": 2, "previous_ref": "v1.2.2"}),
        ("ci_run", {"connection": "gl", "ref": "main", "timeout_s": 600, "poll_s": 5}),
        ("db_backup", {"connection": "reports", "keep": 3}),
        ("db_backup", {"connection": "reports"}),
        ("ssh_command", {"connection": "web-1", "command": "uptime"}),
        ("ssh_command", {"connection": 3, "command": "df -h {{ trigger.dir }}", "timeout_s": 5,
                         "max_output": 4096, "check": False}),
        ("service_restart", {"connection": "web-1", "service": "nginx"}),
        ("service_restart", {"connection": "api", "service": "worker", "manager": "service",
                             "sudo": True, "path": "/restart"}),
    ],
)  # fmt: skip
def test_a_stored_config_round_trips_through_the_form(kind: str, config: dict) -> None:
    fields, trigger, actions = definition_to_form(_definition(kind, config))
    definition, problems = form_to_definition(fields, trigger, actions)
    assert problems == []
    assert definition["actions"][0]["config"] == config
    _engine_check(definition)
