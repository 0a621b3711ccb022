"""Template documents, variable values, placeholders, connection references (pure)."""

from __future__ import annotations

import copy

import pytest

from app.core.connection_refs import (
    connection_refs,
    literal_secrets,
    missing_connections,
    refs_to_names,
)
from app.core.errors import ValidationFailed
from app.core.workflow_templates import (
    check_values,
    instantiate,
    parse_template,
    placeholders,
    sample_values,
    slugify,
)

DOC = {
    "flowdeck_template": 1,
    "id": "weekly_report",
    "name": "Weekly report",
    "description": "Mail a report every week.",
    "category": "operations",
    "icon": "mail",
    "variables": [
        {"name": "to", "label": "Recipients", "type": "email_list"},
        {"name": "site", "label": "Site", "type": "url", "default": "https://example.com"},
        {"name": "limit", "label": "Limit", "type": "integer", "min": 1, "max": 10},
        {"name": "slack", "label": "Slack", "type": "connection", "platform": "slack"},
        {"name": "when", "label": "When", "type": "cron", "default": "0 9 * * MON"},
    ],
    "workflow": {
        "name": "Weekly report for [[site]]",
        "trigger": {"type": "schedule", "config": {"cron": "[[when]]"}},
        "actions": [
            {
                "id": "fetch",
                "type": "api_call",
                "config": {"url": "[[site]]/stats?limit=[[limit]]", "query": {"n": "[[limit]]"}},
            },
            {
                "id": "tell",
                "type": "notify",
                "config": {
                    "connection": "[[slack]]",
                    "message": "{{ steps.fetch.output.body }} to [[to]]",
                    "recipients": "[[to]]",
                },
            },
        ],
    },
}


def doc(**changes):
    data = copy.deepcopy(DOC)
    data.update(changes)
    return data


def paths(exc: ValidationFailed) -> set[str]:
    return {p.path for p in exc.problems}


def test_a_good_document_parses():
    parsed = parse_template(DOC)
    assert [v.name for v in parsed.variables] == ["to", "site", "limit", "slack", "when"]
    assert parsed.variable("site").is_required is False
    assert parsed.variable("to").is_required is True


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        ({"id": "X"}, "id", "pattern"),
        ({"category": "fun"}, "category", "content"),
        ({"surprise": 1}, "surprise", "unknown field"),
        ({"flowdeck_template": 2}, "flowdeck_template", "1"),
        ({"icon": "Not An Icon"}, "icon", "pattern"),
        ({"workflow": "text"}, "workflow", "dictionary"),
    ],
)
def test_each_shape_problem_has_its_path(change, path, words):
    with pytest.raises(ValidationFailed) as caught:
        parse_template(doc(**change))
    assert caught.value.for_path(path) is not None, caught.value.problems
    assert words in caught.value.for_path(path)


def test_a_missing_marker_is_named():
    data = doc()
    del data["flowdeck_template"]
    with pytest.raises(ValidationFailed) as caught:
        parse_template(data)
    assert paths(caught.value) == {"flowdeck_template"}


@pytest.mark.parametrize(
    ("variable", "words"),
    [
        ({"name": "c", "label": "C", "type": "choice"}, "needs options"),
        ({"name": "c", "label": "C", "type": "string", "options": ["a"]}, "only a choice"),
        ({"name": "c", "label": "C", "type": "connection"}, "platform"),
        ({"name": "c", "label": "C", "type": "string", "pattern": "("}, "regular expression"),
        ({"name": "c", "label": "C", "type": "email", "default": "nope"}, "email address"),
        ({"name": "c", "label": "C", "type": "integer", "min": 5, "max": 1}, "larger than max"),
        ({"name": "c", "label": "C", "type": "colour"}, "string"),
        ({"name": "C!", "label": "C", "type": "string"}, "pattern"),
        ({"name": "c", "label": "C", "type": "string", "pattern": "(a+)+$"}, "forever"),
    ],
)
def test_variable_problems(variable, words):
    data = doc()
    data["variables"] = [*data["variables"], variable]
    data["workflow"]["description"] = "[[c]]"
    with pytest.raises(ValidationFailed) as caught:
        parse_template(data)
    messages = [p.message for p in caught.value.problems if p.path.startswith("variables[5]")]
    assert any(words in m for m in messages), caught.value.problems


def test_the_templates_own_problems_are_all_listed_with_the_shape_problems():
    data = doc(category="fun")
    data["variables"].append({"name": "unused", "label": "Unused", "type": "string"})
    data["variables"].append({"name": "to", "label": "Again", "type": "string"})
    data["workflow"]["actions"][0]["config"]["body"] = "[[nobody]]"
    with pytest.raises(ValidationFailed) as caught:
        parse_template(data)
    problems = {p.path: p.message for p in caught.value.problems}
    assert problems["variables[5]"] == "[[unused]] is never used in the workflow"
    assert problems["variables[6].name"] == "used by another variable"
    assert problems["workflow.actions[0].config.body"] == "[[nobody]] names no variable"
    assert "category" in problems


def test_placeholders_are_found_in_values_only():
    found = placeholders({"a": ["x [[one]] [[two]]"], "[[key]]": "{{ runtime }}"})
    assert found == [("a[0]", "one"), ("a[0]", "two")]


GOOD = {"to": "a@x.io, b@x.io", "limit": "3", "slack": "team-slack"}


@pytest.mark.parametrize(
    ("values", "problems"),
    [
        (GOOD, {}),
        (
            {},
            {
                "variables.to": "required",
                "variables.limit": "required",
                "variables.slack": "required",
            },
        ),
        ({**GOOD, "to": "a@x.io, nope"}, {"variables.to": "must be email addresses"}),
        ({**GOOD, "limit": "three"}, {"variables.limit": "must be a whole number"}),
        ({**GOOD, "limit": 11}, {"variables.limit": "must be at most 10"}),
        ({**GOOD, "limit": 0}, {"variables.limit": "must be at least 1"}),
        ({**GOOD, "site": "ftp://x"}, {"variables.site": "must be a web address"}),
        ({**GOOD, "when": "every day"}, {"variables.when": "must be a cron expression"}),
        ({**GOOD, "slack": ""}, {"variables.slack": "required"}),
        ({**GOOD, "slack": ["x"]}, {"variables.slack": "must be a connection"}),
        ({**GOOD, "stranger": 1}, {"variables.stranger": "not a variable"}),
    ],
)
def test_check_values(values, problems):
    parsed = parse_template(DOC)
    found = {p.path: p.message for p in check_values(parsed, values)}
    assert set(found) == set(problems)
    for path, words in problems.items():
        assert words in found[path]


@pytest.mark.parametrize(
    ("kind", "extra", "value", "ok"),
    [
        ("email", {}, "someone@example.com", True),
        ("email", {}, "someone@", False),
        ("boolean", {}, "yes", True),
        ("boolean", {}, "maybe", False),
        ("number", {}, "2.5", True),
        ("number", {}, "nan", False),
        ("choice", {"options": ["a", "b"]}, "b", True),
        ("choice", {"options": ["a", "b"]}, "c", False),
        ("string", {"pattern": "[A-Z]{3}"}, "ABC", True),
        ("string", {"pattern": "[A-Z]{3}"}, "ABCD", False),
        ("string", {"max": 3}, "abcd", False),
        ("text", {}, "x" * 20_001, False),
        ("string_list", {"max": 1}, "a, b", False),
    ],
)
def test_variable_types(kind, extra, value, ok):
    data = doc(variables=[{"name": "v", "label": "V", "type": kind, **extra}])
    data["workflow"] = {"name": "[[v]]"}
    problems = check_values(parse_template(data), {"v": value})
    assert (problems == []) is ok, problems


def test_instantiate_types_whole_strings_and_writes_text_inside_longer_ones():
    made = instantiate(parse_template(DOC), GOOD)
    fetch, tell = made["actions"][0]["config"], made["actions"][1]["config"]
    assert made["name"] == "Weekly report for https://example.com"
    assert made["trigger"]["config"]["cron"] == "0 9 * * MON"
    assert fetch["url"] == "https://example.com/stats?limit=3"
    assert fetch["query"] == {"n": 3}  # typed: an integer, not "3"
    assert tell["recipients"] == ["a@x.io", "b@x.io"]
    assert tell["message"] == "{{ steps.fetch.output.body }} to a@x.io, b@x.io"
    assert tell["connection"] == "team-slack"
    assert DOC["workflow"]["actions"][0]["config"]["query"] == {"n": "[[limit]]"}  # untouched


def test_instantiate_refuses_bad_values_with_paths():
    with pytest.raises(ValidationFailed) as caught:
        instantiate(parse_template(DOC), {"limit": 99})
    assert paths(caught.value) == {"variables.to", "variables.limit", "variables.slack"}


def test_sample_values_fit_every_variable():
    parsed = parse_template(DOC)
    assert check_values(parsed, sample_values(parsed)) == []


@pytest.mark.parametrize(
    ("name", "taken", "slug"),
    [
        ("Weekly report!", set(), "weekly_report"),
        ("Weekly report", {"weekly_report", "weekly_report_2"}, "weekly_report_3"),
        ("42 things", set(), "template_42_things"),
        ("Ab", set(), "ab_"),
        ("", set(), "template"),
    ],
)
def test_slugify(name, taken, slug):
    assert slugify(name, taken) == slug


DEFINITION = {
    "actions": [
        {"id": "a", "type": "api_call", "config": {"connection": 7, "url": "/x"}},
        {"id": "s", "type": "share", "config": {"connections": ["8", "named"]}},
        {"id": "m", "type": "monitor", "config": {"sources": [9]}},
        {
            "id": "f",
            "type": "for_each",
            "config": {"items": [1], "step": {"type": "notify", "config": {"connection": 7}}},
        },
        {"id": "t", "type": "transform", "config": {"connection": 7}},
    ]
}


def test_connection_refs_are_found_in_every_connection_field():
    assert connection_refs(DEFINITION) == [
        ("actions[0].config.connection", 7),
        ("actions[1].config.connections[0]", "8"),
        ("actions[1].config.connections[1]", "named"),
        ("actions[2].config.sources[0]", 9),
        ("actions[3].config.step.config.connection", 7),
    ]


def test_ids_become_names_and_unknown_ids_stay():
    named = refs_to_names(DEFINITION, {7: "api", 8: "social"})
    assert [ref for _, ref in connection_refs(named)] == ["api", "social", "named", 9, "api"]
    assert named["actions"][4]["config"]["connection"] == 7  # not a connection field
    assert DEFINITION["actions"][0]["config"]["connection"] == 7


def test_missing_connections_are_named_with_their_paths():
    definition = refs_to_names(DEFINITION, {7: "api"})
    definition["actions"][2]["config"]["sources"] = ["{{ trigger.source }}"]
    missing = missing_connections(definition, {"api", "named"})
    assert missing == [("actions[1].config.connections[0]", "8")]


def test_literal_secrets_are_found_but_templates_and_placeholders_are_not():
    definition = {
        "actions": [
            {"id": "a", "type": "api_call", "config": {"headers": {
                "Authorization": "Bearer abcdef123", "X-Api-Key": "{{ env.KEY }}",
                "Cookie": "[[cookie]]", "Accept": "application/json"}}},
            {"id": "b", "type": "transform", "config": {"values": {"password": "hunter2hunter2",
                                                                   "token": "abc"}}},
            {"id": "f", "type": "for_each", "config": {"items": [1], "step": {
                "type": "api_call", "config": {"query": {"api_key": "s3cr3t-value"}}}}},
        ]
    }  # fmt: skip
    assert literal_secrets(definition) == [
        "actions[0].config.headers.Authorization",
        "actions[1].config.values.password",
        "actions[2].config.step.config.query.api_key",
    ]


def test_an_email_triggers_connection_is_a_reference_too():
    trigger = {"type": "email", "config": {"connection": 4, "mailbox": "INBOX"}}
    step = {"id": "a", "type": "notify", "config": {"connection": 7}}
    definition = {"trigger": trigger, "actions": [step]}
    assert connection_refs(definition) == [
        ("trigger.config.connection", 4),
        ("actions[0].config.connection", 7),
    ]
    named = refs_to_names(definition, {4: "inbox", 7: "api"})
    assert named["trigger"]["config"] == {"connection": "inbox", "mailbox": "INBOX"}
    assert missing_connections(named, {"api"}) == [("trigger.config.connection", "inbox")]
    other = {"trigger": {"type": "webhook", "config": {"connection": 4}}, "actions": []}
    assert connection_refs(other) == []  # only the email trigger names a connection
