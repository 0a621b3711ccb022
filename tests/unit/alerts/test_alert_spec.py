"""Checking alert bodies: the original example, camelCase and snake_case, every problem at once."""

from __future__ import annotations

import pytest

from app.alerts.spec import channel_hint, parse_alert

SLACK_URL = "https://hooks.slack.com/services/T0001/B0001/Xk9fLq2ZsQw8RtYv3NmPa7Hc"

ORIGINAL = {  # the original document's createAlert example, as is
    "workflowId": 12,
    "alertType": "slack",
    "channel": "https://hooks.slack.com/services/...",
    "events": ["workflow_complete", "workflow_fail"],
    "severity": "error",
    "createdBy": "admin-user-id",
}


def test_the_original_create_alert_body_is_valid() -> None:
    spec, problems = parse_alert(ORIGINAL)
    assert problems == []
    assert (spec.workflow_id, spec.alert_type, spec.severity) == (12, "slack", "error")
    assert spec.events == ("workflow_complete", "workflow_fail")
    assert spec.channel_is_secret and spec.is_active


def test_snake_case_is_accepted_too() -> None:
    spec, problems = parse_alert(
        {"workflow_id": None, "alert_type": "telegram", "channel": "-1001234567890",
         "connection_id": "3", "events": "step_fail", "config": {"parse_mode": "MarkdownV2"},
         "is_active": False}
    )  # fmt: skip
    assert problems == []
    assert spec.connection_id == 3 and spec.events == ("step_fail",)
    assert spec.options == {"parse_mode": "MarkdownV2", "disable_notification": False}
    assert not spec.channel_is_secret and spec.is_active is False


@pytest.mark.parametrize(
    ("body", "paths"),
    [
        ({}, {"alert_type", "events"}),
        ({"alertType": "pager", "events": ["x"], "severity": "huge", "colour": 1},
         {"alert_type", "events[0]", "severity", "colour"}),
        ({"alertType": "slack", "events": []}, {"channel", "events"}),
        ({"alertType": "slack", "channel": "hooks.slack.com/x", "events": ["workflow_fail"]},
         {"channel"}),
        ({"alertType": "slack", "channel": SLACK_URL, "connectionId": 2,
          "events": ["workflow_fail"]}, {"channel"}),
        ({"alertType": "telegram", "channel": "not a chat", "events": ["workflow_fail"],
          "config": {"botToken": "123:abc", "parseMode": "BBCode"}},
         {"channel", "connection_id", "config.bot_token", "config.parse_mode"}),
        ({"alertType": "email", "channel": "ops@example.com, nope", "events": ["step_fail"],
          "config": {"password": "x", "subject": "{{ nope }}"}},
         {"channel", "connection_id", "config.password", "config.subject"}),
        ({"alertType": "webhook", "channel": "ftp://x", "events": ["workflow_fail"],
          "config": {"secret": "short"}}, {"channel", "config.secret"}),
        ({"alertType": "in_app", "channel": "everyone", "connectionId": 4,
          "events": ["workflow_fail"], "config": {"recipients": "all"}},
         {"channel", "connection_id", "config.recipients"}),
        ({"alertType": "in_app", "events": ["workflow_fail"], "workflowId": "x", "name": 5,
          "isActive": "yes"}, {"workflow_id", "name", "is_active"}),
        ({"alertType": "slack", "channel": SLACK_URL, "events": ["workflow_fail"],
          "config": {"message": "{{ workflow.__class__.__mro__ }}"}}, {"config.message"}),
        ({"alertType": "in_app", "events": ["workflow_fail"],
          "config": {"message": "{{ missing_variable }}"}}, {"config.message"}),
        ({"alertType": "webhook", "channel": "https://example.com/in", "events": ["workflow_fail"],
          "config": {"message": "x" * 2001}}, {"config.message"}),
    ],
)  # fmt: skip
def test_every_problem_is_reported_with_its_path(body: dict, paths: set[str]) -> None:
    _, problems = parse_alert(body)
    assert {p.path for p in problems} == paths


def test_problems_never_echo_a_secret() -> None:
    _, problems = parse_alert(
        {"alertType": "telegram", "channel": "1", "events": ["workflow_fail"],
         "config": {"botToken": "987654:SECRETSECRETSECRET"}}
    )  # fmt: skip
    assert problems and all("SECRETSECRET" not in p.message for p in problems)


def test_webhook_secret_is_taken_out_of_the_options() -> None:
    spec, problems = parse_alert(
        {"alertType": "webhook", "channel": "https://example.com/in", "events": ["workflow_fail"],
         "config": {"secret": "s3cr3t-s3cr3t-s3cr3t"}}
    )  # fmt: skip
    assert problems == []
    assert spec.secrets == {"secret": "s3cr3t-s3cr3t-s3cr3t"} and spec.options == {}


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        (SLACK_URL, "https://hooks.slack.com/…••••a7Hc"),
        ("https://hooks.slack.com/services/...", "https://hooks.slack.com/…••••/..."),
        ("https://user:pw@example.com/hook", "https://example.com/…••••hook"),
        ("http://x/a", "http://x/…••••"),
        ("http://[::1]:8080/hooks/abcdefghijkl", "http://[::1]:8080/…••••ijkl"),
    ],
)
def test_channel_hint_shows_the_host_and_the_last_characters_only(url: str, hint: str) -> None:
    assert channel_hint(url) == hint
