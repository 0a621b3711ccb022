"""Run-history strips as the pages draw them: per bar its link, height, colour and tooltip."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from app.core.run_strip import Bar, strip_summary
from app.ui.components.status_badge import STATUS_COLORS
from app.ui.live import duration_text


class StripBar(TypedDict):
    id: int
    height: str  # CSS height inside the strip: "57%"
    color: str  # the status's colour (the badges' colour, step 9)
    tip: str  # "#42 · failed · 1.2 s · 2026-12-02 12:03"


def strip_bar(bar: Bar) -> StripBar:
    when = bar.at.strftime("%Y-%m-%d %H:%M") if bar.at else "not started"
    duration = duration_text(bar.duration_ms) if bar.duration_ms is not None else "—"
    return StripBar(
        id=bar.id,
        height=f"{bar.height}%",
        color=f"var(--{STATUS_COLORS.get(bar.status, 'gray')}-9)",
        tip=f"#{bar.id} · {bar.status} · {duration} · {when}",
    )


def strip_view(strip: Sequence[Bar]) -> tuple[list[StripBar], str]:
    """The bars to draw and what a screen reader says for the whole strip."""
    return [strip_bar(b) for b in strip], strip_summary(strip)
