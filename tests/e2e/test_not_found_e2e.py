"""An unknown address shows a page that says so, inside the navigation, with ways back."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def test_an_unknown_address_says_not_found_with_the_navigation(admin_page: Page) -> None:
    page = admin_page
    page.goto("/admin/no-such-section")
    found = page.get_by_test_id("not-found")
    expect(found).to_contain_text("There is nothing at this address")
    expect(page).to_have_title("Page not found · Flowdeck")
    expect(page.get_by_role("link", name="Audit").first).to_be_visible()  # the sidebar is there
    found.get_by_role("link", name="Executions").click()  # one element: a link drawn as a button
    expect(page).to_have_url(re.compile(r"/admin/executions/?$"))
    expect(page.get_by_test_id("not-found")).to_have_count(0)
