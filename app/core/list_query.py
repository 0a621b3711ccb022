"""A list's filters in the address (`?status=failed&workflow=3`), so a filtered view can be
shared and reloaded: read back only values the list offers, written without the defaults."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from urllib.parse import urlencode

ALL = "all"  # a filter that is not set (the lists' selects use it as their "All …" item)
MAX_ID_DIGITS = 12


def read_filters(
    query: Mapping[str, str], allowed: Mapping[str, Collection[str] | None]
) -> dict[str, str]:
    """Each filter of `allowed` from the query: its value when allowed (`None`: an id, digits),
    else `ALL`. Unknown keys are ignored."""
    chosen = {}
    for key, values in allowed.items():
        raw = str(query.get(key) or "")
        if values is None:
            ok = raw.isdigit() and len(raw) <= MAX_ID_DIGITS
        else:
            ok = raw in values and raw != ALL
        chosen[key] = raw if ok else ALL
    return chosen


def query_string(filters: Mapping[str, str]) -> str:
    """`?key=value&…` of the filters that are set, in the given order; "" when none is."""
    chosen = {key: value for key, value in filters.items() if value and value != ALL}
    return f"?{urlencode(chosen)}" if chosen else ""
