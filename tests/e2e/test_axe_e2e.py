"""axe-core (pinned in tests/e2e/axe, installed from the npm registry by `make install-test`)
checks every page the registry declares, at desktop size, in the light and the dark theme:
no serious or critical violation (a control without a name, a label tied to nothing, text
too faint to read, a button in a button, ARIA a role does not allow…)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e import every_page
from tests.e2e.conftest import _sign_in

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.help + '\\n      ' +
         v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + n.html.slice(0, 140))
           .join('\\n      '));
}"""


def _themed(browser: Browser, base_url: str, theme: str):  # noqa: ANN202
    context = browser.new_context(base_url=base_url, viewport=DESKTOP)
    context.set_default_timeout(20_000)
    context.add_init_script(f"localStorage.setItem('theme', '{theme}')")  # Reflex's key
    return context


@pytest.fixture(params=["light", "dark"])
def themed(request: pytest.FixtureRequest, browser: Browser, base_url: str,
           admin_ready: tuple[str, str]) -> Iterator[tuple[str, Page, Page]]:  # fmt: skip
    """(theme, a page signed in as the admin, a signed-out page), both in that theme."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run 'make install-test' (it installs axe-core)")
    theme = request.param
    signed_in, signed_out = _themed(browser, base_url, theme), _themed(browser, base_url, theme)
    page = signed_in.new_page()
    _sign_in(page, *admin_ready)
    expect(page.get_by_test_id("user-email")).to_be_visible()
    yield theme, page, signed_out.new_page()
    signed_in.close()
    signed_out.close()


def test_axe_finds_nothing_serious_on_any_page(
    themed: tuple[str, Page, Page], every_page_ids: dict[str, str]
) -> None:
    theme, admin, visitor = themed
    problems: list[str] = []
    for visit in every_page.visits(every_page_ids):
        page = visitor if visit.signed_out else admin
        every_page.settle(page, visit)
        dark = page.evaluate("document.documentElement.classList.contains('dark')")
        assert dark == (theme == "dark"), f"{visit.url} is not in the {theme} theme"
        page.add_script_tag(path=str(AXE))
        problems += [f"{visit.url} [{theme}]: {v}" for v in page.evaluate(RUN_AXE)]
    assert not problems, "\n".join(problems)
    # The check is live: a nameless button added to the last page is reported.
    page.evaluate("document.body.appendChild(document.createElement('button'))")
    assert any(v.startswith("button-name") for v in page.evaluate(RUN_AXE))


def test_the_keyboard_skips_to_the_content_after_the_sidebar(admin_page: Page) -> None:
    """Tab: "Skip to content" first (shown while focused), then the sidebar's sections,
    then the header; the link points at the main landmark, which it can focus."""
    page = admin_page
    page.goto("/admin/executions")
    expect(page.get_by_test_id("user-email")).not_to_be_empty(timeout=30_000)

    def focused() -> str:
        return page.evaluate(
            "() => { const e = document.activeElement; const id = e.dataset.testid || e.id;"
            " return (id || e.tagName) + '|' + (e.textContent || '').trim(); }"
        )

    page.keyboard.press("Tab")
    assert focused().startswith("skip-link|Skip to content")
    expect(page.get_by_test_id("skip-link")).to_be_in_viewport()
    stops = []
    for _ in range(26):
        page.keyboard.press("Tab")
        stops.append(focused().split("|")[0])
    sidebar = [s for s in stops if s.startswith("nav-")]
    assert sidebar[:2] == ["nav-workflows", "nav-templates"], stops
    # the whole sidebar (its search button, then the sections) before the page's header
    assert stops.index("nav-users") < stops.index("logout"), stops
    assert stops.index("nav-workflows") <= 2, stops

    # Its target is the main landmark, focusable by the link (not by Tab).
    target = page.get_by_test_id("skip-link").get_attribute("href")
    assert target is not None and target.endswith("#main-content"), target
    main = page.locator("main#main-content")
    expect(main).to_have_attribute("tabindex", "-1")
