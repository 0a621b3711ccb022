"""What the browser tests do in the workflow form: pick a step's type, name a step."""

from __future__ import annotations

from playwright.sync_api import Locator, Page


def choose(page: Page, box: Locator, option: str) -> None:
    """Pick `option` in the first select (combobox) inside `box`."""
    box.get_by_role("combobox").first.click()
    page.get_by_role("option", name=option, exact=True).click()


def name_step(page: Page, index: int, step_id: str, name: str) -> Locator:
    """Give the `index`-th step card its id and name; returns the card."""
    card = page.get_by_test_id("action-card").nth(index)
    card.get_by_test_id("action-id").fill(step_id)
    card.get_by_test_id("action-name").fill(name)
    return card
