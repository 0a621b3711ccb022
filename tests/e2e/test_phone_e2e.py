"""At 390 px wide (a phone) no page is wider than the screen, and the controls a person needs
are on it: every page the registry declares is visited (a page added later too), with one of
each object so that the detail pages exist."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e import every_page
from tests.e2e.conftest import _sign_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Browser, base_url: str, admin_ready: tuple[str, str]) -> Iterator[Page]:
    """The admin on a phone-sized window (signed in at desktop size, where the form's
    answer is easy to wait for)."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(20_000)
    page = context.new_page()
    _sign_in(page, *admin_ready)
    expect(page.get_by_test_id("user-email")).to_be_visible()
    page.set_viewport_size(PHONE)
    yield page
    context.close()


def _too_wide(page: Page) -> str:
    """'' when the page fits the window, else the widths and the widest elements."""
    return page.evaluate(
        """() => {
          const w = window.innerWidth, sw = document.documentElement.scrollWidth;
          if (sw <= w) return '';
          const out = [];
          for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.width > 0 && r.right > w + 1)
              out.push(el.tagName + (el.dataset.testid ? '#' + el.dataset.testid : '') +
                       ' right=' + Math.round(r.right));
          }
          return sw + ' > ' + w + ': ' + out.slice(0, 5).join(', ');
        }"""
    )


def _on_screen(page: Page, control: Locator, what: str) -> str:
    """'' when `control` is visible and wholly inside the window's width."""
    if not control.is_visible():
        return f"{what} is not visible"
    box = control.bounding_box()
    width = page.evaluate("window.innerWidth")
    if box is None or box["x"] < 0 or box["x"] + box["width"] > width + 0.5:
        return f"{what} is outside the screen ({box})"
    return ""


def _key_controls(page: Page, visit: every_page.Visit) -> list[str]:
    problems = []
    if not visit.signed_out and visit.route != "/status":
        problems.append(_on_screen(page, page.get_by_test_id("logout"), "the header's Log out"))
    if visit.route == "/status":
        problems.append(_on_screen(page, page.get_by_test_id("status-logout"), "Log out"))
    if visit.route in ("/admin/workflows/new", "/admin/workflows/[workflow_id]/edit"):
        problems.append(_on_screen(page, page.get_by_test_id("add-transform"), "add a step"))
        problems.append(_on_screen(page, page.get_by_test_id("save-workflow"), "Save"))
    if visit.route == "/admin/workflows":
        run = page.get_by_test_id("workflow-row").first.get_by_test_id("run-workflow")
        problems.append(_on_screen(page, run, "a workflow's Run"))
    if visit.route == "/admin/executions":
        error = page.get_by_test_id("execution-row").first.locator("td").last
        problems.append(_on_screen(page, error, "an execution's Error"))
    if visit.route == "/admin/workflows/[workflow_id]":
        problems.append(_on_screen(page, page.get_by_test_id("detail-run"), "Run now"))
    return [p for p in problems if p]


def test_every_page_fits_a_phone(
    phone: Page, browser: Browser, base_url: str, every_page_ids: dict[str, str]
) -> None:
    visits = every_page.visits(every_page_ids)
    assert len(visits) >= 25, [v.route for v in visits]  # the registry really was read
    signed_out = browser.new_context(base_url=base_url, viewport=PHONE)
    problems: list[str] = []
    try:
        for visit in visits:
            page = signed_out.new_page() if visit.signed_out else phone
            every_page.settle(page, visit)
            wide = _too_wide(page)
            if wide:
                problems.append(f"{visit.url}: {wide}")
            problems += [f"{visit.url}: {p}" for p in _key_controls(page, visit)]
            if visit.route == "/admin/executions/[execution_id]":  # a step opened: its table
                page.get_by_test_id("step-item").first.locator("button").first.click()
                page.wait_for_timeout(300)
                wide = _too_wide(page)
                if wide:
                    problems.append(f"{visit.url} with a step open: {wide}")
            if visit.signed_out:
                page.close()
    finally:
        signed_out.close()
    assert not problems, "\n".join(problems)


def test_tables_are_cards_on_a_phone(phone: Page, every_page_ids: dict[str, str]) -> None:
    """A list's row is a card: its cells stacked, each named by its column, nothing hidden
    to the right; at desktop width the same rows are a table again."""
    phone.goto("/admin/executions")
    row = phone.get_by_test_id("execution-row").first
    expect(row).to_be_visible()
    assert row.evaluate("r => getComputedStyle(r).display") == "flex"
    cells = row.locator("td")
    labels = cells.evaluate_all("tds => tds.map(td => getComputedStyle(td, '::before').content)")
    assert '"Workflow"' in labels and '"Error"' in labels, labels
    assert phone.locator("thead th").filter(has_text="Workflow").is_hidden()
    phone.set_viewport_size({"width": 1280, "height": 800})
    assert row.evaluate("r => getComputedStyle(r).display") == "table-row"
    expect(phone.locator("thead th").filter(has_text="Workflow")).to_be_visible()
