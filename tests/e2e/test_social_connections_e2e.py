"""X, LinkedIn and Bluesky connections in a real browser: the generated forms explain their
fields, refuse a bad author URN next to the field, and Verify talks to the stand-ins."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.integration.social.loopback import serving
from tests.integration.social.standins_bluesky import HANDLE, BlueskyStandIn
from tests.integration.social.standins_linkedin import LI_TOKEN, MEMBER, LinkedInStandIn


@pytest.fixture
def stand_ins() -> Iterator[tuple[LinkedInStandIn, BlueskyStandIn]]:
    with serving(LinkedInStandIn()) as li, serving(BlueskyStandIn()) as bs:
        yield li, bs


def _open_form(page: Page, platform: str, first_label: str) -> None:
    page.get_by_test_id("new-connection").click()
    page.get_by_test_id("conn-platform").get_by_role("combobox").click()
    page.get_by_role("option", name=platform, exact=True).click()
    expect(page.get_by_label(first_label, exact=True)).to_be_visible()


def _verify(page: Page, name: str) -> None:
    row = page.get_by_test_id("connection-row").filter(has_text=name)
    expect(row).to_be_visible()
    row.get_by_test_id("verify-connection").click()
    expect(row.get_by_test_id("connection-status")).to_have_text("verified")


def test_linkedin_and_bluesky_through_their_forms(admin_page: Page, stand_ins) -> None:
    li, bs = stand_ins
    page = admin_page
    page.goto("/admin/connections")

    _open_form(page, "linkedin", "Access token")
    expect(page.get_by_text("who posts: urn:li:person:")).to_be_visible()
    page.get_by_label("Name").fill("E2E LinkedIn")
    page.get_by_label("Access token", exact=True).fill(LI_TOKEN)
    page.get_by_label("Author URN", exact=True).fill("urn:li:company:42")
    page.get_by_label("API base URL", exact=True).fill(li.base_url)
    page.get_by_test_id("save-connection").click()
    expect(page.get_by_test_id("error-author")).to_have_text(
        "must be urn:li:person:<id> or urn:li:organization:<id>"
    )
    page.get_by_label("Access token", exact=True).fill(LI_TOKEN)
    page.get_by_label("Author URN", exact=True).fill(MEMBER)
    page.get_by_test_id("save-connection").click()
    _verify(page, "E2E LinkedIn")
    assert li.to("/v2/userinfo")[0].headers["authorization"] == f"Bearer {LI_TOKEN}"

    _open_form(page, "bluesky", "App password")
    page.get_by_label("Name").fill("E2E Bluesky")
    page.get_by_label("App password", exact=True).fill(bs.password)
    page.get_by_label("Handle", exact=True).fill(HANDLE)
    page.get_by_label("Service URL", exact=True).fill(bs.base_url)
    page.get_by_test_id("save-connection").click()
    _verify(page, "E2E Bluesky")
    assert bs.jwts and bs.jwts[0] not in page.content()
    assert LI_TOKEN not in page.content() and bs.password not in page.content()
