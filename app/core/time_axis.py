"""The timeline's scale: a shared time axis with round ticks, and each step's bar on it.

Times are seconds since the execution started. The axis ends on a round tick at or after the
last moment shown, so bars and ticks share one scale and steps that ran in parallel overlap.
Positions are percentages of the axis, so the page draws them at any width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

STEPS = (1, 2, 2.5, 5)  # × a power of ten: tick intervals a person reads at a glance
UNITS = ((86400.0, "d"), (3600.0, "h"), (60.0, "min"), (1.0, "s"))
MIN_BAR_PCT = 0.8  # a 1 ms step in a 10 s run is still a visible sliver


@dataclass(frozen=True)
class Tick:
    seconds: float
    pct: float
    label: str


@dataclass(frozen=True)
class Bar:
    left: float  # % of the axis
    width: float  # % of the axis, at least MIN_BAR_PCT


def _unit(seconds: float) -> tuple[float, str]:
    """The largest unit of which `seconds` is at least one (seconds below a second)."""
    return next(((size, name) for size, name in UNITS if seconds >= size), UNITS[-1])


def nice_step(span_s: float, max_ticks: int = 6) -> float:
    """The smallest round interval covering `span_s` in at most `max_ticks` intervals.

    Round in the unit a person would read: 250 ms, 2 s, 5 min, 2 h, 1 d.
    """
    if span_s <= 0:
        return 0.001
    raw = span_s / max(max_ticks, 1)
    size, _ = _unit(raw)
    scaled = raw / size
    power = 10 ** math.floor(math.log10(scaled))
    base = next(b for b in (*STEPS, 10) if b * power >= scaled * (1 - 1e-9))
    return round(base * power * size, 9)


def axis(last_s: float, max_ticks: int = 6) -> tuple[float, float]:
    """(length, tick interval) of the axis: `last_s` rounded up to a whole number of round
    intervals (at most `max_ticks`), choosing the interval that wastes the least room
    (0.65 s → 0.75 s in 0.25 s steps, not 0.8 s in 0.2 s steps); 1 ms at least."""
    last_s = max(last_s, 0.001)
    best: tuple[float, float] | None = None
    for count in range(3, max_ticks + 1):
        step = nice_step(last_s, count)
        end = round(math.ceil(last_s / step - 1e-9) * step, 9)
        if best is None or end < best[0] - 1e-12 or (end <= best[0] + 1e-12 and step < best[1]):
            best = (end, step)  # the shortest axis; at equal length, the most ticks
    assert best is not None
    return best


def axis_end(last_s: float, max_ticks: int = 6) -> float:
    """The axis length of `axis`."""
    return axis(last_s, max_ticks)[0]


def _decimals(value: float) -> int:
    return next((d for d in range(4) if abs(round(value, d) - value) < 1e-9), 3)


def time_label(seconds: float, step: float) -> str:
    """`0`, `250 ms`, `1.5 s`, `2 min`: as precise as the tick interval needs, no more."""
    if seconds == 0:
        return "0"
    if seconds < 1:
        return f"{_number(seconds * 1000, step * 1000)} ms"
    size, name = _unit(step)
    return f"{_number(seconds / size, step / size)} {name}"


def _number(value: float, step: float) -> str:
    """`value` with the decimals the step needs, trailing zeros dropped (1.25, 1, 0.5)."""
    text = f"{value:.{_decimals(step)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def ticks(end_s: float, step: float | None = None) -> list[Tick]:
    """Round ticks every `step` from 0 to `end_s` (both from `axis`), placed and labelled."""
    step = step or axis(end_s)[1]
    count = round(end_s / step)
    return [
        Tick(round(i * step, 9), 100 * i * step / end_s, time_label(round(i * step, 9), step))
        for i in range(count + 1)
    ]


def bar(start_s: float, end_s: float, axis_s: float, min_pct: float = MIN_BAR_PCT) -> Bar:
    """A step's bar from `start_s` to `end_s` on an axis of `axis_s` seconds, kept inside it."""
    if axis_s <= 0:
        return Bar(0.0, min_pct)
    left = min(max(start_s / axis_s * 100, 0.0), 100.0)
    width = max((end_s - start_s) / axis_s * 100, min_pct)
    left = min(left, 100.0 - width) if width <= 100 else 0.0
    return Bar(round(left, 3), round(min(width, 100.0), 3))
