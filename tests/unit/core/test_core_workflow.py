"""Workflow definitions: aliases, normalisation, and validation that reports every problem."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import BaseModel

from app.core.errors import ValidationFailed
from app.core.workflow import (
    ActionConfig,
    action_config_models,
    parse_action_config,
    parse_trigger_config,
    register_action_config,
    validate_workflow,
)


def workflow(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Fetch and wait",
        "trigger": {"type": "manual", "config": {}},
        "actions": [
            {"id": "fetch", "type": "api_call", "config": {"url": "https://api.test/items"}},
            {"id": "wait", "type": "delay", "config": {"seconds": 5}},
        ],
    }
    data.update(overrides)
    return data


def with_action(index: int, **fields: Any) -> dict[str, Any]:
    data = workflow()
    data["actions"][index].update(fields)
    return data


def with_trigger(kind: str, config: dict[str, Any]) -> dict[str, Any]:
    return workflow(trigger={"type": kind, "config": config})


def test_minimal_workflow_gets_defaults() -> None:
    spec = validate_workflow(workflow())
    assert (spec.workflow_type, spec.priority, spec.concurrency_limit) == ("custom", "normal", 1)
    assert spec.is_active is True and spec.description == ""
    assert [a.name for a in spec.actions] == ["fetch", "wait"]
    assert spec.actions[0].retry is None and spec.actions[0].continue_on_error is False


def test_camel_case_in_snake_case_out() -> None:
    data = {
        "name": "  Nightly report  ",
        "workflowType": "n8n",
        "concurrencyLimit": 3,
        "isActive": False,
        "priority": "high",
        "trigger": {
            "type": "schedule",
            "config": {"cron": "30 2 * * *", "timezone": "Europe/Berlin", "misfire": "run_once"},
        },
        "actions": [
            {
                "id": "call",
                "name": "Call n8n",
                "type": "api_call",
                "config": {"method": "POST", "url": "https://n8n.test/hook", "json": {"a": 1}},
                "timeoutS": 12.5,
                "continueOnError": True,
                "retry": {"strategy": "exponential", "maxAttempts": 4, "maxDelayS": 10},
            }
        ],
    }
    dumped = validate_workflow(data).model_dump(mode="json")
    assert dumped["name"] == "Nightly report"
    assert dumped["workflow_type"] == "n8n" and dumped["concurrency_limit"] == 3
    assert dumped["is_active"] is False
    assert dumped["trigger"]["config"] == {
        "cron": "30 2 * * *",
        "timezone": "Europe/Berlin",
        "misfire": "run_once",
        "interval_seconds": None,
    }
    action = dumped["actions"][0]
    assert action["timeout_s"] == 12.5 and action["continue_on_error"] is True
    assert action["retry"]["max_attempts"] == 4 and action["retry"]["max_delay_s"] == 10
    assert validate_workflow(dumped).model_dump(mode="json") == dumped  # round trip


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"articleStatus": "published"}, {"article_status": "published"}),
        ({"article_status": "published"}, {"article_status": "published"}),
        ({}, {"article_status": "ready"}),
    ],
)
def test_publish_trigger_accepts_both_spellings(config: dict, expected: dict) -> None:
    assert validate_workflow(with_trigger("publish", config)).trigger.config == expected


def test_action_configs_keep_templates_for_the_engine() -> None:
    data = with_action(1, config={"seconds": "{{ trigger.delay }}"})
    data["actions"][0]["config"] = {"url": "{{ steps.x.output.url }}", "timeoutS": "{{ t }}"}
    spec = validate_workflow(data)
    assert spec.actions[1].config == {"seconds": "{{ trigger.delay }}"}
    assert spec.actions[0].config["url"] == "{{ steps.x.output.url }}"


BAD_INPUTS = [
    (workflow(name="   "), "name", "required"),
    (workflow(name="x" * 201), "name", "at most 200"),
    (workflow(workflowType="airflow"), "workflow_type", "'n8n'"),
    (workflow(concurrencyLimit=0), "concurrency_limit", "greater than or equal to 1"),
    (workflow(concurrency_limit=101), "concurrency_limit", "less than or equal to 100"),
    (workflow(colour="red"), "colour", "unknown field"),
    (workflow(actions=[]), "actions", "at least 1 item"),
    ({"name": "x", "actions": [{"id": "a", "type": "delay"}]}, "trigger", "required"),
    (workflow(trigger={"type": "cron", "config": {}}), "trigger.type", "must be one of manual,"),
    (with_trigger("schedule", {}), "trigger.config", "exactly one of cron or interval"),
    (
        with_trigger("schedule", {"cron": "* * * * *", "intervalSeconds": 60}),
        "trigger.config",
        "exactly one",
    ),
    (with_trigger("schedule", {"cron": "61 * * * *"}), "trigger.config.cron", "61"),
    (with_trigger("schedule", {"cron": "* * *"}), "trigger.config.cron", "expected 5 fields"),
    (
        with_trigger("schedule", {"cron": "0 9 * * *", "timezone": "Europe/Atlantis"}),
        "trigger.config.timezone",
        "unknown time zone",
    ),
    (
        with_trigger("schedule", {"interval_seconds": 0}),
        "trigger.config.interval_seconds",
        "greater than or equal to 1",
    ),
    (
        with_trigger("schedule", {"cron": "* * * * *", "misfire": "all"}),
        "trigger.config.misfire",
        "'skip'",
    ),
    (with_trigger("webhook", {"signature": "hmac"}), "trigger.config.signature", "'github'"),
    (with_trigger("event", {}), "trigger.config.event", "required"),
    (with_trigger("event", {"event": "a", "filter": "x =="}), "trigger.config.filter", "syntax"),
    (with_trigger("manual", {"anything": 1}), "trigger.config.anything", "unknown field"),
    (with_action(0, id="Fetch"), "actions[0].id", "lowercase letter"),
    (with_action(0, id="1fetch"), "actions[0].id", "lowercase letter"),
    (with_action(0, id="a" * 64), "actions[0].id", "at most 63"),
    (with_action(1, id="fetch"), "actions[1].id", 'duplicate id "fetch"'),
    (with_action(0, type="foo"), "actions[0].type", 'unknown action type "foo"'),
    (with_action(0, timeoutS=0), "actions[0].timeout_s", "greater than 0"),
    (with_action(0, timeout_s=3601), "actions[0].timeout_s", "less than or equal to 3600"),
    (with_action(0, continueOnError="maybe"), "actions[0].continue_on_error", "boolean"),
    (with_action(0, retry={"strategy": "sometimes"}), "actions[0].retry.strategy", "'linear'"),
    (
        with_action(0, retry={"maxAttempts": 0}),
        "actions[0].retry.max_attempts",
        "greater than or equal to 1",
    ),
    (with_action(0, condition="a =="), "actions[0].condition", "template error"),
    (with_action(0, config={}), "actions[0].config.url", "required"),
    (with_action(0, config={"url": "ftp://x"}), "actions[0].config.url", "http://"),
    (
        with_action(0, config={"url": "https://x", "method": "TRACE"}),
        "actions[0].config.method",
        "'GET'",
    ),
    (
        with_action(0, config={"url": "https://x", "json": {"a": 1}, "body": "raw"}),
        "actions[0].config.body",
        "mutually exclusive",
    ),
    (
        with_action(0, config={"url": "https://x", "expectedStatus": [200, 700]}),
        "actions[0].config.expected_status",
        "between 100 and 599",
    ),
    (
        with_action(0, config={"url": "https://x", "connection": [1]}),
        "actions[0].config.connection",
        "connection id",
    ),
    (
        with_action(0, config={"url": "https://x", "headers": {"X": 1}}),
        "actions[0].config.headers.X",
        "string",
    ),
    (with_action(0, config={"url": "https://x", "timeoutS": "{{ t }}"}), None, None),
    (
        with_action(1, config={"seconds": -1}),
        "actions[1].config.seconds",
        "greater than or equal to 0",
    ),
    (with_action(1, config={"seconds": 86401}), "actions[1].config.seconds", "less than or equal"),
    (with_action(1, config={"secs": 5}), "actions[1].config.secs", "unknown field"),
    (with_action(1, type="transform", config={}), "actions[1].config.values", "required"),
    (
        with_action(1, type="transform", config={"values": {"x": "{{ a b }}"}}),
        "actions[1].config.values.x",
        "template error",
    ),
    (
        with_action(1, type="transform", config={"values": {"x": ["ok", "{% if %}"]}}),
        "actions[1].config.values.x[1]",
        "template error",
    ),
    (
        with_action(1, type="transform", config={"values": {"x": "{{ self }}"}}),
        "actions[1].config.values.x",
        "not allowed",
    ),
]


@pytest.mark.parametrize(("data", "path", "fragment"), BAD_INPUTS)
def test_validation_table(data: dict[str, Any], path: str | None, fragment: str | None) -> None:
    if path is None:  # a templated value is only type-checked after rendering
        validate_workflow(data)
        return
    with pytest.raises(ValidationFailed) as info:
        validate_workflow(data)
    message = info.value.for_path(path)
    assert message is not None, info.value.problems
    assert fragment in message


def test_every_problem_is_reported_at_once() -> None:
    data = workflow(
        trigger={"type": "schedule", "config": {"cron": "0 9 * * *", "timezone": "Nowhere/City"}},
    )
    data["actions"][0]["config"] = {"method": "GET"}
    data["actions"][1].update(id="fetch", type="foo")
    with pytest.raises(ValidationFailed) as info:
        validate_workflow(data)
    assert {(p.path, p.message) for p in info.value.problems} == {
        ("trigger.config.timezone", "unknown time zone"),
        ("actions[0].config.url", "required"),
        ("actions[1].id", 'duplicate id "fetch"'),
        ("actions[1].type", 'unknown action type "foo"'),
    }
    assert info.value.details == [p.as_dict() for p in info.value.problems]


def test_non_object_input() -> None:
    with pytest.raises(ValidationFailed):
        validate_workflow(["not", "a", "workflow"])


def test_known_action_types_come_from_the_engine() -> None:
    data = with_action(1, type="tweet", config={"channel": "ops"})  # no engine action "tweet"
    with pytest.raises(ValidationFailed, match='unknown action type "tweet"'):
        validate_workflow(data)
    spec = validate_workflow(data, known_action_types={"api_call", "tweet"})
    assert spec.actions[1].config == {"channel": "ops"}
    with pytest.raises(ValidationFailed, match='unknown action type "api_call"'):
        validate_workflow(workflow(), known_action_types={"delay"})


class ShareConfig(ActionConfig):
    platform: str
    message_template: str = ""


@pytest.fixture
def share_registered() -> Any:
    register_action_config("share_test", ShareConfig)
    yield
    action_config_models.pop("share_test", None)


@pytest.mark.usefixtures("share_registered")
def test_actions_registered_from_outside_core_are_validated() -> None:
    good = with_action(1, type="share_test", config={"platform": "x", "messageTemplate": "hi"})
    assert validate_workflow(good).actions[1].type == "share_test"
    bad = with_action(1, type="share_test", config={})
    with pytest.raises(ValidationFailed) as info:
        validate_workflow(bad)
    assert info.value.for_path("actions[1].config.platform") == "required"
    with pytest.raises(ValueError, match="already has config model"):
        register_action_config("share_test", type("Other", (BaseModel,), {}))
    register_action_config("share_test", ShareConfig)  # same model again is harmless


def test_parse_action_config_after_rendering() -> None:
    config = parse_action_config("api_call", {"url": "https://x.test", "json": [1], "timeoutS": 5})
    assert config.model_dump() == {
        "method": "GET",
        "connection": None,
        "url": "https://x.test",
        "query": {},
        "headers": {},
        "json": [1],
        "body": None,
        "timeout_s": 5.0,
        "expected_status": [],
    }
    relative = parse_action_config("api_call", {"url": "/v1/items", "connection": "n8n"})
    assert relative.model_dump()["url"] == "/v1/items"
    with pytest.raises(ValidationFailed) as info:
        parse_action_config("delay", {"seconds": "soon"})
    assert info.value.problems[0].path == "config.seconds"


def test_parse_trigger_config() -> None:
    schedule = parse_trigger_config("schedule", {"intervalSeconds": 30})
    assert schedule.model_dump()["interval_seconds"] == 30
    with pytest.raises(ValidationFailed) as info:
        parse_trigger_config("schedule", {"cron": "nope"})
    assert info.value.problems[0].path == "config.cron"


def test_validation_does_not_modify_the_input() -> None:
    data = with_trigger("publish", {"articleStatus": "ready"})
    before = copy.deepcopy(data)
    validate_workflow(data)
    assert data == before


@pytest.mark.parametrize(
    ("action_type", "given", "stored"),
    [
        (
            "api_call",
            {"url": "u", "expectedStatus": [201], "timeoutS": 5},
            {"url": "u", "expected_status": [201], "timeout_s": 5},
        ),
        ("api_call", {"url": "u", "json": {"keepCase": 1}}, {"url": "u", "json": {"keepCase": 1}}),
        ("transform", {"values": {"someName": "{{ x }}"}}, {"values": {"someName": "{{ x }}"}}),
        ("unknown_type", {"fooBar": 1}, {"fooBar": 1}),
    ],
)
def test_action_config_keys_are_stored_in_snake_case(
    action_type: str, given: dict, stored: dict
) -> None:
    from app.core.config_models import normalize_action_config

    assert normalize_action_config(action_type, given) == stored
