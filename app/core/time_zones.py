"""Finding an IANA time zone by a part of its name, for the schedule's time zone field. Pure:
the names come in (`zoneinfo.available_timezones()` on the host)."""

from __future__ import annotations

from collections.abc import Iterable

MAX_QUERY = 64


def _plain(text: str) -> str:
    return text.casefold().replace("_", " ")


def find_zones(query: str, names: Iterable[str], limit: int = 8) -> list[str]:
    """Names containing every word of `query` (any case; `_` reads as a space), those whose
    city starts with the query first, then alphabetically; none for an empty query or one that
    is already a name."""
    wanted = _plain(query.strip()[:MAX_QUERY])
    known = list(names)
    if not wanted or query.strip() in known:
        return []
    words = wanted.split()
    found = [n for n in known if all(w in _plain(n) for w in words)]

    def rank(name: str) -> tuple[int, str]:
        city = _plain(name.rsplit("/", 1)[-1])
        return (0 if city.startswith(wanted) else 1 if _plain(name).startswith(wanted) else 2, name)

    return sorted(found, key=rank)[:limit]
