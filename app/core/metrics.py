"""Monitor maths without I/O: picking numbers out of JSON by a path, and threshold checks.

A path is `$.data.items[0].value`, `data.items[-1].value` or `$["odd key"].n`: dotted names,
`[n]` list indexes (negative from the end) and quoted keys. It is parsed by hand, never
evaluated, so a path typed by a user can only ever look values up.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

PathPart = str | int
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_INDEX = re.compile(r"\[\s*(-?\d+)\s*\]")
_QUOTED = re.compile(r"""\[\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\]""")


class PathError(ValueError):
    """A path that cannot be read, or that leads nowhere in a document."""


def parse_path(path: str) -> list[PathPart]:
    """`"$.a.b[0]"` -> `["a", "b", 0]`; `PathError` naming the position of a mistake."""
    text = path.strip()
    pos = 1 if text.startswith("$") else 0
    parts: list[PathPart] = []
    while pos < len(text):
        if text[pos] == ".":
            pos += 1
            match = _NAME.match(text, pos)
        elif text[pos] == "[":
            match = _INDEX.match(text, pos) or _QUOTED.match(text, pos)
        elif pos == 0:
            match = _NAME.match(text, pos)
        else:
            match = None
        if match is None:
            raise PathError(f"cannot read path {path!r} at character {pos + 1}")
        if match.re is _INDEX:
            parts.append(int(match.group(1)))
        elif match.re is _QUOTED:
            quoted = match.group(1) if match.group(1) is not None else match.group(2)
            parts.append(re.sub(r"\\(.)", r"\1", quoted))
        else:
            parts.append(match.group(0))
        pos = match.end()
    if not parts and text not in ("$", ""):
        raise PathError(f"cannot read path {path!r}")
    return parts


def _shown(parts: list[PathPart]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def pick(document: Any, path: str) -> Any:
    """The value at `path` in `document`; `PathError` saying where the path stopped."""
    value = document
    parts = parse_path(path)
    for depth, part in enumerate(parts):
        if isinstance(part, int):
            if not isinstance(value, list) or not -len(value) <= part < len(value):
                raise PathError(f"{_shown(parts[: depth + 1])} is not there")
            value = value[part]
        else:
            if not isinstance(value, Mapping) or part not in value:
                raise PathError(f"{_shown(parts[: depth + 1])} is not there")
            value = value[part]
    return value


def as_number(value: Any) -> float:
    """`value` as a finite number (numbers, numeric text, booleans as 1/0), or `ValueError`."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", ""))
        except ValueError:
            raise ValueError(f"{value[:40]!r} is not a number") from None
    else:
        raise ValueError(f"a {type(value).__name__} is not a number")
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    return number


def split_source(spec: str) -> tuple[str, str]:
    """`"https://x/api|$.a.b"` -> `("https://x/api", "$.a.b")` (split at the last `|`)."""
    url, sep, path = spec.rpartition("|")
    if not sep or not url.strip() or not path.strip():
        raise PathError(f"{spec!r}: write it as URL|$.path.to.value")
    return url.strip(), path.strip()


@dataclass(frozen=True)
class Breach:
    name: str
    value: float
    bound: str  # "max" or "min"
    limit: float
    source: str = ""

    @property
    def message(self) -> str:
        word = "above the maximum" if self.bound == "max" else "below the minimum"
        where = f" ({self.source})" if self.source else ""
        return f"{self.name}{where} is {self.value:g}, {word} {self.limit:g}"


def breaches(
    values: list[tuple[str, float, str]], thresholds: Mapping[str, Mapping[str, float | None]]
) -> list[Breach]:
    """Every `(name, value, source)` outside its threshold `{"max", "min"}` (both inclusive)."""
    found: list[Breach] = []
    for name, value, source in values:
        limits = thresholds.get(name) or {}
        high, low = limits.get("max"), limits.get("min")
        if high is not None and value > high:
            found.append(Breach(name, value, "max", high, source))
        if low is not None and value < low:
            found.append(Breach(name, value, "min", low, source))
    return found


# -- the original's named metrics (`metrics: ["ranking", "traffic", "engagement"]`) ----------

#: Each named metric, the platforms that can measure it (preferred first) and the samples it
#: stores (`<metric>.<value>`).
METRIC_SOURCES: dict[str, tuple[str, ...]] = {
    "ranking": ("search_console",),
    "traffic": ("plausible", "umami"),
    "engagement": ("plausible", "umami"),
}
METRIC_VALUES: dict[str, tuple[str, ...]] = {
    "ranking": ("position", "clicks", "impressions", "ctr"),
    "traffic": ("visitors", "pageviews"),
    "engagement": ("bounce_rate", "visit_duration"),
}
SOURCE_PLATFORMS = ("plausible", "umami", "search_console")


def sample_names(metrics: list[str] | tuple[str, ...]) -> list[str]:
    """`["traffic"]` -> `["traffic.visitors", "traffic.pageviews"]`: what the metrics store."""
    return [f"{m}.{value}" for m in metrics for value in METRIC_VALUES.get(m, ())]


def source_for(metric: str, platforms: list[str] | tuple[str, ...]) -> str | None:
    """The platform that measures `metric` among the connected `platforms` (preferred first)."""
    return next((p for p in METRIC_SOURCES.get(metric, ()) if p in platforms), None)


def unserved(
    metrics: list[str] | tuple[str, ...], platforms: list[str] | tuple[str, ...]
) -> list[str]:
    """The metrics no connected platform can measure, in the order they were asked for."""
    return [m for m in dict.fromkeys(metrics) if source_for(m, platforms) is None]


def no_source_reason(missing: list[str]) -> str:
    """What a person reads when metrics have no source: names them, says what to do."""
    return f"no metrics source for {', '.join(missing)}: add one under Connections"


def look_back(today: date, days: int) -> tuple[date, date]:
    """The first and last day (both included) of a window of `days` days ending `today`."""
    return today - timedelta(days=days - 1), today
