"""`approval`'s config (who, how long, what then) and the `Suspend` its run returns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.core.errors import ValidationFailed
from app.core.workflow import parse_action_config, validate_workflow
from app.engine.actions import StepContext, Suspend
from app.engine.actions.approval import MAX_TIMEOUT_S, ApprovalConfig, run


def _problems(config: dict) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        parse_action_config("approval", config)
    return {p.path: p.message for p in caught.value.problems}


BASE = {"message": "Ship it?", "approvers": ["admin"]}


@pytest.mark.parametrize(
    "config",
    [
        BASE,
        {**BASE, "approvers": ["alice@example.com", "member"]},
        {**BASE, "timeout_s": 1},
        {**BASE, "timeoutS": MAX_TIMEOUT_S, "onTimeout": "approve"},
        {**BASE, "timeout_s": "", "notify_alert_id": ""},  # a form's empty fields
        {**BASE, "notifyAlertId": 3},
    ],
)
def test_valid_configs(config: dict) -> None:
    assert isinstance(parse_action_config("approval", config), ApprovalConfig)


@pytest.mark.parametrize(
    ("config", "path", "words"),
    [
        ({**BASE, "approvers": []}, "config.approvers", "at least one approver"),
        ({**BASE, "approvers": ["viewer"]}, "config.approvers[0]", "viewers cannot approve"),
        ({**BASE, "approvers": ["admin", "bob@"]}, "config.approvers[1]", "valid email"),
        ({**BASE, "approvers": ["owner"]}, "config.approvers[0]", "neither an email nor a role"),
        ({**BASE, "approvers": ["a@b.io"] * 51}, "config.approvers", "at most 50"),
        ({"approvers": ["admin"]}, "config.message", "required"),
        ({**BASE, "message": "   "}, "config.message", "what is to be approved"),
        ({**BASE, "timeout_s": 0}, "config.timeout_s", "greater than or equal to 1"),
        ({**BASE, "timeout_s": MAX_TIMEOUT_S + 1}, "config.timeout_s", "less than or equal"),
        ({**BASE, "on_timeout": "ignore"}, "config.on_timeout", "'approve' or 'reject'"),
        ({**BASE, "approver": ["admin"]}, "config.approver", "unknown field"),
    ],
)
def test_bad_configs_name_the_field(config: dict, path: str, words: str) -> None:
    problems = _problems(config)
    assert path in problems, problems
    assert words.lower() in problems[path].lower()


def test_a_templated_approver_is_checked_once_rendered() -> None:
    flow = {
        "name": "x",
        "trigger": {"type": "manual"},
        "actions": [
            {
                "id": "ask",
                "type": "approval",
                "config": {"message": "ok?", "approvers": ["{{ trigger.who }}", "admin"]},
            }
        ],
    }
    validate_workflow(flow)  # saved as written
    assert "config.approvers[0]" in _problems({**BASE, "approvers": ["{{ trigger.who }}"]})


async def test_run_suspends_with_the_deadline_and_the_approval() -> None:
    config = parse_action_config(
        "approval",
        {**BASE, "approvers": ["Alice@Example.com", "admin"], "timeout_s": 600,
         "on_timeout": "approve", "notify_alert_id": 4},
    )  # fmt: skip
    step = StepContext(execution_id=1, workflow_id=1, action_id="ask", attempt=1, context={})
    before = datetime.now(UTC)
    suspend = await run(step, config)
    assert isinstance(suspend, Suspend) and suspend.kind == "approval"
    assert suspend.resume_at is not None
    assert before + timedelta(seconds=599) < suspend.resume_at < before + timedelta(seconds=602)
    assert suspend.approval == {
        "message": "Ship it?",
        "approvers": ["alice@example.com", "admin"],
        "on_timeout": "approve",
    }
    assert suspend.details["notify_alert_id"] == 4


async def test_without_a_timeout_it_waits_until_someone_decides() -> None:
    config = parse_action_config("approval", BASE)
    step = StepContext(execution_id=1, workflow_id=1, action_id="ask", attempt=1, context={})
    suspend = await run(step, config)
    assert suspend.resume_at is None and suspend.approval["on_timeout"] == "reject"
