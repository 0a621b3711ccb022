"""One render budget per step: loop iterations, output, a deadline and a cancel flag."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.sandbox import RenderBudget, RenderStopped
from app.core.templates import TemplateError, evaluate_condition, render_value

NESTED = "{% for i in range(300) %}{% for j in range(300) %}{% endfor %}{% endfor %}x"


class FakeClock:
    """A clock that moves one second every time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_one_string_within_the_old_per_string_budget_still_renders() -> None:
    assert render_value(NESTED, {}) == "x"


def test_the_budget_is_shared_by_every_string_of_a_config() -> None:
    """200 strings, each under 100 000 iterations, no longer get 200 budgets."""
    config = {f"v{i}": NESTED for i in range(200)}
    budget = RenderBudget(loop_iterations=1_000_000)
    with pytest.raises(TemplateError) as info:
        render_value(config, {}, budget)
    assert "loops are limited to 1000000 iterations" in info.value.message
    assert budget.loops_left < 0


def test_renders_with_one_budget_add_up() -> None:
    budget = RenderBudget(loop_iterations=100_000)
    assert evaluate_condition("trigger.n > 1", {"trigger": {"n": 2}}, budget)
    render_value(NESTED, {}, budget)
    assert budget.loops_left == 100_000 - 300 - 300 * 300
    with pytest.raises(TemplateError, match="loops"):
        render_value(NESTED, {}, budget)


@pytest.mark.parametrize(
    ("config", "limit"),
    [
        ({"a": "{{ 'x' * 60000 }}", "b": "{{ 'y' * 60000 }}"}, 100_000),  # expression values
        ({"a": "{% for i in range(600) %}{{ '%0100d'|format(i) }}{% endfor %}"}, 50_000),  # text
    ],
)
def test_output_is_counted_per_step(config: dict[str, Any], limit: int) -> None:
    with pytest.raises(TemplateError, match="output is limited"):
        render_value(config, {}, RenderBudget(output_chars=limit))


@pytest.mark.parametrize(
    "template",
    [
        NESTED,  # loop iterations
        "{{ 'a' ~ 'b' }}",  # concatenation
        "{{ 'a'|upper }}",  # a filter
        "{{ 'a'.upper() }}",  # a call
        "{{ 2 ** 3 }}",  # an operator
        "{% if true %}text{% endif %}",  # plain output
    ],
)
def test_a_cancelled_budget_stops_the_render(template: str) -> None:
    budget = RenderBudget()
    budget.cancel()
    with pytest.raises(RenderStopped) as info:
        render_value(template, {}, budget)
    assert info.value.reason == "cancelled"


def test_a_render_past_its_deadline_stops_with_timeout() -> None:
    budget = RenderBudget(deadline=3.0, clock=FakeClock())
    with pytest.raises(RenderStopped) as info:
        render_value(NESTED, {}, budget)
    assert info.value.reason == "timeout"
    assert budget.loops_left > 100_000 - 10  # stopped within a few iterations of the deadline


def test_a_stopped_render_is_not_turned_into_a_template_error() -> None:
    budget = RenderBudget()
    budget.cancel()
    with pytest.raises(RenderStopped):
        evaluate_condition("trigger.items|length > 0", {"trigger": {"items": [1]}}, budget)


def test_without_a_budget_each_call_gets_a_fresh_default_one() -> None:
    for _ in range(3):
        assert render_value(NESTED, {}) == "x"
