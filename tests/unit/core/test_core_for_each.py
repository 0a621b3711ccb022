"""`for_each`: its config, its inner step checked like a step, and its failure message."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.errors import ValidationFailed
from app.core.for_each import MAX_ITEMS, ForEachConfig, ItemStatus, failure_message
from app.core.statuses import StepStatus
from app.core.workflow import parse_action_config, validate_workflow


def _workflow(step: Any, **config: Any) -> dict[str, Any]:
    return {
        "name": "loop",
        "trigger": {"type": "manual"},
        "actions": [
            {"id": "fetch", "type": "transform", "config": {"values": {"rows": [1, 2]}}},
            {
                "id": "loop",
                "type": "for_each",
                "config": {"items": "{{ steps.fetch.output.rows }}", "step": step, **config},
            },
        ],
    }


def _problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        validate_workflow(data)
    return {p.path: p.message for p in caught.value.problems}


STEP = "actions[1].config.step"


@pytest.mark.parametrize(
    ("step", "config", "path", "message"),
    [
        ({"type": "api_call", "config": {"url": "{{ item.url"}}, {}, f"{STEP}.config.url",
         "template error: syntax"),
        ({"type": "api_call", "config": {"url": "ftp://x"}}, {}, f"{STEP}.config.url",
         "must start with http:// or https://"),
        ({"type": "api_call", "config": {}}, {}, f"{STEP}.config.url", "required"),
        ({"type": "nope"}, {}, f"{STEP}.type", 'unknown action type "nope"'),
        ({"type": "for_each", "config": {}}, {}, f"{STEP}.type",
         "a for_each step cannot run another for_each per item"),
        ({"type": "approval"}, {}, f"{STEP}.type", "an approval cannot run per item"),
        ({"type": "wait"}, {}, f"{STEP}.type", "a wait cannot run per item"),
        ({"type": "sub_workflow"}, {}, f"{STEP}.type", "a sub_workflow cannot run per item"),
        ({"config": {}}, {}, f"{STEP}.type", "required"),
        ({"type": "delay", "config": {"seconds": 1}, "condition": "item >"}, {},
         f"{STEP}.condition", "template error"),
        ({"type": "delay", "config": {"seconds": 1}, "timeoutS": 0}, {}, f"{STEP}.timeout_s",
         "input should be greater than 0"),
        ({"type": "delay", "config": {"seconds": 1}, "depends_on": []}, {}, f"{STEP}.depends_on",
         "unknown field"),
        ({"type": "delay", "config": {"seconds": 1}}, {"concurrency": 65},
         "actions[1].config.concurrency", "input should be less than or equal to 64"),
        ({"type": "delay", "config": {"seconds": 1}}, {"concurrency": 0},
         "actions[1].config.concurrency", "input should be greater than or equal to 1"),
        ({"type": "delay", "config": {"seconds": 1}}, {"items": "rows"},
         "actions[1].config.items", "must be a list, or a template giving one"),
        ({"type": "delay", "config": {"seconds": 1}}, {"items": {"a": 1}},
         "actions[1].config.items", "must be a list, or a template giving one"),
        ({"type": "delay", "config": {"seconds": 1}}, {"items": list(range(MAX_ITEMS + 1))},
         "actions[1].config.items", "a for_each takes at most 10,000 items; this list has 10,001"),
        ("delay", {}, STEP, "input should be a valid dictionary"),
    ],
)  # fmt: skip
def test_each_problem_is_named_at_its_path(
    step: Any, config: dict[str, Any], path: str, message: str
) -> None:
    problems = _problems(_workflow(step, **config))
    assert path in problems, problems
    assert problems[path].startswith(message), problems[path]


def test_a_templated_value_of_the_inner_config_is_left_for_the_render() -> None:
    # `seconds` is a number once rendered: the template is not a type error here.
    step = {"type": "delay", "config": {"seconds": "{{ item }}"}, "retry": {"strategy": "linear"}}
    spec = validate_workflow(_workflow(step, concurrency=16))
    assert spec.actions[1].config["step"] == step  # kept as written


def test_the_parsed_config_has_defaults_and_the_inner_step_typed() -> None:
    config = parse_action_config(
        "for_each",
        {"items": [1, 2], "step": {"type": "transform", "continueOnError": True, "timeoutS": 5}},
    )
    assert isinstance(config, ForEachConfig)
    assert config.concurrency == 4 and config.items == [1, 2]
    assert (config.step.continue_on_error, config.step.timeout_s) == (True, 5)
    assert config.step.config == {} and config.step.retry is None


@pytest.mark.parametrize(
    ("failed", "total", "first_error", "message"),
    [
        ([17, 3], 1000, None, "2 of 1000 items failed: 3, 17"),
        ([0], 1, "boom", "1 of 1 item failed: 0 (item 0: boom)"),
        (list(range(25)), 30, "HTTP 500", "25 of 30 items failed: "
         + ", ".join(map(str, range(20))) + " and 5 more (item 0: HTTP 500)"),
    ],
)  # fmt: skip
def test_failure_message(failed: list[int], total: int, first_error: str | None, message: str):
    assert failure_message(failed, total, first_error) == message


def test_items_that_rendered_to_a_dict_method_say_how_to_reach_the_key() -> None:
    # `{{ trigger.items }}` finds the dict's `items` method before its "items" key.
    with pytest.raises(ValidationFailed) as caught:
        parse_action_config("for_each", {"items": {}.items, "step": {"type": "transform"}})
    assert "write x['items']" in caught.value.problems[0].message


def test_item_statuses_are_step_statuses() -> None:
    # Same words, so the badges, the planner's vocabulary and the filters all agree.
    assert {s.value for s in ItemStatus} <= {s.value for s in StepStatus}
