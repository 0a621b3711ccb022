"""Small wording helpers of the step summaries (`step_summary`, `step_summary_ops`): values
as they read inside one line, clipped, durations in words, references named. Pure."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

MAX_PART = 60  # characters of one value quoted inside a line (a message, a query, a template)
MAX_NAMES = 4  # names listed before "+N more"

Describer = Callable[[Mapping[str, Any]], str]


def clip(text: str, limit: int = MAX_PART) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def value_text(value: Any, limit: int = MAX_PART) -> str:
    """A value as it reads in a line: strings as written, others as compact JSON."""
    if isinstance(value, str):
        return clip(" ".join(value.split()), limit)
    return clip(json.dumps(value, ensure_ascii=False, default=str), limit)


def name_list(values: Any, empty: str = "none") -> str:
    names = [value_text(v, 30) for v in values] if isinstance(values, list | tuple | dict) else []
    if not names:
        return empty
    shown = ", ".join(names[:MAX_NAMES])
    return shown + (f" +{len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else "")


def seconds_text(value: Any) -> str:
    """`90` -> `1 min 30 s`; a template or anything else as written."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value_text(value, 40)
    total = float(value)
    if total < 60:
        return f"{total:g} s"
    parts = []
    for size, unit in ((86_400, "d"), (3_600, "h"), (60, "min")):
        if total >= size:
            parts.append(f"{int(total // size)} {unit}")
            total %= size
    if total >= 1:
        parts.append(f"{int(total)} s")
    return " ".join(parts)


def ref_text(value: Any, noun: str) -> str:
    """A connection, article or alert reference: `connection 3` or `connection “crm”`."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{noun} {value}"
    return f"{noun} “{value_text(value, 40)}”"


def article_text(config: Mapping[str, Any]) -> str:
    article = config.get("article")
    return (
        "the trigger's article" if article in (None, "") else f"article {value_text(article, 20)}"
    )


def timeout_text(config: Mapping[str, Any], default: float | None = 30.0) -> str:
    value = config.get("timeout_s")
    if value in (None, "") or value == default:
        return ""
    return f" · timeout {seconds_text(value)}"
