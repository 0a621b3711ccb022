"""The trigger section of the workflow form: every registered trigger type is offered, and each
type past the first five round-trips through its `TRIGGER_FIELDS`."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.config_models import trigger_config_models
from app.services.workflow_defs import parse_definition
from app.ui.forms.trigger_kinds import TRIGGER_FIELDS
from app.ui.forms.workflow_form import TRIGGER_TYPES, definition_to_form, form_to_definition

HAND_MADE = {"manual", "schedule", "webhook", "event", "publish"}
STEPS = [{"id": "a", "type": "transform", "config": {"values": {"x": 1}}}]

#: A stored trigger of each described type, as the service normalises it (defaults filled).
STORED: dict[str, dict[str, Any]] = {
    "api_endpoint": {"slug": "new-order", "timeout_s": 12.5},
    "alert": {"alert_id": 3},
    "deployment": {"source": "generic", "events": ["release"], "branches": ["main", "release/*"]},
    "incident": {"events": ["opened", "escalated"], "filter": "incident.severity == 'critical'"},
    "email": {
        "connection": "support-inbox",
        "mailbox": "Orders",
        "from_contains": "@acme.com",
        "subject_contains": "invoice",
        "has_attachment": True,
        "after": "move",
        "move_to": "Done",
        "use_idle": False,
        "poll_s": 30,
    },
    "file_watch": {
        "path": "/srv/in",
        "patterns": ["*.csv", "report-*"],
        "events": ["created", "deleted"],
        "debounce_ms": 250,
    },
}


def test_every_registered_trigger_type_is_offered_with_a_section() -> None:
    assert list(trigger_config_models) == TRIGGER_TYPES
    assert set(TRIGGER_TYPES) == HAND_MADE | set(TRIGGER_FIELDS)
    assert set(STORED) == set(TRIGGER_FIELDS)  # a new type gets a row in this table


@pytest.mark.parametrize("kind", sorted(STORED))
def test_a_described_trigger_round_trips_through_the_form(kind: str) -> None:
    definition = {"name": "w", "trigger": {"type": kind, "config": STORED[kind]}, "actions": STEPS}
    fields, trigger, actions = definition_to_form(definition)
    again, problems = form_to_definition(fields, trigger, actions)
    assert problems == []
    spec = parse_definition(again).spec
    assert spec.trigger.type == kind and spec.trigger.config == STORED[kind]


def test_a_deployment_secret_typed_in_the_form_is_sent_once() -> None:
    definition = {"name": "w", "trigger": {"type": "deployment"}, "actions": STEPS}
    fields, trigger, actions = definition_to_form(definition)
    trigger["deploy_secret"] = "typed-secret-1"
    again, problems = form_to_definition(fields, trigger, actions)
    assert problems == [] and again["trigger"]["config"]["secret"] == "typed-secret-1"
    assert parse_definition(again).secret == "typed-secret-1"


def test_an_endpoint_without_a_timeout_gets_the_default() -> None:
    definition = {"name": "w", "trigger": {"type": "manual"}, "actions": STEPS}
    fields, trigger, actions = definition_to_form(definition)
    trigger.update(type="api_endpoint", endpoint_slug="orders", endpoint_timeout="")
    again, problems = form_to_definition(fields, trigger, actions)
    assert problems == [] and again["trigger"] == {
        "type": "api_endpoint",
        "config": {"slug": "orders"},
    }
    assert parse_definition(again).spec.trigger.config == {"slug": "orders", "timeout_s": 30.0}


def test_the_failure_workflow_round_trips_and_bad_text_is_named() -> None:
    definition = {"name": "w", "trigger": {"type": "manual"}, "actions": STEPS,
                  "on_failure_workflow_id": 12}  # fmt: skip
    fields, trigger, actions = definition_to_form(definition)
    assert fields["on_failure_workflow_id"] == "12"
    again, problems = form_to_definition(fields, trigger, actions)
    assert problems == [] and again["on_failure_workflow_id"] == 12
    fields["on_failure_workflow_id"] = ""
    assert form_to_definition(fields, trigger, actions)[0]["on_failure_workflow_id"] is None
    fields["on_failure_workflow_id"] = "twelve"
    assert [p.path for p in form_to_definition(fields, trigger, actions)[1]] == [
        "on_failure_workflow_id"
    ]


@pytest.mark.parametrize(
    ("kind", "config", "summary"),
    [
        ("alert", {"alert_id": 3}, "When alert 3 fires"),
        ("alert", {}, "When any alert fires"),
        ("file_watch", {"path": "/srv/in", "patterns": ["*.csv"]}, "Files in /srv/in (*.csv)"),
        ("incident", {"events": ["opened", "resolved"]}, "When an incident is opened / resolved"),
        (
            "deployment",
            {"source": "github", "branches": ["main"]},
            "GitHub deployment events on main",
        ),
        ("deployment", {"source": "generic"}, "Deploy hook"),
        ("api_endpoint", {"slug": "x"}, "API endpoint POST /api/run/x"),
        ("email", {"connection": "support"}, "New mail in INBOX of support"),
        (
            "email",
            {"connection": 3, "mailbox": "Orders", "subject_contains": "invoice"},
            'New mail about "invoice" in Orders of 3',
        ),
    ],
)
def test_each_trigger_type_says_what_starts_it(kind: str, config: dict, summary: str) -> None:
    from app.db.models import Workflow
    from app.services.workflow_defs import trigger_summary

    assert trigger_summary(Workflow(name="w", trigger_type=kind, trigger_config=config)) == summary
