"""`wait`: pause a step for a time, until a time, or until a call to its resume URL.

Exactly one of `seconds`, `until` or `webhook: true`. The step does not hold a task while it
waits: the action returns a `Suspend` and the engine persists it as a `step_wait` row, which
the wait clock (timers, webhook deadlines) or `POST /api/hooks/resume/<token>` resolves.

- `{seconds}` (at most 30 days) and `{until}` (an ISO 8601 time with a time zone, usually a
  template such as `{{ trigger.remind_at }}`): a timer; a time already past does not wait.
  Once the clock wakes it, the output is `{"resumed_at", "waited_s"}`.
- `{webhook: true, timeout_s?}`: waits for the resume URL shown in the execution's detail;
  the JSON body of that call becomes the step's output. With `timeout_s`, the wait clock
  ends the wait at that deadline.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import Field, field_validator, model_validator

from app.core.workflow import ActionConfig
from app.db.types import utcnow
from app.engine.actions import StepContext, Suspend, action
from app.engine.failures import ActionFailed

MAX_WAIT_S = 30 * 24 * 3600  # 30 days
_ISO_HELP = "an ISO 8601 time with a time zone, e.g. 2026-12-01T09:00:00+00:00"


def parse_until(value: str) -> datetime:
    """The time an `until` names; `ValueError` unless it is ISO 8601 with a time zone."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"must be {_ISO_HELP}, not {value!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"has no time zone; write {_ISO_HELP}")
    return moment.astimezone(UTC)


class WaitConfig(ActionConfig):
    """Exactly one of `seconds`, `until`, `webhook: true`; `timeout_s` only with a webhook."""

    seconds: float | None = Field(None, ge=0, le=MAX_WAIT_S, description="At most 30 days")
    until: str | None = Field(None, description=_ISO_HELP)
    webhook: bool = False
    timeout_s: float | None = Field(None, gt=0, le=MAX_WAIT_S)

    @field_validator("seconds", "until", "timeout_s", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        # A form sends every field; an empty one means "not given".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook", mode="before")
    @classmethod
    def _blank_is_false(cls, value: Any) -> Any:
        return False if value is None or (isinstance(value, str) and not value.strip()) else value

    @field_validator("until")
    @classmethod
    def _iso_time(cls, value: str | None) -> str | None:
        # A template is checked once rendered (at run time); here it only counts as given.
        if value is not None and "{{" not in value:
            parse_until(value)
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> WaitConfig:
        given = [
            name
            for name, present in (
                ("seconds", self.seconds is not None),
                ("until", self.until is not None),
                ("webhook", self.webhook),
            )
            if present
        ]
        if len(given) != 1:
            found = f"got {' and '.join(given)}" if given else "got none"
            raise ValueError(f"give exactly one of seconds, until or webhook: true ({found})")
        if self.timeout_s is not None and not self.webhook:
            raise ValueError("timeout_s is for webhook waits; a timer ends by itself")
        return self


def _timer(now: datetime, until: datetime) -> Suspend | dict[str, Any]:
    if until <= now:  # already past: nothing to wait for
        return {"resumed_at": now.isoformat(), "waited_s": 0}
    return Suspend(kind="timer", resume_at=until, details={"until": until.isoformat()})


@action("wait", WaitConfig, "Wait for a time, until a time, or until a webhook call")
async def run(step: StepContext, config: WaitConfig) -> Suspend | dict[str, Any]:
    now = utcnow()
    if config.seconds is not None:
        return _timer(now, now + timedelta(seconds=config.seconds))
    if config.until is not None:
        try:
            until = parse_until(config.until)
        except ValueError as exc:  # a template rendered to something that is not a time
            raise ActionFailed(f"until {exc}", kind="validation") from None
        return _timer(now, until)
    deadline = now + timedelta(seconds=config.timeout_s) if config.timeout_s else None
    details: dict[str, Any] = {"timeout_s": config.timeout_s}
    if deadline is not None:
        details["deadline"] = deadline.isoformat()
    return Suspend(kind="webhook", resume_at=deadline, details=details)
