"""Which steps render ahead (their templates read only what a run never changes), and what the
background job leaves for each: the same `Prepared` a step's own render gives."""

from __future__ import annotations

import pytest

import app.engine.runner  # noqa: F401  (registers the action types)
from app.engine.rendering import prepare, render_ahead, renders_ahead, step_budget

CONTEXT = {
    "trigger": {"n": 2, "rows": [1, 2]},
    "steps": {"a": {"output": {"x": 1}, "status": "succeeded"}},
    "workflow": {"id": 1, "name": "w", "version": 1},
    "execution": {"id": 7, "trigger_type": "manual", "retry_of": None},
    "env": {"REGION": "eu"},
    "now": "2026-12-01T00:00:00+00:00",
}


# ~1,000,000 loop iterations of filter calls: well over 0.3 s, within the iteration budget
SLOW = {f"v{i}": "{% for i in range(1000) %}{{ i|string|upper }}{% endfor %}" for i in range(999)}


def _t(config: dict, **extra) -> dict:
    return {"id": "s", "type": "transform", "config": {"values": config}, **extra}


@pytest.mark.parametrize(
    ("action", "ahead"),
    [
        (_t({"n": "{{ trigger.n + 1 }}", "l": "run {{ execution.id }} in {{ env.REGION }}"}), True),
        (_t({"at": "{{ now }}", "w": "{{ workflow.name }}"}), True),
        (_t({"x": "{{ steps.a.output.x }}"}), False),  # reads an earlier step
        (_t({"n": "{{ trigger.n }}", "x": "{{ steps.a.output.x }}"}), False),
        (_t({"n": 1}), False),  # nothing to render
        (_t({"n": "{{ trigger.n "}), False),  # does not parse: rendered at its turn, failing
        (_t({"n": "{{ trigger.n }}"}, condition="trigger.n > 1"), True),
        (_t({"n": "{{ trigger.n }}"}, condition="steps.a.output.x == 1"), False),
        ({"id": "s", "type": "if", "config": {"condition": "trigger.n > 1"}}, True),
        ({"id": "s", "type": "if", "config": {"condition": "steps.a.status == 'ok'"}}, False),
        (  # for_each: its `step` is rendered per item by the action, not here
            {
                "id": "s",
                "type": "for_each",
                "config": {
                    "items": "{{ trigger.rows }}",
                    "step": {"type": "transform", "config": {"values": {"v": "{{ item }}"}}},
                },
            },
            True,
        ),
    ],
)
def test_renders_ahead(action: dict, ahead: bool) -> None:
    assert renders_ahead(action) is ahead


def test_render_ahead_leaves_what_the_step_would_render_itself() -> None:
    steps = [
        ("one", _t({"n": "{{ trigger.n * 10 }}"})),
        ("two", _t({"n": "{{ trigger.n }}"}, condition="trigger.n > 5")),
        ("three", _t({"n": "{{ trigger.missing.deeper }}"})),
        ("four", _t(SLOW, timeout_s=0.3)),
    ]
    into: dict = {}
    render_ahead(steps, CONTEXT, into, lambda: False)
    assert set(into) == {"one", "two", "three", "four"}
    for step_id, action in steps[:3]:
        assert into[step_id] == prepare(action, CONTEXT, step_budget(10))
    assert into["one"].rendered == {"values": {"n": 20}}
    assert into["two"].skip_reason == "condition is false: trigger.n > 5"
    assert into["three"].error
    assert into["four"].error == "timed out after 0.3 s (rendering the config)"


def test_render_ahead_stops_when_the_walk_is_over() -> None:
    into: dict = {}
    render_ahead([("one", _t({"n": "{{ trigger.n }}"}))], CONTEXT, into, lambda: True)
    assert into == {}
