"""Every built-in template (each file of app/catalog/templates, so a new one is checked without
a new test) is a valid template, makes a workflow the workflow service accepts, and has an
end-to-end run in this directory."""

from __future__ import annotations

import json

import pytest

from app.core.errors import ValidationFailed
from app.core.workflow_templates import CATEGORIES, instantiate, sample_values
from app.services import template_catalog, workflows
from app.services.actor import Actor
from tests.integration.templates import scenarios  # noqa: F401  (registers every scenario)
from tests.integration.templates.helpers import CATALOG, SCENARIOS, TEMPLATE_IDS, load

REQUIRED = {
    "publish_share_monitor", "content_review", "content_health_check", "incident_response",
    "deployment_pipeline", "server_health_check", "user_onboarding", "backup_and_verify",
    "weekly_report", "lead_qualification", "support_ticket_routing", "expense_approval",
    "invoice_processing", "bug_triage", "recurring_maintenance", "api_data_sync",
    "project_kickoff",
}  # fmt: skip


def test_the_catalog_has_every_promised_template() -> None:
    assert set(TEMPLATE_IDS) >= REQUIRED


def test_the_template_service_loads_every_file_without_a_problem() -> None:
    catalog = template_catalog.load_catalog()
    assert {name: p for name, p in catalog.problems.items() if (CATALOG / name).exists()} == {}
    assert set(catalog.templates) >= set(TEMPLATE_IDS)


def test_every_template_has_an_end_to_end_run() -> None:
    assert sorted(SCENARIOS) == TEMPLATE_IDS


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_the_file_is_a_tidy_valid_template(template_id: str) -> None:
    path = CATALOG / f"{template_id}.json"
    text = path.read_text()
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, ensure_ascii=False) + "\n"  # one layout for all
    doc = load(template_id)
    assert doc.id == template_id and doc.category in CATEGORIES
    assert len(doc.description) >= 80 and doc.variables
    for variable in doc.variables:
        assert variable.label and variable.help, f"{variable.name} needs a label and help text"
    names = [a["id"] for a in doc.workflow["actions"]]
    assert len(names) == len(set(names)) >= 3
    assert all(a.get("name") for a in doc.workflow["actions"]), "every step has a real name"


def test_the_workflows_they_make_are_accepted(member: Actor) -> None:
    """Each template with its sample values (defaults, else a plausible value per type) makes a
    workflow the workflow service stores (one database for all: the runs check each again
    with real values)."""
    for template_id in TEMPLATE_IDS:
        doc = load(template_id)
        saved = workflows.create_workflow(member, instantiate(doc, sample_values(doc)))
        stored = workflows.get_workflow(member, saved.workflow["id"])
        assert stored["is_active"] is True, template_id
        assert [a["id"] for a in stored["actions"]] == [a["id"] for a in doc.workflow["actions"]]


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_missing_variables_are_named(template_id: str) -> None:
    doc = load(template_id)
    required = {f"variables.{v.name}" for v in doc.variables if v.is_required}
    with pytest.raises(ValidationFailed) as caught:
        instantiate(doc, {})
    assert {p.path for p in caught.value.problems} == required
