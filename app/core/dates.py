"""The one way Flowdeck writes a moment for people: `2026-12-02 14:05 UTC`.

Every page formats dates and times through `when_text` (and `day_text` for a calendar day),
so a run, a version, an audit event and a connection's last use read alike. Times are shown in
UTC, as stored: the server renders them, so the text is the same in every browser and on
every load. Pure: no clock, no I/O.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

Precision = Literal["minute", "second", "millisecond"]
NONE = "—"
_PATTERNS: dict[str, str] = {
    "minute": "%Y-%m-%d %H:%M",
    "second": "%Y-%m-%d %H:%M:%S",
    "millisecond": "%Y-%m-%d %H:%M:%S.%f",
}


def _moment(value: datetime | str | None) -> datetime | None:
    """A UTC datetime from a datetime or an ISO 8601 text (naive means UTC); None if neither."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def when_text(
    value: datetime | str | None, precision: Precision = "minute", empty: str = NONE
) -> str:
    """`2026-12-02 14:05 UTC` (or with `:07` seconds, or `:07.123`); `empty` when there is no
    readable moment (never an exception on a page)."""
    moment = _moment(value)
    if moment is None:
        return empty
    text = moment.strftime(_PATTERNS[precision])
    if precision == "millisecond":
        text = text[:-3]  # microseconds → milliseconds
    return f"{text} UTC"


def day_text(value: datetime | str | None, empty: str = NONE) -> str:
    """The calendar day in UTC: `2026-12-02`."""
    moment = _moment(value)
    if moment is None:
        return empty
    return moment.strftime("%Y-%m-%d")


def zoned_text(moment: datetime) -> str:
    """A schedule's moment in its own time zone, with the weekday: `Mon 2026-12-07 09:00 CET`
    (the same order as `when_text`; a cron reads in the zone it was written for)."""
    return moment.strftime("%a %Y-%m-%d %H:%M %Z").strip()
