"""Each metric source against its stand-in: the request its API documents, verification,
refused credentials, and a 429 waited out (or reported when the wait asked is too long)."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pytest

from app.engine.http import outbound_client
from app.integrations import metric_sources
from app.integrations.credentials import load_connection
from app.integrations.metric_sources.reading import Page, Reading
from app.services import connections
from app.services.actor import Actor
from tests.integration.metrics.conftest import connect
from tests.integration.metrics.standins import (
    GOOGLE_ACCESS,
    PLAUSIBLE_KEY,
    PLAUSIBLE_SITE,
    SC_SITE,
    UMAMI_KEY,
    UMAMI_WEBSITE,
    Sources,
)

PAGE = Page(
    "https://blog.example.com/articles/hello", "/articles/hello", date(2026, 11, 25),
    date(2026, 12, 1),
)  # fmt: skip
ALL = ["ranking", "traffic", "engagement"]


async def _measure(conn_id: int, metrics: list[str] = ALL) -> Reading:
    conn = load_connection(conn_id)
    async with outbound_client(timeout=10) as client:
        return await metric_sources.MEASURERS[conn.platform](client, conn, PAGE, metrics)


async def test_plausible_reads_the_page_over_the_window(member: Actor, sources: Sources) -> None:
    reading = await _measure(connect(member, "plausible", sources.base_url))
    assert reading.ok, reading
    assert reading.values == {
        "traffic.visitors": 310.0, "traffic.pageviews": 455.0,
        "engagement.bounce_rate": 41.0, "engagement.visit_duration": 73.0,
    }  # fmt: skip
    (seen,) = sources.to("/api/v2/query")
    assert seen.method == "POST" and seen.headers["authorization"] == f"Bearer {PLAUSIBLE_KEY}"
    assert seen.json() == {
        "site_id": PLAUSIBLE_SITE,
        "metrics": ["visitors", "pageviews", "bounce_rate", "visit_duration"],
        "date_range": ["2026-11-25", "2026-12-01"],
        "filters": [["is", "event:page", ["/articles/hello"]]],
    }


@pytest.mark.parametrize("shape", ["v2", "v3"])
async def test_umami_reads_both_answer_shapes(member: Actor, sources: Sources, shape: str) -> None:
    sources.umami_shape = shape
    reading = await _measure(connect(member, "umami", sources.base_url), ["traffic", "engagement"])
    assert reading.ok, reading
    assert reading.values == {
        "traffic.visitors": 40.0, "traffic.pageviews": 90.0,
        "engagement.bounce_rate": 40.0, "engagement.visit_duration": 60.0,
    }  # fmt: skip
    (seen,) = sources.to(f"/api/websites/{UMAMI_WEBSITE}/stats")
    assert seen.method == "GET" and seen.headers["x-umami-api-key"] == UMAMI_KEY
    assert seen.query["url"] == seen.query["path"] == "/articles/hello"
    start, end = int(seen.query["startAt"]), int(seen.query["endAt"])
    assert start == 1795564800000  # 2026-11-25T00:00Z
    assert end == start + 7 * 86_400_000 - 1  # to the end of 2026-12-01


async def test_umami_self_hosted_sends_a_bearer_token(member: Actor, sources: Sources) -> None:
    conn_id = connect(
        member, "umami", sources.base_url, connectionType="oauth", credentials={"token": UMAMI_KEY}
    )
    reading = await _measure(conn_id, ["traffic"])
    assert reading.ok and set(reading.values) == {"traffic.visitors", "traffic.pageviews"}
    assert sources.requests[-1].headers["authorization"] == f"Bearer {UMAMI_KEY}"


async def test_search_console_trades_the_refresh_token_then_queries_the_page(
    member: Actor, sources: Sources
) -> None:
    reading = await _measure(connect(member, "search_console", sources.base_url), ["ranking"])
    assert reading.ok, reading
    assert reading.values == {
        "ranking.position": 7.4, "ranking.clicks": 12.0, "ranking.impressions": 340.0,
        "ranking.ctr": 0.0353,
    }  # fmt: skip
    token, query = sources.requests
    assert token.path == "/token" and b"grant_type=refresh_token" in token.raw
    assert (
        query.path == "/webmasters/v3/sites/https%3A%2F%2Fblog.example.com%2F/searchAnalytics/query"
    )
    assert query.headers["authorization"] == f"Bearer {GOOGLE_ACCESS}"
    assert query.json()["dimensionFilterGroups"] == [
        {"filters": [{"dimension": "page", "operator": "equals", "expression": PAGE.url}]}
    ]
    assert (query.json()["startDate"], query.json()["dimensions"]) == ("2026-11-25", ["page"])


async def test_a_page_nobody_found_in_search_has_no_position(
    member: Actor, sources: Sources
) -> None:
    sources.sc_rows = []
    reading = await _measure(connect(member, "search_console", sources.base_url), ["ranking"])
    assert reading.values == {"ranking.clicks": 0, "ranking.impressions": 0, "ranking.ctr": 0}


@pytest.mark.parametrize(
    ("platform", "bad", "message"),
    [
        ("plausible", {"credentials": {"apiKey": "wrong-key"}},
         "Plausible answered 401: the credentials were refused (Invalid API key or site ID.)"),
        ("umami", {"credentials": {"apiKey": "wrong-key"}},
         "Umami answered 401: the credentials were refused (Unauthorized)"),
        ("search_console", {"credentials": {"accessToken": "ya29.expired"}},
         "Search Console answered 401: the credentials were refused (Request had invalid "
         "authentication credentials.)"),
    ],
)  # fmt: skip
async def test_refused_credentials_fail_verification_and_reading(
    member: Actor, sources: Sources, platform: str, bad: dict[str, Any], message: str
) -> None:
    conn_id = connect(member, platform, sources.base_url, **bad)
    checked = await connections.verify_connection(member, conn_id)
    assert checked["status"] == "failed" and checked["verification"]["message"] == message
    reading = await _measure(conn_id)
    assert (reading.ok, reading.status, reading.kind, reading.error) == (
        False,
        401,
        "error",
        message,
    )


async def test_a_bad_refresh_token_is_named_as_the_token_endpoint_s_refusal(
    member: Actor, sources: Sources
) -> None:
    creds = {"refreshToken": "1//revoked", "clientId": "c", "clientSecret": "s"}
    reading = await _measure(connect(member, "search_console", sources.base_url, credentials=creds))
    assert reading.kind == "error"
    assert reading.error == "Google's token endpoint answered 400: invalid_grant"


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("plausible", f"Plausible site {PLAUSIBLE_SITE}: 310 visitors today"),
        ("umami", "Umami website Blog"),
        ("search_console", f"Search Console property {SC_SITE} (siteOwner)"),
    ],
)
async def test_verification_makes_a_real_request(
    member: Actor, sources: Sources, platform: str, expected: str
) -> None:
    checked = await connections.verify_connection(
        member, connect(member, platform, sources.base_url)
    )
    assert checked["status"] == "verified", checked
    assert checked["verification"]["message"] == expected
    assert sources.requests, "no request reached the stand-in"


async def test_a_429_is_waited_out_then_the_answer_is_read(member: Actor, sources: Sources) -> None:
    conn_id = connect(member, "plausible", sources.base_url)
    sources.then(429, {"error": "Too many requests"}, {"Retry-After": "1"})
    started = time.perf_counter()
    reading = await _measure(conn_id, ["traffic"])
    assert reading.ok and reading.values["traffic.visitors"] == 310
    assert len(sources.to("/api/v2/query")) == 2
    assert time.perf_counter() - started >= 0.9  # the second request waited as asked


async def test_a_429_asking_too_long_a_wait_is_reported_retryable(
    member: Actor, sources: Sources
) -> None:
    conn_id = connect(member, "umami", sources.base_url)
    sources.then(429, {"error": "Too many requests"}, {"Retry-After": "3600"})
    reading = await _measure(conn_id, ["traffic"])
    assert (reading.ok, reading.status, reading.kind) == (False, 429, "http_429")
    assert "rate limiting (429); it asks to retry after 3600 s" in (reading.error or "")
    assert len(sources.requests) == 1
