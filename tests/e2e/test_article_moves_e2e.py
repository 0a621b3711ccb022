"""Articles move through their life cycle from the menu: in order, archive asks, undo works."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect


def test_move_menu_order_archive_confirmation_and_undo(admin_page: Page, api: httpx.Client) -> None:
    made = api.post("/articles", json={"title": "E2E moving article", "body": "Words."})
    assert made.status_code == 201, made.text
    page = admin_page
    page.goto("/admin/articles")
    page.get_by_placeholder("Search titles").fill("E2E moving article")
    row = page.get_by_test_id("article-row").filter(has_text="E2E moving article")
    expect(row).to_contain_text("draft")

    row.get_by_role("button", name="Move to…").click()
    expect(page.get_by_role("menuitem")).to_have_text(["ready", "archived"])  # life-cycle order
    page.get_by_role("menuitem", name="archived").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Archive E2E moving article?")
    dialog.get_by_role("button", name="Keep it").click()
    expect(row).to_contain_text("draft")  # nothing changed

    row.get_by_role("button", name="Move to…").click()
    page.get_by_role("menuitem", name="archived").click()
    page.get_by_test_id("confirm-archive").click()
    expect(row).to_contain_text("archived")
    toast = page.get_by_text("E2E moving article is now archived")
    expect(toast).to_be_visible()
    page.get_by_role("button", name="Undo").click()
    expect(row).to_contain_text("draft")
    expect(page.get_by_text("E2E moving article is now draft")).to_be_visible()
