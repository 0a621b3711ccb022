"""The time zone field finds IANA names by any part of them."""

from __future__ import annotations

from zoneinfo import available_timezones

import pytest

from app.core.time_zones import find_zones

NAMES = sorted(available_timezones())


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("berlin", "Europe/Berlin"),
        ("Berl", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("new_york", "America/New_York"),
        ("tokyo", "Asia/Tokyo"),
        ("europe lon", "Europe/London"),
    ],
)
def test_a_part_of_the_name_finds_the_zone(query: str, first: str) -> None:
    assert find_zones(query, NAMES)[0] == first


def test_the_city_that_starts_with_the_query_comes_first() -> None:
    found = find_zones("par", NAMES)  # Paris and Paramaribo before e.g. Asia/Kathmandu…
    cities = [n.rsplit("/", 1)[-1].lower() for n in found]
    starting = [c.startswith("par") for c in cities]
    assert starting == sorted(starting, reverse=True) and starting[0]


@pytest.mark.parametrize("query", ["", "   ", "Europe/Berlin", "UTC", "no such place"])
def test_nothing_to_offer(query: str) -> None:
    assert find_zones(query, NAMES) == []


def test_at_most_the_limit() -> None:
    assert len(find_zones("america", NAMES)) == 8
    assert len(find_zones("america", NAMES, limit=3)) == 3
