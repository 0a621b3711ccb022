"""The article page's data: the monitor's samples of that article as series over time, and
the figure drawn from them (one panel per metric, one line per value)."""

from __future__ import annotations

import pytest

from app.core.errors import NotFound
from app.engine.runner import Engine
from app.services.actor import Actor
from app.services.article_metrics import article_metrics
from app.ui.components.metric_chart import metric_figure
from tests.integration.actions.action_helpers import new_article, run
from tests.integration.metrics.conftest import connect
from tests.integration.metrics.standins import Sources

MONITOR = {"id": "m", "type": "monitor", "config": {"metrics": ["ranking", "traffic"]}}


async def test_two_runs_make_two_points_per_value_of_that_article_only(
    engine: Engine, member: Actor, sources: Sources
) -> None:
    article, other = new_article(member, slug="charted"), new_article(member, slug="other")
    connect(member, "plausible", sources.base_url)
    connect(member, "search_console", sources.base_url)
    for _ in range(2):
        result = await run(member, engine, [MONITOR], payload={"article_id": article["id"]})
        assert result["status"] == "succeeded", result["steps"]
    data = article_metrics(member, article["id"])
    assert data["article"]["slug"] == "charted"
    assert list(data["series"]) == [
        "ranking.clicks", "ranking.ctr", "ranking.impressions", "ranking.position",
        "traffic.pageviews", "traffic.visitors",
    ]  # fmt: skip
    visitors = data["series"]["traffic.visitors"]
    assert [p["value"] for p in visitors] == [310.0, 310.0]
    assert visitors[0]["at"] <= visitors[1]["at"]
    assert article_metrics(member, other["id"])["series"] == {}
    with pytest.raises(NotFound):
        article_metrics(member, 10_000)

    figure = metric_figure(data["series"])
    shown = ["ranking.position", "ranking.clicks", "ranking.impressions", "ranking.ctr",
             "traffic.visitors", "traffic.pageviews"]  # fmt: skip
    assert [t.name for t in figure.data] == shown
    assert len({t.yaxis for t in figure.data}) == 6  # each value on its own scale
    assert figure.layout.annotations[0].text == "Average search position (1 is the top)"
    assert figure.layout.yaxis.autorange == "reversed"  # position: 1 at the top
    assert metric_figure({}).data == ()
