"""The workflow form's `monitor` fields: Example 1's metrics kept through a round trip (the
form lost them before, and a save from the form then failed), sources, window and article."""

from __future__ import annotations

from app.ui.forms.workflow_form import blank_action, definition_to_form, form_to_definition

EXAMPLE_1_MONITOR = {
    "id": "monitor",
    "name": "Monitor Performance",
    "type": "monitor",
    "config": {"metrics": ["ranking", "traffic", "engagement"]},
}


def test_example_1_monitor_step_round_trips_with_its_metrics() -> None:
    definition = {"name": "E1", "trigger": {"type": "manual"}, "actions": [EXAMPLE_1_MONITOR]}
    fields, trigger, actions = definition_to_form(definition)
    assert actions[0]["metrics"] == "ranking, traffic, engagement"
    back, problems = form_to_definition(fields, trigger, actions)
    assert problems == []
    config = back["actions"][0]["config"]
    assert config["metrics"] == ["ranking", "traffic", "engagement"]
    assert "window_days" not in config and "sources" not in config and "article" not in config


def test_sources_window_and_article_typed_in_the_form_reach_the_config() -> None:
    form = blank_action(0, "monitor")
    form.update(metrics="traffic,\nranking", connection="my plausible, 7", window_days="28",
                article="12")  # fmt: skip
    back, problems = form_to_definition({"name": "M"}, definition_to_form({})[1], [form])
    assert problems == []
    config = back["actions"][0]["config"]
    assert config["metrics"] == ["traffic", "ranking"] and config["sources"] == ["my plausible", 7]
    assert (config["window_days"], config["article"]) == (28, 12)
    again = definition_to_form({"actions": back["actions"]})[2][0]
    assert (again["connection"], again["window_days"]) == ("my plausible, 7", "28")


def test_a_window_that_is_not_a_whole_number_is_named() -> None:
    form = blank_action(0, "monitor")
    form.update(metrics="traffic", window_days="a week")
    _back, problems = form_to_definition({"name": "M"}, definition_to_form({})[1], [form])
    assert [(p.path, p.message) for p in problems] == [
        ("actions[0].config.window_days", "must be a whole number")
    ]
