"""Every page of the app, for the browser tests that look at all of them (phone width,
accessibility): the routes come from the page registry, so a page added later is visited
too, and `seed` makes one of each object a detail page shows."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
from playwright.sync_api import Page, expect

import app.ui.pages  # noqa: F401  (registers every page)
from app.ui.pages.registry import PAGES

#: Pages for someone signed out (signed in, they send you on).
SIGNED_OUT = {"/login", "/setup"}
#: Routes that only send you elsewhere, with where they land.
REDIRECTS = {"/": "/admin/workflows", "/admin": "/admin/workflows"}
#: Reflex's name for the page of an unknown address, and an address that shows it.
NOT_FOUND = ("404", "/admin/no-such-page")

STEP = {"id": "shape", "type": "transform", "config": {"values": {"city": "{{ trigger.city }}"}}}


@dataclass(frozen=True)
class Visit:
    route: str  # as declared, e.g. /admin/workflows/[workflow_id]
    url: str  # with the seeded ids filled in
    signed_out: bool = False


def routes() -> list[str]:
    """Every declared route, in declaration order, each once."""
    seen: list[str] = []
    for _render, kwargs in PAGES:
        route = kwargs.get("route", "")
        if route and route not in seen:
            seen.append(route)
    return seen


def _ok(response: httpx.Response) -> dict:
    assert response.status_code in (200, 201, 202), response.text
    return response.json()


def seed(api: httpx.Client) -> dict[str, str]:
    """One workflow (run once), an article, an orchestration (run once), a connection, an
    alert and an incident; the value of each dynamic route segment."""
    body = {"name": "Every page digest", "trigger": {"type": "manual"}, "actions": [STEP]}
    workflow = _ok(api.post("/workflows", json=body))
    run = _ok(
        api.post(
            f"/workflows/{workflow['id']}/execute",
            json={"payload": {"city": "Oslo"}},
            params={"wait": "true"},
        )
    )
    article = _ok(api.post("/articles", json={"title": "Every page article", "body": "Words."}))
    orchestration = _ok(
        api.post(
            "/orchestrations",
            json={
                "name": "Every page calls",
                "mode": "sequential",
                "calls": [{"id": "ping", "url": "http://127.0.0.1:1/ping"}],  # fails: a run
            },
        )
    )
    orchestration_run = _ok(
        api.post(f"/orchestrations/{orchestration['id']}/execute", params={"wait": "true"})
    )
    _ok(
        api.post(
            "/connections",
            json={
                "name": "Every page hook",
                "platform": "slack",
                "connectionType": "webhook",
                "webhookUrl": "https://hooks.slack.com/services/T000/B000/XXXXXXXX",
            },
        )
    )
    _ok(
        api.post(
            "/alerts",
            json={
                "alertType": "webhook",
                "channel": "https://example.com/every-page-alerts",
                "events": ["workflow_fail"],
                "severity": "error",
                "workflowId": workflow["id"],
            },
        )
    )
    incident = _ok(
        api.post("/incidents", json={"title": "Every page incident", "severity": "medium"})
    )
    return {
        "incident_id": str(incident["id"]),
        "workflow_id": str(workflow["id"]),
        "execution_id": str(run["id"]),
        "article_id": str(article["id"]),
        "orchestration_id": str(orchestration["id"]),
        "run_id": str(orchestration_run["id"]),
    }


def visits(ids: dict[str, str]) -> list[Visit]:
    """A visit for every declared route; a dynamic segment without a seeded value fails (seed
    the object the new page shows)."""
    out: list[Visit] = []
    for route in routes():
        if route == NOT_FOUND[0]:
            out.append(Visit(route, NOT_FOUND[1]))
            continue
        missing = [p for p in re.findall(r"\[(\w+)\]", route) if p not in ids]
        assert not missing, f"{route}: seed a {missing[0]} in tests/e2e/every_page.py"
        url = re.sub(r"\[(\w+)\]", lambda m: ids[m.group(1)], route)
        out.append(Visit(route, url, signed_out=route in SIGNED_OUT))
    return out


def settle(page: Page, visit: Visit) -> None:
    """Open the page and wait until it has loaded its data (no skeletons left)."""
    page.goto(visit.url)
    if visit.signed_out:
        expect(page.get_by_test_id("login-submit")).to_be_visible(timeout=30_000)
    elif visit.route == "/status":
        expect(page.get_by_test_id("system-status")).to_be_visible(timeout=30_000)
    else:
        expect(page.get_by_test_id("user-email")).not_to_be_empty(timeout=30_000)
    expect(page.locator(".rt-Skeleton")).to_have_count(0, timeout=30_000)
    page.wait_for_timeout(300)  # the last delta's paint
