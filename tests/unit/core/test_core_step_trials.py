"""Which steps "Test step" runs at once, which ask first, which it refuses."""

from __future__ import annotations

import pytest

from app.core.step_trials import cannot_try, side_effects


@pytest.mark.parametrize(
    ("action", "says"),
    [
        ({"type": "transform", "config": {"values": {}}}, None),
        ({"type": "if"}, None),
        ({"type": "delay", "config": {"seconds": 1}}, None),
        ({"type": "api_call", "config": {"url": "https://x"}}, None),
        ({"type": "api_call", "config": {"method": "get", "url": "https://x"}}, None),
        ({"type": "api_call", "config": {"method": "POST"}}, "sends a POST request"),
        ({"type": "api_call", "config": {"method": "DELETE"}}, "sends a DELETE request"),
        ({"type": "notify", "config": {}}, "sends a notification"),
        ({"type": "share"}, "posts to social platforms"),
        ({"type": "publish"}, "publishes an article"),
        ({"type": "send_email"}, "sends an email"),
        ({"type": "git_commit"}, "commits to a git repository"),
        ({"type": "optimize", "config": {"apply": False}}, None),
        ({"type": "optimize", "config": {"apply": True}}, "may change an article"),
        ({"type": "database", "config": {"query": "SELECT 1"}}, None),
        (
            {"type": "database", "config": {"query": "DELETE FROM t", "write": True}},
            "may write to a database",
        ),
        ({"type": "script", "config": {"code": "x = 1"}}, "runs a script"),
        ({"type": "brand_new"}, "runs a brand_new step that may change things"),
    ],
)
def test_side_effects(action: dict, says: str | None) -> None:
    assert side_effects(action) == says


@pytest.mark.parametrize("kind", ["wait", "approval", "sub_workflow", "for_each", "orchestration"])
def test_run_only_steps_cannot_be_tried(kind: str) -> None:
    reason = cannot_try({"type": kind})
    assert reason is not None and reason.startswith(f"a {kind} step cannot be tested")


@pytest.mark.parametrize("kind", ["transform", "api_call", "notify", "database"])
def test_other_steps_can_be_tried(kind: str) -> None:
    assert cannot_try({"type": kind}) is None
