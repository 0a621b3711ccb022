"""An article's metrics in a real browser: a workflow with Example 1's monitor step, run twice
against Plausible and Search Console stand-ins, charted on the article's page; an article
never measured shows the empty state."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.integration.metrics.standins import (
    GOOGLE_CLIENT,
    GOOGLE_REFRESH,
    PLAUSIBLE_KEY,
    PLAUSIBLE_SITE,
    SC_SITE,
    Sources,
    serving,
)

MONITOR = {"id": "monitor", "name": "Monitor Performance", "type": "monitor",
           "config": {"metrics": ["ranking", "traffic", "engagement"]}}  # fmt: skip


@pytest.fixture
def sources() -> Iterator[Sources]:
    with serving(Sources()) as stand_in:
        yield stand_in


def _connect(api: httpx.Client, base: str) -> list[int]:
    bodies = [
        {"name": "e2e plausible", "platform": "plausible", "credentials": {"apiKey": PLAUSIBLE_KEY},
         "config": {"siteId": PLAUSIBLE_SITE, "apiBase": base}},
        {"name": "e2e search console", "platform": "search_console",
         "credentials": {"refreshToken": GOOGLE_REFRESH, "clientId": GOOGLE_CLIENT[0],
                         "clientSecret": GOOGLE_CLIENT[1]},
         "config": {"siteUrl": SC_SITE, "apiBase": base, "tokenUrl": base + "/token"}},
    ]  # fmt: skip
    made_ids = []
    for body in bodies:
        made = api.post("/connections", json=body)
        assert made.status_code == 201, made.text
        made_ids.append(made.json()["id"])
    return made_ids


@pytest.fixture
def connected(api: httpx.Client, sources: Sources) -> Iterator[None]:
    """The metric sources, removed afterwards: the app is shared by every browser test, and a
    source left behind would be measured (and fail, its stand-in gone) by their monitors."""
    made = _connect(api, sources.base_url)
    yield
    for conn_id in made:
        assert api.delete(f"/connections/{conn_id}").status_code == 204


def _run(api: httpx.Client, workflow_id: int, article_id: int) -> None:
    started = api.post(
        f"/workflows/{workflow_id}/execute", json={"payload": {"article_id": article_id}}
    )
    assert started.status_code < 300, started.text
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        execution = api.get(f"/executions/{started.json()['id']}").json()
        if execution["status"] not in ("queued", "running"):
            assert execution["status"] == "succeeded", execution
            return
        time.sleep(0.2)
    raise AssertionError("the run did not end within 30 s")


def test_a_monitor_without_sources_is_saved_with_a_warning(
    admin_page: Page, api: httpx.Client
) -> None:
    """Runs before any metric source exists in this app (this file's first test)."""
    reason = "no metrics source for ranking, traffic, engagement: add one under Connections"
    body = {"name": "Warned e2e", "trigger": {"type": "manual"}, "actions": [MONITOR]}
    created = api.post("/workflows", json=body)
    assert created.json()["warnings"] == [{"path": "actions[0].config.metrics", "message": reason}]
    page = admin_page
    page.goto(f"/admin/workflows/{created.json()['id']}/edit")
    expect(page.get_by_test_id("warning-action")).to_have_text(reason)
    page.get_by_test_id("save-workflow").click()
    expect(page.get_by_text("Saved anyway (actions[0].config.metrics)")).to_be_visible()
    expect(page.get_by_text("Saved Warned e2e")).to_be_visible()
    page.screenshot(path="/tmp/met-save-warning.png")


def test_the_article_page_charts_its_metrics(
    admin_page: Page, api: httpx.Client, sources: Sources, connected: None
) -> None:
    article = api.post("/articles", json={"title": "Charted article", "body": "Words."}).json()
    quiet = api.post("/articles", json={"title": "Quiet article", "body": "Words."}).json()
    created = api.post(
        "/workflows",
        json={"name": "Measure e2e", "trigger": {"type": "manual"}, "actions": [MONITOR]},
    )
    assert created.status_code == 201 and created.json()["warnings"] == [], created.text
    for _ in range(2):
        _run(api, created.json()["id"], article["id"])

    page = admin_page
    page.goto("/admin/articles")
    page.get_by_test_id("article-link").filter(has_text="Charted article").click()
    expect(page.get_by_test_id("article-title")).to_have_text("Charted article")
    chart = page.get_by_test_id("metric-chart")
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=30_000)
    expect(chart.locator(".annotation-text", has_text="Visitors")).to_have_count(1)
    expect(chart.locator(".scatterlayer .trace")).to_have_count(8)
    latest = page.get_by_test_id("metric-latest")
    expect(latest.get_by_role("row").filter(has_text="ranking.position")).to_contain_text("7.4")
    page.screenshot(path="/tmp/met-article-chart.png", full_page=True)

    page.goto(f"/admin/articles/{quiet['id']}")
    expect(page.get_by_test_id("metric-chart-empty")).to_be_visible()
