"""The original document's article status names mean ours, in any case, everywhere."""

from __future__ import annotations

import re

import pytest

from app.core.articles import STATUS_PATTERN, ArticleStatus, parse_status, status_name
from app.core.config_models import parse_trigger_config
from app.core.errors import ValidationFailed


@pytest.mark.parametrize(
    ("given", "ours"),
    [
        ("READY_TO_PUBLISH", ArticleStatus.READY),
        ("ready_to_publish", ArticleStatus.READY),
        ("Ready", ArticleStatus.READY),
        ("DRAFT", ArticleStatus.DRAFT),
        ("PUBLISHED", ArticleStatus.PUBLISHED),
        ("Archived", ArticleStatus.ARCHIVED),
        ("draft", ArticleStatus.DRAFT),
    ],
)
def test_the_original_names_mean_ours(given: str, ours: ArticleStatus) -> None:
    assert status_name(given) is ours
    assert parse_status(given) is ours
    assert re.match(STATUS_PATTERN, given)  # the REST schema says so too


@pytest.mark.parametrize("given", ["READY_TO", "gone", "", " ready", None, 3])
def test_anything_else_is_named_in_the_error(given: object) -> None:
    assert status_name(given) is None
    with pytest.raises(ValidationFailed) as caught:
        parse_status(given, "trigger.status")
    problem = caught.value.problems[0]
    assert problem.path == "trigger.status" and "READY_TO_PUBLISH" in problem.message
    if isinstance(given, str):
        assert not re.match(STATUS_PATTERN, given)


def test_a_publish_trigger_stores_our_name_and_refuses_an_unknown_one() -> None:
    config = parse_trigger_config("publish", {"articleStatus": "READY_TO_PUBLISH"})
    assert config.model_dump()["article_status"] == "ready"
    with pytest.raises(ValidationFailed) as caught:
        parse_trigger_config("publish", {"articleStatus": "LIVE"})
    assert caught.value.problems[0].path == "config.article_status"
