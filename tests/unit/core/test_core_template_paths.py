"""The variable picker's paths: a bounded tree of the trigger and the earlier steps' outputs."""

from __future__ import annotations

import pytest

from app.core.template_paths import PathEntry, ancestors, preview, variable_tree

ACTIONS = [
    {"id": "fetch", "type": "api_call"},
    {"id": "shape", "type": "transform"},
    {"id": "side", "type": "transform", "depends_on": []},
    {"id": "join", "type": "transform", "depends_on": ["shape", "side"]},
]
FETCH = {"status": 200, "headers": {"x-api-key": "[redacted]"},
         "body": {"city": "Oslo", "rows": [{"id": 1}, {"id": 2}]}}  # fmt: skip


@pytest.mark.parametrize(
    ("step", "expected"),
    [("fetch", []), ("shape", ["fetch"]), ("side", []), ("join", ["fetch", "shape", "side"]),
     ("nope", [])],
)  # fmt: skip
def test_ancestors(step: str, expected: list[str]) -> None:
    assert ancestors(ACTIONS, step) == expected


@pytest.mark.parametrize(
    ("value", "shown"),
    [("Oslo", '"Oslo"'), (42, "42"), (None, "null"), ({"a": 1}, "{1 key}"),
     ([1, 2], "[2 items]"), ("x" * 100, '"' + "x" * 58 + "…")],
)  # fmt: skip
def test_preview(value: object, shown: str) -> None:
    assert preview(value) == shown


def _paths(entries: list[PathEntry]) -> list[str]:
    return [e.path for e in entries]


def test_the_tree_of_trigger_and_earlier_outputs() -> None:
    entries = variable_tree({"order": {"id": 7}}, {"fetch": FETCH}, ["fetch"])
    paths = _paths(entries)
    assert paths[:3] == ["trigger", "trigger.order", "trigger.order.id"]
    assert "steps.fetch.output.body.city" in paths
    assert "steps.fetch.output.body.rows[0].id" in paths
    city = next(e for e in entries if e.path == "steps.fetch.output.body.city")
    assert (city.label, city.depth, city.kind, city.preview) == ("city", 2, "text", '"Oslo"')
    assert paths[-3:] == ["workflow.name", "execution.id", "now"]


def test_secret_keys_show_redacted_and_are_not_opened() -> None:
    entries = variable_tree({"auth": {"token": {"inner": "x"}}, "password": "hunter2"}, {}, [])
    by_path = {e.path: e for e in entries}
    assert by_path["trigger.password"].preview == "[redacted]"
    assert by_path["trigger.auth.token"].preview == "[redacted]"
    assert "trigger.auth.token.inner" not in by_path
    assert "hunter2" not in repr(entries)


def test_a_step_without_stored_output_is_still_listed() -> None:
    entries = variable_tree({}, {}, ["fetch"])
    row = next(e for e in entries if e.path == "steps.fetch.output")
    assert row.preview == "no stored output yet"


def test_bounds_depth_entries_and_keys() -> None:
    deep = {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}
    assert "trigger.a.b.c.d" in _paths(variable_tree(deep, {}, []))
    assert "trigger.a.b.c.d.e" not in _paths(variable_tree(deep, {}, []))
    wide = {f"k{i}": i for i in range(1000)}
    assert len(variable_tree(wide, {}, [], max_keys=10_000)) == 200
    assert len(variable_tree(wide, {}, [], max_keys=5)) == 1 + 5 + 3


def test_odd_keys_are_written_as_subscripts() -> None:
    paths = _paths(variable_tree({"first name": "A", "ok": 1}, {}, []))
    assert "trigger['first name']" in paths and "trigger.ok" in paths
