"""When a `schedule` trigger fires next, and what to do about fires missed while down.

Pure decisions over a workflow's trigger config (`cron` + `timezone`, or `interval_seconds`),
its stored `next_run_at` and `now`; the clock in `app.engine.scheduler` reads the row, asks
`plan_schedule` and acts. Cron maths comes from `app.core.cron` (crontab weekday numbering,
daylight saving handled); an interval lies on a grid anchored at the workflow's creation, so a
restart or an unrelated edit does not shift its phase. Every time returned is UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.core.config_models import ScheduleTriggerConfig, parse_trigger_config
from app.core.cron import next_fire_times, next_interval_fire


@dataclass(frozen=True)
class SchedulePlan:
    """What the clock should do for one workflow.

    `next_run_at` is the next fire to store and wait for. `catch_up` is set when fires were
    missed while Flowdeck was down and the policy is `run_once`: the scheduled time of the one
    coalesced run that makes up for them (the first missed fire).
    """

    next_run_at: datetime | None
    catch_up: datetime | None = None


def schedule_config(config: Mapping[str, Any]) -> ScheduleTriggerConfig:
    """The typed config; `ValidationFailed` if the stored config is not a valid schedule."""
    parsed = parse_trigger_config("schedule", config)
    assert isinstance(parsed, ScheduleTriggerConfig)
    return parsed


def next_fire(
    config: ScheduleTriggerConfig, *, after: datetime, anchor: datetime
) -> datetime | None:
    """The first fire strictly after `after`, in UTC (None if the schedule never fires again)."""
    if config.cron is not None:
        times = next_fire_times(config.cron, config.timezone, after, count=1)
        return times[0].astimezone(UTC) if times else None
    assert config.interval_seconds is not None  # the model requires exactly one of the two
    grid_start = anchor.astimezone(UTC).replace(microsecond=0)
    return next_interval_fire(config.interval_seconds, after, grid_start).astimezone(UTC)


def plan_schedule(
    config: Mapping[str, Any],
    *,
    anchor: datetime,
    stored: datetime | None,
    now: datetime,
    recovering: bool = False,
    fired: datetime | None = None,
) -> SchedulePlan:
    """Decide the next fire of a schedule, and whether to catch up on missed ones.

    `recovering` is true at start-up (and when the clock itself missed a fire by more than its
    grace time): a stored `next_run_at` in the past then means fires were missed, and the
    `misfire` policy decides: `skip` moves on, `run_once` asks for one run at the first missed
    time. Outside recovery a past `stored` is just the fire being handled now. `fired` is the
    fire that just ran; the next one is strictly after it even if the clock woke a little early.
    """
    parsed = schedule_config(config)
    after = max(now, fired) if fired is not None else now
    missed = recovering and stored is not None and stored <= now
    catch_up = stored if missed and parsed.misfire == "run_once" else None
    return SchedulePlan(next_fire(parsed, after=after, anchor=anchor), catch_up)
