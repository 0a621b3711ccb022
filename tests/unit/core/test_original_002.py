"""The translation of 002's workflow shape into Flowdeck's (`app.core.original_002`)."""

from __future__ import annotations

from typing import Any

import pytest

import app.engine.actions  # noqa: F401  (registers send_email's config)
from app.core.errors import ValidationFailed
from app.core.original_002 import is_002_shape, payload_references, step_id, translate
from app.core.workflow import parse_action_config


@pytest.mark.parametrize(
    ("text", "root", "expected"),
    [
        ("{{customer_email}}", "trigger", "{{trigger.customer_email}}"),
        ("{{ customer_data }}", "trigger.body", "{{ trigger.body.customer_data }}"),
        ("Hi {{ name | upper }}!", "trigger", "Hi {{ trigger.name | upper }}!"),
        ("{{ a.b }} and {{ a['c'] }}", "trigger", "{{ trigger.a.b }} and {{ trigger.a['c'] }}"),
        ("{{ trigger.x }} {{ steps.s.output }}", "trigger.body",
         "{{ trigger.x }} {{ steps.s.output }}"),
        ("{% for u in users %}{{ u }}{% endfor %}", "trigger",
         "{% for u in trigger.users %}{{ u }}{% endfor %}"),
        ("{{ 'customer_email' }}", "trigger", "{{ 'customer_email' }}"),
        ("{{ x is defined }}", "trigger", "{{ trigger.x is defined }}"),
        ("no template", "trigger", "no template"),
        ("{{ broken", "trigger", "{{ broken"),
        ("{{ env.HOME }} {{ now }}", "trigger", "{{ env.HOME }} {{ now }}"),
    ],
)  # fmt: skip
def test_payload_references(text: str, root: str, expected: str) -> None:
    assert payload_references(text, root) == expected


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("Send Welcome Email", set(), "send_welcome_email"),
        ("Send Welcome Email", {"send_welcome_email"}, "send_welcome_email_2"),
        ("  ", set(), "step"),
        ("1st call", set(), "step_1st_call"),
        ("Ünïcode — API!", set(), "n_code_api"),
    ],
)
def test_step_ids(name: str, taken: set[str], expected: str) -> None:
    assert step_id(name, taken) == expected


def _body(**extra: Any) -> dict[str, Any]:
    steps = [
        {"name": "Call", "step_type": "CALL_API", "order": 2,
         "config": {"url": "https://crm.example.com/c", "method": "post", "data": "{{d}}",
                    "params": {"a": 1}}},
        {"name": "Mail", "step_type": "SEND_EMAIL", "order": 1,
         "config": {"to": "{{email}}", "subject": "Hi", "body": "Welcome"}},
    ]  # fmt: skip
    return {"name": "W", "steps": steps, **extra}


def test_steps_run_in_order_chained_with_their_configs_translated() -> None:
    result = translate(_body())
    mail, call = result.data["actions"]
    assert (mail["id"], mail["type"], "depends_on" in mail) == ("mail", "send_email", False)
    assert (call["id"], call["type"], call["depends_on"]) == ("call", "api_call", ["mail"])
    assert call["config"] == {
        "url": "https://crm.example.com/c",
        "method": "POST",
        "json": "{{trigger.d}}",
        "query": {"a": 1},
    }
    assert mail["config"]["to"] == "{{trigger.email}}"  # no trigger given: a manual run
    assert result.data["trigger"] == {"type": "manual", "config": {}}
    assert result.warnings == [] and "is_active" not in result.data
    for action in result.data["actions"]:  # what the translation writes is valid config
        parse_action_config(action["type"], action["config"])


@pytest.mark.parametrize(
    ("trigger", "expected", "active"),
    [
        ({"trigger_type": "WEBHOOK", "is_enabled": False},
         {"type": "webhook", "config": {}}, False),
        ({"trigger_type": "MANUAL"}, {"type": "manual", "config": {}}, None),
        ({"trigger_type": "SCHEDULE", "config": {"cron_expression": "0 9 * * MON"}},
         {"type": "schedule", "config": {"cron": "0 9 * * MON"}}, None),
    ],
)  # fmt: skip
def test_triggers(trigger: dict[str, Any], expected: dict[str, Any], active: bool | None) -> None:
    data = translate(_body(triggers=[trigger])).data
    assert data["trigger"] == expected and data.get("is_active") == active


def test_a_webhook_reads_the_payload_from_its_body() -> None:
    data = translate(_body(triggers=[{"trigger_type": "WEBHOOK"}])).data
    assert data["actions"][0]["config"]["to"] == "{{trigger.body.email}}"


def test_a_path_is_called_on_the_api_connection_and_warned_about_until_it_exists() -> None:
    body = _body(workspace_id=7)
    body["steps"][0]["config"]["url"] = "/api/customers"
    result = translate(body, connections=["other"])
    assert result.data["actions"][1]["config"]["connection"] == "api"
    assert [w["path"] for w in result.warnings] == ["workspace_id", "actions[1].config.connection"]
    assert "workspace_id 7" in result.warnings[0]["message"]
    assert "'api', which does not exist" in result.warnings[1]["message"]
    assert "workspace_id" not in result.data
    assert [w["path"] for w in translate(body, connections=["api"]).warnings] == ["workspace_id"]
    body["steps"][0]["config"]["connection"] = "crm"
    named = translate(body, connections=["api"])
    assert named.data["actions"][1]["config"]["connection"] == "crm"
    assert "'crm'" in named.warnings[1]["message"]


@pytest.mark.parametrize(
    ("change", "paths"),
    [
        ({"steps": "x"}, {"steps"}),
        ({"steps": [1]}, {"steps[0]"}),
        ({"steps": [{"name": "a", "step_type": "RUN", "extra": 1}]},
         {"steps[0].step_type", "steps[0].extra"}),
        ({"steps": [{"step_type": "CALL_API", "order": "1", "config": []}]},
         {"steps[0].name", "steps[0].order", "steps[0].config"}),
        ({"steps": [{"name": "a", "step_type": "CALL_API", "order": 1},
                    {"name": "b", "step_type": "CALL_API", "order": 1}]}, {"steps"}),
        ({"triggers": [{"trigger_type": "CRON", "is_enabled": "yes"}]},
         {"triggers[0].trigger_type", "triggers[0].is_enabled"}),
        ({"triggers": [{"trigger_type": "WEBHOOK"}, {"trigger_type": "MANUAL"}]}, {"triggers"}),
        ({"triggers": {}}, {"triggers"}),
    ],
)  # fmt: skip
def test_problems_name_002s_paths(change: dict[str, Any], paths: set[str]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        translate(_body() | change)
    assert {p.path for p in caught.value.problems} == paths


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"steps": []}, True),
        ({"triggers": []}, True),
        ({"steps": [], "actions": []}, False),
        ({"triggers": [], "trigger": {}}, False),
        ({"actions": []}, False),
    ],
)
def test_which_bodies_are_002s(data: dict[str, Any], expected: bool) -> None:
    assert is_002_shape(data) is expected
