"""The workflow form's `share` fields: platforms kept through a round trip, an empty message
left empty (the default post is built from the article), the default shown as placeholder."""

from __future__ import annotations

from app.core.article_links import DEFAULT_SHARE_HINT
from app.ui.forms.workflow_form import blank_action, definition_to_form, form_to_definition

EXAMPLE_1_SHARE = {
    "id": "share",
    "type": "share",
    "config": {"platforms": ["twitter", "telegram", "linkedin"]},
}


def test_example_1_share_step_round_trips_with_its_platforms() -> None:
    definition = {"name": "E1", "trigger": {"type": "manual"}, "actions": [EXAMPLE_1_SHARE]}
    fields, trigger, actions = definition_to_form(definition)
    assert actions[0]["platforms"] == "twitter, telegram, linkedin"
    assert actions[0]["message"] == ""
    back, problems = form_to_definition(fields, trigger, actions)
    assert problems == []
    config = back["actions"][0]["config"]
    assert config["platforms"] == ["twitter", "telegram", "linkedin"]
    assert "message" not in config and config["connections"] == []


def test_platforms_typed_in_the_form_reach_the_config() -> None:
    form = blank_action(0, "share")
    form.update(platforms="mastodon,\ndiscord , ", message="", list_text="team-slack")
    back, problems = form_to_definition({"name": "S"}, definition_to_form({})[1], [form])
    assert problems == []
    config = back["actions"][0]["config"]
    assert config["platforms"] == ["mastodon", "discord"]
    assert config["connections"] == ["team-slack"] and "message" not in config


def test_the_default_message_is_described_for_the_placeholder() -> None:
    assert DEFAULT_SHARE_HINT.startswith("Empty: built from the article")
    assert "/articles/" in DEFAULT_SHARE_HINT and "#automation" in DEFAULT_SHARE_HINT


def test_a_new_share_step_starts_empty_so_the_default_shows() -> None:
    assert blank_action(2, "share")["message"] == ""
    assert blank_action(2, "notify")["message"] == "New article: {{ trigger.title }}"
