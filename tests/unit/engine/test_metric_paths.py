"""Picking numbers out of JSON by path, and threshold checks, as tables."""

from __future__ import annotations

import pytest

from app.core.metrics import (
    Breach,
    PathError,
    as_number,
    breaches,
    parse_path,
    pick,
    split_source,
)

DOC = {"data": {"items": [{"v": 1}, {"v": 2.5}], "odd key": {"n": "7"}, "flag": True}, "n": 3}


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("$", []),
        ("", []),
        ("$.n", ["n"]),
        ("n", ["n"]),
        ("$.data.items[0].v", ["data", "items", 0, "v"]),
        ("data.items[-1].v", ["data", "items", -1, "v"]),
        ('$["odd key"].n', ["odd key", "n"]),
        ("$['odd key']['n']", ["odd key", "n"]),
        ('$["say \\"hi\\""]', ['say "hi"']),
        ("$.a-b.c_d", ["a-b", "c_d"]),
        ("$[ 2 ]", [2]),
    ],
)
def test_parse_path(path: str, parts: list) -> None:
    assert parse_path(path) == parts


@pytest.mark.parametrize(
    ("path", "position"),
    [("$.a..b", 5), ("$a", 2), ("$.a[x]", 4), ("$.a[", 4), ("a.(b)", 3), ("$.a.__import__()", 15)],
)
def test_unreadable_paths_name_the_position(path: str, position: int) -> None:
    with pytest.raises(PathError, match=f"at character {position}$"):
        parse_path(path)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("$.n", 3),
        ("$.data.items[1].v", 2.5),
        ("$.data.items[-2].v", 1),
        ('$.data["odd key"].n', "7"),
        ("$.data.flag", True),
        ("$", DOC),
    ],
)
def test_pick(path: str, value: object) -> None:
    assert pick(DOC, path) == value


@pytest.mark.parametrize(
    ("document", "path", "message"),
    [
        (DOC, "$.data.nope.v", "$.data.nope is not there"),
        (DOC, "$.data.items[2].v", "$.data.items[2] is not there"),
        (DOC, "$.n.deeper", "$.n.deeper is not there"),
        (DOC, "$.data[0]", "$.data[0] is not there"),
        (None, "$.a", "$.a is not there"),
    ],
)
def test_pick_says_where_the_path_stopped(document: object, path: str, message: str) -> None:
    with pytest.raises(PathError) as error:
        pick(document, path)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("value", "number"),
    [(3, 3.0), (2.5, 2.5), ("7", 7.0), (" 1,234.5 ", 1234.5), (True, 1.0), (False, 0.0)],
)
def test_as_number(value: object, number: float) -> None:
    assert as_number(value) == number


@pytest.mark.parametrize("value", ["abc", None, [1], {"a": 1}, float("nan"), "inf"])
def test_not_numbers(value: object) -> None:
    with pytest.raises(ValueError):
        as_number(value)


@pytest.mark.parametrize(
    ("spec", "parts"),
    [
        ("https://x.io/api|$.a", ("https://x.io/api", "$.a")),
        ("https://x.io/api?q=a|b | $.a ", ("https://x.io/api?q=a|b", "$.a")),
    ],
)
def test_split_source(spec: str, parts: tuple[str, str]) -> None:
    assert split_source(spec) == parts


@pytest.mark.parametrize("spec", ["https://x.io/api", "|$.a", "https://x.io|", ""])
def test_split_source_needs_both_halves(spec: str) -> None:
    with pytest.raises(PathError, match="URL\\|\\$.path.to.value"):
        split_source(spec)


@pytest.mark.parametrize(
    ("value", "limits", "found"),
    [
        (5.0, {"max": 10}, []),
        (10.0, {"max": 10}, []),  # inclusive
        (11.0, {"max": 10}, [("max", 10)]),
        (1.0, {"min": 2}, [("min", 2)]),
        (1.0, {"min": 2, "max": 0}, [("max", 0), ("min", 2)]),
        (1.0, {"min": None, "max": None}, []),
    ],
)
def test_breaches(value: float, limits: dict, found: list[tuple[str, float]]) -> None:
    result = breaches([("x", value, "src")], {"x": limits, "other": {"max": 0}})
    assert [(b.bound, b.limit) for b in result] == found


def test_breach_messages() -> None:
    assert Breach("latency_ms", 812.5, "max", 500, "https://x.io").message == (
        "latency_ms (https://x.io) is 812.5, above the maximum 500"
    )
    assert Breach("visitors", 3, "min", 10).message == "visitors is 3, below the minimum 10"
