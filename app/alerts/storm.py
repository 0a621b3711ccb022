"""Storm collapsing: the same alert, event kind and workflow within a window is sent once. Pure.

A workflow failing every few seconds must not page someone every few seconds. The first
occurrence in a window is delivered; later ones only raise `occurrences` on that delivery;
the first message after the window reports how many were held back. The window is fixed:
one minute is short enough that a new problem is never hidden for long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

STORM_WINDOW_S = 60.0


@dataclass(frozen=True)
class Previous:
    """The latest delivery of one (alert, event kind, workflow)."""

    delivery_id: int
    created_at: datetime
    occurrences: int


def collapse_into(previous: Previous | None, now: datetime, window_s: float) -> int | None:
    """The delivery that absorbs this occurrence, or None when a new message is due.

    A clock that went backwards (`now` before the previous delivery) still collapses: the
    occurrence is, as far as anyone can tell, part of the same burst.
    """
    if previous is None:
        return None
    if now - previous.created_at < timedelta(seconds=window_s):
        return previous.delivery_id
    return None


def unreported(previous: Previous | None) -> int:
    """Occurrences absorbed by the previous delivery, which the next message must mention."""
    return max(previous.occurrences - 1, 0) if previous else 0
