"""A branching workflow built in the form, run, and its branch seen on the execution page.

check (if: trigger.n > 1) → yes (after check: true) / no (after check: false) → join (after
yes and no, none_failed). With n = 5 the true side runs, the false side is skipped and the
join still runs.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.form_steps import choose, name_step


def test_build_a_branch_in_the_form_and_run_it(admin_page: Page, tmp_path: Path) -> None:
    page = admin_page
    page.goto("/admin/workflows/new")
    page.get_by_label("Name").fill("E2E branch")
    page.get_by_label("Max parallel steps").fill("4")

    check = page.get_by_test_id("action-card").first
    choose(page, check, "if")
    name_step(page, 0, "check", "Check n")
    check.get_by_test_id("action-branch_condition").fill("trigger.n > 1")
    for _ in range(3):
        page.get_by_test_id("add-transform").click()
    yes = name_step(page, 1, "yes", "Yes side")
    no = name_step(page, 2, "no", "No side")
    join = name_step(page, 3, "join", "Join both")

    yes.get_by_role("checkbox", name="check: true").click()
    no.get_by_role("checkbox", name="check: false").click()
    join.get_by_role("checkbox", name="yes", exact=True).click()
    join.get_by_role("checkbox", name="no", exact=True).focus()  # keyboard works too
    page.keyboard.press("Space")
    expect(join.get_by_role("checkbox", name="no", exact=True)).to_be_checked()
    expect(join.get_by_role("checkbox", name="(previous step)")).not_to_be_checked()
    choose(page, join.get_by_test_id("action-trigger_rule"), "none_failed")
    expect(join.get_by_test_id("trigger-rule-hint")).to_contain_text("join after a branch")

    check.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "graph-form.png"), full_page=True)
    Path("/tmp/graph-form.png").write_bytes((tmp_path / "graph-form.png").read_bytes())

    # A cycle (check after join) is named under check's "Runs after", and nothing is saved.
    check.get_by_role("checkbox", name="join", exact=True).click()
    page.get_by_test_id("save-workflow").click()
    expect(check.get_by_test_id("error-action-depends_on")).to_contain_text("Cycle")
    expect(page).to_have_url(re.compile(r"/admin/workflows/new/?$"))
    check.get_by_role("checkbox", name="(previous step)").click()
    expect(check.get_by_test_id("error-action-depends_on")).to_have_count(0)

    page.get_by_test_id("save-workflow").click()
    expect(page).to_have_url(re.compile(r"/admin/workflows/\d+/?$"))
    workflow_url = page.url

    page.get_by_test_id("detail-run").click()
    page.get_by_test_id("run-payload").fill('{"n": 5}')
    page.get_by_test_id("confirm-run").click()
    expect(page).to_have_url(re.compile(r"/admin/executions/\d+/?$"))
    steps = page.get_by_test_id("step-item")
    expect(steps.filter(has_text="Join both")).to_contain_text("succeeded")
    expect(steps.filter(has_text="Yes side")).to_contain_text("succeeded")
    expect(steps.filter(has_text="No side")).to_contain_text("skipped")

    # Reopened, the form shows the same graph.
    page.goto(workflow_url.rstrip("/") + "/edit")
    join = page.get_by_test_id("action-card").nth(3)
    expect(join.get_by_role("checkbox", name="yes", exact=True)).to_be_checked()
    expect(join.get_by_role("checkbox", name="no", exact=True)).to_be_checked()
    expect(join.get_by_test_id("trigger-rule-hint")).to_contain_text("join after a branch")
    expect(page.get_by_label("Max parallel steps")).to_have_value("4")
