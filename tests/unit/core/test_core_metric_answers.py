"""The named metrics (which source serves which, what they store, the reason when none can)
and the numbers read from each source's answer shapes."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.core.metric_answers import (
    AnswerError,
    plausible_query,
    plausible_values,
    search_console_values,
    umami_values,
)
from app.core.metrics import look_back, no_source_reason, sample_names, source_for, unserved

ALL = ["ranking", "traffic", "engagement"]


@pytest.mark.parametrize(
    ("platforms", "missing"),
    [
        ([], ALL),
        (["plausible"], ["ranking"]),
        (["umami", "search_console"], []),
        (["search_console", "slack"], ["traffic", "engagement"]),
    ],
)
def test_unserved_names_the_metrics_no_connected_source_measures(
    platforms: list[str], missing: list[str]
) -> None:
    assert unserved([*ALL, "traffic"], platforms) == missing


def test_the_reason_names_the_missing_metrics_and_what_to_do() -> None:
    assert no_source_reason(ALL) == (
        "no metrics source for ranking, traffic, engagement: add one under Connections"
    )


def test_plausible_is_preferred_to_umami() -> None:
    assert source_for("traffic", ["umami", "plausible"]) == "plausible"
    assert source_for("engagement", ["umami"]) == "umami"
    assert source_for("ranking", ["umami"]) is None


def test_sample_names() -> None:
    assert sample_names(["traffic", "ranking"]) == [
        "traffic.visitors", "traffic.pageviews",
        "ranking.position", "ranking.clicks", "ranking.impressions", "ranking.ctr",
    ]  # fmt: skip


def test_look_back_includes_today() -> None:
    assert look_back(date(2026, 3, 1), 7) == (date(2026, 2, 23), date(2026, 3, 1))
    assert look_back(date(2026, 3, 1), 1) == (date(2026, 3, 1), date(2026, 3, 1))


def test_plausible_query_asks_only_for_the_wanted_metrics() -> None:
    query = plausible_query("b.example", "/a", ["engagement"], date(2026, 1, 1), date(2026, 1, 7))
    assert query["metrics"] == ["bounce_rate", "visit_duration"]
    assert query["filters"] == [["is", "event:page", ["/a"]]]
    assert plausible_values(query, {"results": [{"metrics": [38.5, None], "dimensions": []}]}) == {
        "engagement.bounce_rate": 38.5, "engagement.visit_duration": 0.0
    }  # fmt: skip
    assert plausible_values(query, {"results": []}) == {
        "engagement.bounce_rate": 0.0, "engagement.visit_duration": 0.0
    }  # fmt: skip


@pytest.mark.parametrize(
    "answer",
    [{"error": "x"}, {"results": [{"metrics": [1]}]}, {"results": [{"metrics": ["a", 2]}]}],
)
def test_plausible_answers_of_another_shape_are_refused(answer: Any) -> None:
    query = plausible_query("b", "/", ["traffic"], date(2026, 1, 1), date(2026, 1, 1))
    with pytest.raises(AnswerError):
        plausible_values(query, answer)


V1 = {"pageviews": {"value": 9, "change": 1}, "uniques": {"value": 4, "change": 0},
      "bounces": {"value": 2, "change": 0}, "totaltime": {"value": 80, "change": 0}}  # fmt: skip
V2 = {"pageviews": {"value": 9, "prev": 1}, "visitors": {"value": 4, "prev": 0},
      "visits": {"value": 5, "prev": 0}, "bounces": {"value": 2, "prev": 0},
      "totaltime": {"value": 100, "prev": 0}}  # fmt: skip
V3 = {"pageviews": 9, "visitors": 4, "visits": 5, "bounces": 2, "totaltime": 100,
      "comparison": {"pageviews": 1}}  # fmt: skip


@pytest.mark.parametrize(
    ("answer", "rate", "duration"), [(V1, 50.0, 20.0), (V2, 40.0, 20.0), (V3, 40.0, 20.0)]
)
def test_umami_answers_of_every_version(answer: Any, rate: float, duration: float) -> None:
    assert umami_values(answer, ["traffic", "engagement"]) == {
        "traffic.visitors": 4.0, "traffic.pageviews": 9.0,
        "engagement.bounce_rate": rate, "engagement.visit_duration": duration,
    }  # fmt: skip


def test_umami_without_visits_has_no_engagement() -> None:
    empty = {"pageviews": 0, "visitors": 0, "visits": 0, "bounces": 0, "totaltime": 0}
    assert umami_values(empty, ["engagement"]) == {}
    with pytest.raises(AnswerError, match="no pageviews or visitors"):
        umami_values({"visits": 3}, ["traffic"])


def test_search_console_rows() -> None:
    row = {"keys": ["u"], "clicks": 3, "impressions": 50, "ctr": 0.06, "position": 11.25}
    assert search_console_values({"rows": [row]}) == {
        "ranking.clicks": 3.0, "ranking.impressions": 50.0, "ranking.ctr": 0.06,
        "ranking.position": 11.25,
    }  # fmt: skip
    assert search_console_values({"responseAggregationType": "byPage"}) == {
        "ranking.clicks": 0.0, "ranking.impressions": 0.0, "ranking.ctr": 0.0
    }  # fmt: skip
    with pytest.raises(AnswerError):
        search_console_values({"rows": ["x"]})
