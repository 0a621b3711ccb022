"""Cron and interval schedule maths on top of APScheduler 3 triggers, used purely.

Users write standard crontab (`30 2 * * 1-5`); APScheduler 3 differs from it in two ways that
would silently misfire: it numbers weekdays from Monday (cron: 0 = Sunday) and it ANDs a
restricted day-of-month with a restricted day-of-week (cron ORs them). `CronSchedule` fixes both
and makes daylight saving predictable: a wall time repeated when clocks go back fires once (at
its first occurrence), and a wall time skipped when clocks go forward fires once, an hour
"late" (02:30 becomes 03:30 that day). Every function takes `now`/`after`; nothing
reads the clock or starts a scheduler.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from cron_descriptor import ExpressionDescriptor, Options

from app.core.errors import InvalidInput

_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_ONE_MICROSECOND = timedelta(microseconds=1)
_MAX_SKIPS = 10_000  # more than the candidates of any repeated hour; guarantees no hang


def _fields(expr: str) -> list[str]:
    text = _MACROS.get(expr.strip().lower(), expr)
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(fields)}")
    return fields


def _day_number(text: str) -> int:
    if text.isdigit() and int(text) <= 7:
        return int(text)
    if text in _DAYS:
        return _DAYS.index(text)
    raise ValueError(f"day of week: invalid value {text!r}")


def _weekdays(field: str) -> list[int]:
    """Standard-cron weekday numbers (0 = Sunday) that `field` selects."""
    days: set[int] = set()
    for part in field.lower().split(","):
        base, slash, step_text = part.partition("/")
        if slash and not (step_text.isdigit() and int(step_text) > 0):
            raise ValueError(f"day of week: invalid step {step_text!r}")
        step = int(step_text) if slash else 1
        if base == "*":
            first, last = 0, 6
        elif "-" in base:
            start, _, end = base.partition("-")
            first, last = _day_number(start), _day_number(end)
        else:
            first = _day_number(base)
            last = 7 if slash else first
        if first > last:
            raise ValueError(f"day of week: range {base!r} runs backwards")
        days.update(day % 7 for day in range(first, last + 1, step))
    return sorted(days)


def _cron_trigger(fields: list[str], tz: ZoneInfo, day: str, weekday: str) -> CronTrigger:
    minute, hour, _, month, _ = fields
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=weekday, timezone=tz
    )


class CronSchedule(BaseTrigger):
    """An APScheduler trigger with standard crontab semantics and cron's DST behaviour."""

    def __init__(self, expr: str, timezone: str = "UTC") -> None:
        fields = _fields(expr)
        self.expr, self.timezone = expr, ZoneInfo(timezone)
        day, weekday = fields[2], fields[4]
        names = "*" if weekday == "*" else ",".join(_DAYS[d] for d in _weekdays(weekday))
        if day.startswith("*") or weekday.startswith("*"):
            self._inner: BaseTrigger = _cron_trigger(fields, self.timezone, day, names)
        else:  # cron fires when either the day of month or the weekday matches
            self._inner = OrTrigger(
                [
                    _cron_trigger(fields, self.timezone, day, "*"),
                    _cron_trigger(fields, self.timezone, "*", names),
                ]
            )

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        previous = previous_fire_time
        for _ in range(_MAX_SKIPS):
            candidate = self._inner.get_next_fire_time(previous, now)
            if candidate is None:
                return None
            # APScheduler may return a wall time that does not exist (spring forward);
            # a round trip through UTC turns it into the real instant.
            real = candidate.astimezone(UTC).astimezone(self.timezone)
            repeated = real.fold == 1 and real.utcoffset() != real.replace(fold=0).utcoffset()
            too_early = previous_fire_time is not None and real <= previous_fire_time
            if not too_early and not repeated:
                return real
            previous, now = None, real.astimezone(UTC) + _ONE_MICROSECOND
        raise RuntimeError(f"no fire time found for cron {self.expr!r}")

    def __str__(self) -> str:
        return f"cron[{self.expr} {self.timezone.key}]"


def validate_cron(expr: str) -> str | None:
    """Why `expr` is not a valid 5-field crontab expression, or None if it is."""
    try:
        CronSchedule(expr)
    except (ValueError, TypeError) as exc:
        return str(exc)
    return None


def validate_timezone(tz: str) -> str | None:
    """ "unknown time zone" unless `tz` is an IANA name such as `Europe/Berlin`, else None."""
    try:
        ZoneInfo(tz)
    except (ValueError, KeyError, TypeError, OSError):
        return "unknown time zone"
    return None


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput("a time zone aware datetime is required")


def next_fire_times(expr: str, tz: str, after: datetime, count: int = 3) -> list[datetime]:
    """The next `count` fire times strictly after `after`, as aware datetimes in `tz`."""
    _require_aware(after)
    try:
        schedule = CronSchedule(expr, tz)
    except (ValueError, KeyError) as exc:
        raise InvalidInput(f"invalid schedule {expr!r} ({tz}): {exc}") from exc
    times: list[datetime] = []
    previous: datetime | None = None
    now = after.astimezone(UTC) + _ONE_MICROSECOND
    while len(times) < count:
        fire = schedule.get_next_fire_time(previous, now)
        if fire is None:
            break
        times.append(fire)
        previous, now = fire, fire.astimezone(UTC) + _ONE_MICROSECOND
    return times


def next_interval_fire(seconds: float, after: datetime, anchor: datetime | None = None) -> datetime:
    """The first fire strictly after `after` of an every-`seconds` schedule.

    Fires lie on a grid that starts at `anchor` (for instance when the schedule was created), so
    a restart does not shift the phase; without an anchor the grid starts at `after`.
    """
    _require_aware(after)
    if seconds <= 0:
        raise InvalidInput(f"interval must be positive, got {seconds}")
    start = anchor or after
    _require_aware(start)
    trigger = IntervalTrigger(seconds=seconds, start_date=start, timezone=UTC)
    fire = trigger.get_next_fire_time(None, after + _ONE_MICROSECOND)
    assert fire is not None  # no end date, so there is always a next fire
    return fire.astimezone(after.tzinfo)


def describe_cron(expr: str, tz: str, locale: str = "en_US") -> str:
    """The schedule in words (`cron-descriptor`, in `locale`), with the time zone when the hour
    matters: "At 09:00, Monday through Friday (Europe/Berlin)". An invalid expression, or one
    the describer cannot word, reads "Cron `expr` (tz)"."""
    fallback = f"Cron `{expr}` ({tz})"
    if validate_cron(expr) is not None:
        return fallback
    fields = _fields(expr)
    options = Options()
    options.use_24hour_time_format = True
    options.locale_code = locale
    try:
        words = ExpressionDescriptor(" ".join(fields), options).get_description()
    except Exception:  # noqa: BLE001 (the library's own error types vary by version)
        return fallback
    hour = fields[1]
    if locale.startswith("en") and fields[2:] == ["*", "*", "*"] and hour.isdigit():
        words = f"{words}, every day"  # "At 02:30" alone does not say how often
    return words if hour == "*" or hour.startswith("*/") else f"{words} ({tz})"
