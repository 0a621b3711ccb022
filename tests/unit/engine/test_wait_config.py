"""`wait`'s config (exactly one of seconds / until / webhook) and what its run returns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.core.errors import ValidationFailed
from app.core.workflow import parse_action_config, validate_workflow
from app.engine.actions import StepContext, Suspend
from app.engine.actions.wait import MAX_WAIT_S, WaitConfig, run


def _problems(config: dict) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        parse_action_config("wait", config)
    return {p.path: p.message for p in caught.value.problems}


@pytest.mark.parametrize(
    "config",
    [
        {"seconds": 5},
        {"seconds": 0},
        {"seconds": MAX_WAIT_S},
        {"until": "2030-01-01T09:00:00+01:00"},
        {"until": "2030-01-01T09:00:00Z"},
        {"webhook": True},
        {"webhook": True, "timeout_s": 3600},
        {"webhook": True, "timeoutS": 60},
        # what the form sends: every field, blank ones meaning "not given"
        {"seconds": "", "until": "2030-01-01T09:00:00Z", "webhook": "false", "timeout_s": ""},
        {"seconds": "12", "until": " ", "webhook": ""},
    ],
)
def test_accepted(config: dict) -> None:
    assert isinstance(parse_action_config("wait", config), WaitConfig)


@pytest.mark.parametrize(
    ("config", "path", "words"),
    [
        ({}, "config", "exactly one of seconds, until or webhook: true (got none)"),
        ({"seconds": 5, "until": "2030-01-01T00:00:00Z"}, "config", "got seconds and until"),
        ({"seconds": 5, "webhook": True}, "config", "got seconds and webhook"),
        ({"webhook": False}, "config", "got none"),
        ({"seconds": 5, "timeout_s": 10}, "config", "timeout_s is for webhook waits"),
        ({"seconds": -1}, "config.seconds", "greater than or equal to 0"),
        ({"seconds": MAX_WAIT_S + 1}, "config.seconds", "less than or equal to 2592000"),
        ({"until": "2030-01-01T09:00:00"}, "config.until", "has no time zone"),
        ({"until": "next tuesday"}, "config.until", "ISO 8601"),
        ({"webhook": True, "timeout_s": 0}, "config.timeout_s", "greater than 0"),
        ({"seconds": 5, "minutes": 1}, "config.minutes", "unknown field"),
    ],
)
def test_refused_with_the_reason(config: dict, path: str, words: str) -> None:
    problems = _problems(config)
    assert path in problems, problems
    assert words in problems[path]


def test_a_templated_until_is_accepted_at_save_and_a_double_choice_is_not() -> None:
    def workflow(config: dict) -> dict:
        return {
            "name": "w",
            "trigger": {"type": "manual"},
            "actions": [{"id": "pause", "type": "wait", "config": config}],
        }

    validate_workflow(workflow({"until": "{{ trigger.remind_at }}"}))
    validate_workflow(workflow({"seconds": "{{ trigger.n }}"}))
    with pytest.raises(ValidationFailed) as caught:
        validate_workflow(workflow({"until": "{{ trigger.at }}", "webhook": True}))
    assert caught.value.problems[0].path == "actions[0].config"
    assert "exactly one" in caught.value.problems[0].message


def _step() -> StepContext:
    return StepContext(execution_id=1, workflow_id=1, action_id="pause", attempt=1, context={})


async def test_seconds_suspend_as_a_timer_due_that_much_later() -> None:
    before = datetime.now(UTC)
    result = await run(_step(), WaitConfig(seconds=90))
    after = datetime.now(UTC)
    assert isinstance(result, Suspend) and result.kind == "timer"
    assert before + timedelta(seconds=90) <= result.resume_at <= after + timedelta(seconds=90)
    assert result.details == {"until": result.resume_at.isoformat()}


async def test_until_is_a_timer_in_utc_and_a_past_time_does_not_wait() -> None:
    result = await run(_step(), WaitConfig(until="2999-01-01T10:00:00+02:00"))
    assert isinstance(result, Suspend)
    assert result.resume_at == datetime(2999, 1, 1, 8, 0, tzinfo=UTC)
    past = await run(_step(), WaitConfig(until="2001-01-01T00:00:00Z"))
    assert isinstance(past, dict) and past["waited_s"] == 0
    assert datetime.fromisoformat(past["resumed_at"]) <= datetime.now(UTC)
    zero = await run(_step(), WaitConfig(seconds=0))
    assert isinstance(zero, dict) and zero["waited_s"] == 0


async def test_webhook_waits_with_its_deadline_or_none() -> None:
    open_ended = await run(_step(), WaitConfig(webhook=True))
    assert isinstance(open_ended, Suspend) and open_ended.kind == "webhook"
    assert open_ended.resume_at is None
    bounded = await run(_step(), WaitConfig(webhook=True, timeout_s=60))
    assert isinstance(bounded, Suspend) and bounded.resume_at is not None
    assert bounded.details["deadline"] == bounded.resume_at.isoformat()
    assert bounded.resume_at - datetime.now(UTC) <= timedelta(seconds=60)


async def test_an_until_template_that_rendered_to_no_time_fails_the_step_clearly() -> None:
    from app.engine.failures import ActionFailed

    # Rendered text with braces left in it passes the save-time check, not the run.
    config = WaitConfig(until="{{ '{{' }} tomorrow")
    config = config.model_copy(update={"until": "{{ tomorrow"})
    with pytest.raises(ActionFailed, match="until must be an ISO 8601 time"):
        await run(_step(), config)
